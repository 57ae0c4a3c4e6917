#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a dependency of the workspace), so `npx skill-marketplace`
// works from a checkout without a build step.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "main.ts");
const result = spawnSync(process.execPath, ["--import", "tsx", main, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
