// The scan every source goes through before it is built: explainable findings, each with its
// rule, file, line and an excerpt (secrets masked), and a severity. "block" stops publishing;
// "warn" is shown to the seller before signing and to buyers in the skill's details.
import type { SourceFile } from "./archive.js";

export type Severity = "block" | "warn";

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  /** 1-based; 0 when the finding is about the whole file. */
  line: number;
  excerpt: string;
  message: string;
}

export interface ScanReport {
  findings: Finding[];
  blocked: boolean;
  filesScanned: number;
}

/** Rules, in one list: what each looks for and why it matters. */
export const SCAN_RULES = {
  "secret.private-key": { severity: "block", message: "a private key is committed: revoke it, remove it from the history, and keep keys out of the repository" },
  "secret.solana-keypair": { severity: "block", message: "a Solana keypair (64 secret bytes) is committed: move its funds and remove it" },
  "secret.token": { severity: "block", message: "an access token (GitHub, AWS, Slack, OpenAI, …) is committed: revoke it and remove it" },
  "binary.executable": { severity: "block", message: "a compiled executable is committed: the marketplace builds from source it can read" },
  "binary.file": { severity: "warn", message: "a binary file is committed: buyers cannot review what it holds" },
  "obfuscation.eval-decoded": { severity: "block", message: "code is decoded and then executed (eval / exec of base64 or hex): hidden behaviour" },
  "obfuscation.long-line": { severity: "warn", message: "a very long line of code (minified or encoded): hard to review" },
  "install.network": { severity: "block", message: "an install script fetches from the network: builds run without network, and installing must not run code from elsewhere" },
  "dependencies.unpinned": { severity: "warn", message: "a dependency is not pinned to one version: the build could change under the same commit" },
} as const satisfies Record<string, { severity: Severity; message: string }>;

type Rule = keyof typeof SCAN_RULES;

const TEXT_LIMIT = 1024 * 1024;
const LONG_LINE = 1_000;

const SECRETS: { rule: Rule; pattern: RegExp }[] = [
  { rule: "secret.private-key", pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----/ },
  { rule: "secret.token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,}|AKIA[0-9A-Z]{16}|xox[abpr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{32,})\b/ },
];
const KEYPAIR = /\[\s*(?:\d{1,3}\s*,\s*){63}\d{1,3}\s*\]/;
const EVAL_DECODED = /\b(?:eval|exec|Function|compile)\s*\(\s*(?:[\w.]*\b(?:b64decode|b32decode|a85decode|atob|fromhex|unhexlify|decompress)\b|Buffer\.from\s*\([^)]*['"](?:base64|hex)['"])/;
const NETWORK = /\b(?:curl|wget|fetch|urllib|requests\.get|http\.get|https?:\/\/|pip\s+install|npm\s+(?:install|i)\b|git\s+clone)/;
const CODE = /\.(?:py|js|mjs|cjs|ts|sh|rb|pl|php|lua)$/;

/** Bytes of a compiled executable: ELF, Mach-O, PE, WebAssembly. */
function executable(data: Buffer): boolean {
  const magic = data.subarray(0, 4).toString("hex");
  return magic === "7f454c46" || ["feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe"].includes(magic) || magic.startsWith("4d5a") || magic === "0061736d";
}

function isText(data: Buffer): boolean {
  if (data.includes(0)) return false;
  return !data.toString("utf8").includes("\uFFFD");
}

/** The line, trimmed to something readable, with anything secret-looking masked. */
function excerpt(line: string, secret = false): string {
  let text = line.trim();
  if (secret) text = text.replace(/[A-Za-z0-9+/_=-]{12,}/g, (s) => `${s.slice(0, 4)}…(${s.length} characters hidden)`).replace(/\d{1,3}(\s*,\s*\d{1,3}){8,}/g, "…(numbers hidden)");
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function scan(files: SourceFile[]): ScanReport {
  const findings: Finding[] = [];
  const add = (rule: Rule, file: string, line: number, text: string, secret = false) =>
    findings.push({ rule, severity: SCAN_RULES[rule].severity, file, line, excerpt: excerpt(text, secret), message: SCAN_RULES[rule].message });
  const paths = new Set(files.map((f) => f.path));

  for (const file of files) {
    if (executable(file.data)) {
      add("binary.executable", file.path, 0, `${file.data.length} bytes of compiled code`);
      continue;
    }
    if (!isText(file.data)) {
      add("binary.file", file.path, 0, `${file.data.length} bytes that are not text`);
      continue;
    }
    if (file.data.length > TEXT_LIMIT) continue;
    const text = file.data.toString("utf8");
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      for (const { rule, pattern } of SECRETS) if (pattern.test(line)) add(rule, file.path, i + 1, line, true);
      if (CODE.test(file.path)) {
        if (EVAL_DECODED.test(line)) add("obfuscation.eval-decoded", file.path, i + 1, line);
        if (line.length > LONG_LINE) add("obfuscation.long-line", file.path, i + 1, line);
      }
    });
    if (KEYPAIR.test(text)) {
      const at = lines.findIndex((l) => /\d{1,3}\s*,\s*\d{1,3}/.test(l));
      const bytes = JSON.parse(KEYPAIR.exec(text)![0]) as number[];
      if (bytes.every((b) => b <= 255)) add("secret.solana-keypair", file.path, at + 1, lines[at] ?? "", true);
    }
    const name = file.path.split("/").pop()!;
    if (name === "package.json") packageJson(file.path, text, lines, paths, add);
    if (name === "requirements.txt") requirements(file.path, lines, add);
    if (name === "setup.py") {
      lines.forEach((line, i) => {
        if (NETWORK.test(line)) add("install.network", file.path, i + 1, line);
      });
    }
  }
  return { findings, blocked: findings.some((f) => f.severity === "block"), filesScanned: files.length };
}

function lineOf(lines: string[], needle: string): number {
  const i = lines.findIndex((l) => l.includes(needle));
  return i + 1;
}

function packageJson(path: string, text: string, lines: string[], paths: Set<string>, add: (rule: Rule, file: string, line: number, text: string) => void): void {
  let pkg: { scripts?: Record<string, unknown>; dependencies?: Record<string, unknown> };
  try {
    pkg = JSON.parse(text);
  } catch {
    return;
  }
  for (const hook of ["preinstall", "install", "postinstall", "prepare", "prepublish"]) {
    const script = pkg.scripts?.[hook];
    if (typeof script !== "string" || !NETWORK.test(script)) continue;
    const line = lineOf(lines, `"${hook}"`);
    add("install.network", path, line, lines[line - 1] ?? script);
  }
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  const locked = paths.has(`${dir}package-lock.json`) || paths.has(`${dir}npm-shrinkwrap.json`);
  if (locked) return;
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (typeof range !== "string" || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(range)) {
      add("dependencies.unpinned", path, lineOf(lines, `"${name}"`), `"${name}": ${JSON.stringify(range)}`);
    }
  }
}

function requirements(path: string, lines: string[], add: (rule: Rule, file: string, line: number, text: string) => void): void {
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (!line || line.startsWith("-")) return;
    if (!/^[A-Za-z0-9_.[\]-]+\s*===?\s*[0-9][^\s;,]*(\s*;.*)?$/.test(line)) add("dependencies.unpinned", path, i + 1, raw);
  });
}
