// The runtimes a skill can name in its manifest, the base image each is built on
// (scripts/images.sh makes them) and how its entry point is started. The one place both the
// executor and the image builder read.
export const RUNTIMES = {
  // Unbuffered: the answer line leaves as soon as it is printed, not when the interpreter exits.
  python: { image: "skill-marketplace/runtime-python:1", command: (entry: string) => ["python3", "-u", "-I", "-S", `/skill/${entry}`] },
  node: { image: "skill-marketplace/runtime-node:1", command: (entry: string) => ["node", `/skill/${entry}`] },
  static: { image: "skill-marketplace/runtime-static:1", command: (entry: string) => [`/skill/${entry}`] },
} as const;

export type RuntimeName = keyof typeof RUNTIMES;

export const RUNTIME_NAMES = Object.keys(RUNTIMES) as RuntimeName[];

/** An entry point is a relative path inside the skill's directory, nothing that climbs out of it. */
export function validEntryPoint(entry: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.\/-]{0,199}$/.test(entry) && !entry.split("/").some((part) => part === ".." || part === "." || part === "");
}
