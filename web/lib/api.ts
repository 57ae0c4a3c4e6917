// The marketplace's api as the web app's server reads it (WEB_API_URL): typed answers, and errors in the api's
// one shape ({ error: { code, message } }) turned into ApiError, so a page can say in words what went wrong.
export const API_URL = (process.env.WEB_API_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit & { query?: Record<string, string | undefined> } = {}): Promise<T> {
  const url = new URL(`/api/v1${path}`, API_URL);
  for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, v);
  let response: Response;
  try {
    response = await fetch(url, { ...init, cache: "no-store", signal: init.signal ?? AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ApiError(503, "api_unreachable", `the marketplace's api does not answer (${(error as Error).message})`);
  }
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) throw new ApiError(response.status, body?.error?.code ?? "api_error", body?.error?.message ?? `the api answered ${response.status}`);
  return body as T;
}

export interface Reliability {
  calls: number;
  successRate: number;
  timeouts: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface Skill {
  id: string;
  slug: string;
  author: string;
  version: string;
  category: string;
  pricing: { kind: "oneTime" | "subscription" | "usage"; intervalSecs: number | null; unitsPerPurchase: string | null };
  price: string;
  currency: string;
  active: boolean;
  sales: string;
  usageUnits: string;
  rating: { average: number | null; count: number };
  provenance: { docsCid: string; commitSha: string; imageDigest: string };
  reliability: Reliability | null;
  /** What the seller announced ahead: a version not yet on sale, a price increase. */
  pending: {
    version: { version: string; docsCid: string; commitSha: string; imageDigest: string; effectiveAt: string } | null;
    price: { price: string; effectiveAt: string } | null;
  };
  createdAt: string;
  updatedAt: string;
}

export interface SkillPage {
  skills: Skill[];
  nextCursor: string | null;
  sort: string;
}

export interface Finding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  excerpt: string;
  message: string;
}

export interface Review {
  id: string;
  reviewer: string;
  rating: number;
  /** What the reviewer had paid for the license: the rating's weight, base units of the skill's currency. */
  weight: string;
  textCid: string;
  text: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SkillDetails extends Skill {
  docs: { cid: string; url: string; status: string; summary: string | null; reason: string | null };
  skillMd: string | null;
  apiSpec: Record<string, unknown> | null;
  examples: { title: string; input: unknown; output: unknown }[];
  scan: { repo: string; commitSha: string; version: string; findings: Finding[]; scannedAt: string } | null;
  ratingDistribution: Record<string, number>;
  reviews: Review[];
  versions: { version: string; price: string; docsCid: string; commitSha: string; imageDigest: string; publishedAt: string; reliability: Reliability | null }[];
  x402: { accepts: { amount: string; asset: string }[] } | null;
}

export interface Currency {
  mint: string;
  decimals: number;
  tokenProgram: string;
}
