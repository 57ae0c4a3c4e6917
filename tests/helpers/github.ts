// GitHub cannot be reached from here: these tests answer GitHub's API from a local server replaying answers GitHub
// really gave, recorded by two public test suites: @octokit/fixtures (npm) and PyGithub's replay data (PyPI, fetched
// by scripts/recordings.sh into the cache). Nothing here invents an answer: every status, header and body served is
// one of a recording's.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { join } from "node:path";

/** One recorded answer: what was asked (method, host, path) and what GitHub said. */
export interface Exchange {
  method: string;
  host: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const HOP_HEADERS = new Set(["content-length", "connection", "transfer-encoding", "status", "content-encoding"]);

function cleanHeaders(pairs: [string, string][]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of pairs) if (!HOP_HEADERS.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
  return headers;
}

/** The exchanges of one @octokit/fixtures scenario, e.g. "get-archive". */
export function octokitScenario(name: string): Exchange[] {
  const require = createRequire(import.meta.url);
  const recording = JSON.parse(readFileSync(require.resolve(`@octokit/fixtures/scenarios/api.github.com/${name}/normalized-fixture.json`), "utf8")) as {
    scope: string;
    method: string;
    path: string;
    status: number;
    response: unknown;
    responseIsBinary?: boolean;
    headers: Record<string, string | number>;
  }[];
  return recording.map((r) => ({
    method: r.method.toUpperCase(),
    host: new URL(r.scope).host,
    path: r.path,
    status: r.status,
    headers: cleanHeaders(Object.entries(r.headers).map(([k, v]) => [k, String(v)])),
    body:
      typeof r.response === "string"
        ? r.responseIsBinary || /^[0-9a-f]+$/.test(r.response)
          ? Buffer.from(r.response, "hex")
          : Buffer.from(r.response)
        : Buffer.from(JSON.stringify(r.response)),
  }));
}

let pyGithubDir: string | undefined;

/** The exchanges of one PyGithub replay file (e.g. "SpecificExceptions.testRateLimitExceeded"). */
export function pyGithubRecording(name: string): Exchange[] {
  pyGithubDir ??= execFileSync("bash", ["scripts/recordings.sh"], { encoding: "utf8" }).trim();
  // Each exchange is ten lines: protocol, verb, host, port, path, request headers, request body, status,
  // response headers (a Python list of pairs) and the response body; a blank line follows.
  const lines = readFileSync(join(pyGithubDir, `${name}.txt`), "utf8").split("\n");
  const exchanges: Exchange[] = [];
  for (let i = 0; i + 9 < lines.length; i += 11) {
    const [, method, host, , path, , , status, headers, body] = lines.slice(i, i + 10) as string[];
    const pairs = [...headers!.matchAll(/\((['"])(.*?)\1, (['"])(.*?)\3\)/g)].map((m) => [m[2], m[4]] as [string, string]);
    exchanges.push({ method: method!, host: host!, path: path!, status: Number(status), headers: cleanHeaders(pairs), body: Buffer.from(body!) });
  }
  return exchanges;
}

/** Finds one exchange of a recording by method and path (the query left out). */
export function exchange(exchanges: Exchange[], method: string, path: string): Exchange {
  const found = exchanges.find((e) => e.method === method && e.path.split("?")[0] === path);
  if (!found) throw new Error(`no recorded ${method} ${path}`);
  return found;
}

export interface GitHubReplay {
  url: string;
  /** Every request the server was asked, as "METHOD /path". */
  requests: string[];
  /** Answer every request with this exchange from now on (GitHub limiting every call), or stop doing so. */
  answerAll(exchange: Exchange | undefined): void;
  close(): Promise<void>;
}

/**
 * Serves `exchanges` by method and path (the query left out); requests to codeload.github.com are expected under
 * /codeload (redirects are rewritten to point there). Anything else is answered with `notFound`, a recorded 404.
 */
export async function githubReplay(exchanges: Exchange[], notFound: Exchange): Promise<GitHubReplay> {
  let all: Exchange | undefined;
  let url = "";
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    requests.push(`${req.method} ${path}`);
    const codeload = path.startsWith("/codeload/");
    const wanted = codeload ? path.slice("/codeload".length) : path;
    const hit =
      all ??
      exchanges.find((e) => e.method === req.method && e.host === (codeload ? "codeload.github.com" : "api.github.com") && e.path.split("?")[0] === wanted) ??
      notFound;
    const headers = { ...hit.headers };
    if (headers.location) headers.location = headers.location.replace("https://codeload.github.com", `${url}/codeload`).replace("https://api.github.com", url);
    res.writeHead(hit.status, headers).end(hit.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    answerAll: (e) => {
      all = e;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The recordings the publishing tests use, by what they show. */
export function githubRecordings() {
  const commit = exchange(pyGithubRecording("PaginatedList.testReversedWithFirstSinglePage"), "GET", "/repos/PyGithub/PyGithub/commits/f5f9756a1dd52a53820cc54927abb34725377987");
  const notFound = exchange(pyGithubRecording("Artifact.testGetNonexistentArtifact"), "GET", "/repos/lexa/PyGithub/actions/artifacts/396724437");
  // The primary limit, used up (403, X-RateLimit-Remaining: 0), and the secondary limit (403 with Retry-After).
  const primaryLimit = pyGithubRecording("SpecificExceptions.testRateLimitExceeded").find((e) => e.status === 403)!;
  const secondaryLimit = pyGithubRecording("SpecificExceptions.testAuthenticatedRateLimitExceeded").find((e) => e.status === 403)!;
  return { commit, notFound, primaryLimit, secondaryLimit, archive: octokitScenario("get-archive") };
}
