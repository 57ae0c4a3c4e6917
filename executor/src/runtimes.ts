// The base image each runtime a manifest can name (sdk RUNTIME_NAMES) is built on
// (scripts/images.sh makes them) and how its entry point is started. The one place both the
// executor and the image builder read.
import type { RuntimeName } from "@skill-marketplace/sdk";

export { RUNTIME_NAMES, validEntryPoint, type RuntimeName } from "@skill-marketplace/sdk";

export const RUNTIMES: Record<RuntimeName, { image: string; command: (entry: string) => string[] }> = {
  // Unbuffered: the answer line leaves as soon as it is printed, not when the interpreter exits.
  python: { image: "skill-marketplace/runtime-python:1", command: (entry: string) => ["python3", "-u", "-I", "-S", `/skill/${entry}`] },
  node: { image: "skill-marketplace/runtime-node:1", command: (entry: string) => ["node", `/skill/${entry}`] },
  static: { image: "skill-marketplace/runtime-static:1", command: (entry: string) => [`/skill/${entry}`] },
};
