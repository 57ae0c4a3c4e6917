// The web app's health check (the stack's supervisor asks it before saying ready).
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" });
}
