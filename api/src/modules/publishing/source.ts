// Where a skill's source comes from: a GitHub repository (the REST API through octokit, GitHub or
// GitHub Enterprise at GITHUB_API_URL) or a plain git URL (fetched with git). Either way, a ref
// becomes one commit SHA first, and everything after reads that commit only.
import { execFile } from "node:child_process";
import { realpathSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Octokit } from "@octokit/rest";
import { MAX_SOURCE_BYTES } from "@skill-marketplace/sdk";
import { DomainError } from "../../errors.js";
import { readArchive, type SourceFile } from "./archive.js";

export interface PinnedSource {
  /** The repository as the seller named it, normalized. */
  repo: string;
  /** The commit the ref pointed at when it was resolved (40 hex digits). */
  commitSha: string;
  files: SourceFile[];
}

export interface SourceOptions {
  githubApiUrl: string;
  githubToken?: string;
  /** Local folders whose git repositories may be published by file:// URL (development, tests, the demo). */
  localRoots: string[];
  timeoutMs?: number;
}

export const sourceNotAllowed = (message: string) => new DomainError("source_not_allowed", message);
const refNotFound = (repo: string, ref: string) => new DomainError("ref_not_found", `${repo} has no branch, tag or commit ${JSON.stringify(ref)}`);
const unavailable = (message: string) => new DomainError("source_unavailable", message);

const GITHUB_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,199}$/;

/** What `repo` names: a GitHub `owner/name` (or its github.com URL), or a git URL. */
export function parseRepo(repo: string): { kind: "github"; owner: string; name: string } | { kind: "git"; url: string } {
  const github = /^(?:https:\/\/github\.com\/)?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(repo);
  if (github && GITHUB_NAME.test(github[1]!) && GITHUB_NAME.test(github[2]!) && !repo.startsWith("file:")) {
    return { kind: "github", owner: github[1]!, name: github[2]! };
  }
  if (/^(https:\/\/|file:\/\/)/.test(repo)) return { kind: "git", url: repo };
  throw sourceNotAllowed(`repo must be a GitHub owner/name, an https:// git URL or an allowed file:// URL, not ${JSON.stringify(repo)}`);
}

export function checkRef(ref: string): string {
  if (!REF.test(ref) || ref.includes("..") || ref.endsWith(".lock") || ref.endsWith("/")) {
    throw new DomainError("validation_failed", `ref ${JSON.stringify(ref)} is not a branch, tag or commit name`);
  }
  return ref;
}

export class Sources {
  /** Until when (ms since the epoch) GitHub said to stop asking; no call goes out before then. */
  private githubLimitedUntil = 0;

  constructor(private readonly o: SourceOptions) {}

  /** Throws unless `repo` and `ref` name something this marketplace may fetch now (checked before a job starts). */
  accept(repo: string, ref: string): void {
    checkRef(ref);
    const parsed = parseRepo(repo);
    if (parsed.kind === "git" && parsed.url.startsWith("file://")) this.localPath(parsed.url);
    if (parsed.kind === "github") this.honourLimit(`${parsed.owner}/${parsed.name}`);
  }

  /** GitHub's rate limit, once answered, is kept to: until its reset, publishing from GitHub is refused without asking. */
  private honourLimit(repo: string): void {
    const wait = Math.ceil((this.githubLimitedUntil - Date.now()) / 1000);
    if (wait > 0) throw rateLimitedError(repo, wait, "GitHub's rate limit is still in force");
  }

  async pin(repo: string, ref: string): Promise<PinnedSource> {
    this.accept(repo, ref);
    const parsed = parseRepo(repo);
    return parsed.kind === "github" ? this.github(parsed.owner, parsed.name, ref) : this.git(parsed.url, ref);
  }

  private localPath(url: string): string {
    // Real paths on both sides: a link inside an allowed folder does not lead out of it.
    const real = (p: string) => {
      try {
        return realpathSync(p);
      } catch {
        return resolvePath(p);
      }
    };
    let path: string;
    try {
      path = real(fileURLToPath(url));
    } catch {
      throw sourceNotAllowed(`${url} is not a file URL`);
    }
    const allowed = this.o.localRoots.map(real).some((root) => path === root || path.startsWith(root + sep));
    if (!allowed) throw sourceNotAllowed(`local repositories can be published only from ${this.o.localRoots.join(", ") || "nowhere (PUBLISH_LOCAL_ROOTS is empty)"}`);
    return path;
  }

  private octokit(): Octokit {
    // Octokit's own request log stays quiet: failures reach the job as its error.
    const quiet = () => undefined;
    return new Octokit({
      baseUrl: this.o.githubApiUrl,
      auth: this.o.githubToken,
      request: { timeout: this.o.timeoutMs ?? 30_000 },
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
  }

  private async github(owner: string, name: string, ref: string): Promise<PinnedSource> {
    const commitSha = await this.resolveCommit(owner, name, ref);
    return { repo: `${owner}/${name}`, commitSha, files: await this.githubFiles(owner, name, commitSha) };
  }

  /** One GitHub API call, its failure as the marketplace's error; a rate-limit answer is remembered and kept to. */
  private async githubCall<T>(repo: string, ref: string, what: string, run: (octokit: Octokit) => Promise<T>): Promise<T> {
    this.honourLimit(repo);
    try {
      return await run(this.octokit());
    } catch (error) {
      const mapped = githubError(error, repo, ref, what);
      if (mapped.code === "github_rate_limited" && mapped.retryAfterSeconds !== undefined) {
        this.githubLimitedUntil = Math.max(this.githubLimitedUntil, Date.now() + mapped.retryAfterSeconds * 1000);
      }
      throw mapped;
    }
  }

  /** The commit SHA `ref` points at in `owner/name` now (GitHub's commit lookup). */
  async resolveCommit(owner: string, name: string, ref: string): Promise<string> {
    const label = `${owner}/${name}`;
    const commit = await this.githubCall(label, ref, "resolving the ref", (octokit) => octokit.rest.repos.getCommit({ owner, repo: name, ref }));
    const commitSha = commit.data.sha;
    if (!/^[0-9a-f]{40}$/.test(commitSha)) throw unavailable(`GitHub answered ${JSON.stringify(commitSha)} for ${label}@${ref}, which is not a commit SHA`);
    return commitSha;
  }

  /** The files of `owner/name` at `ref` from GitHub's tarball (a redirect to codeload, gzipped, one top folder). */
  async githubFiles(owner: string, name: string, ref: string): Promise<SourceFile[]> {
    const archive = await this.githubCall(`${owner}/${name}`, ref, "downloading the tarball", (octokit) =>
      octokit.rest.repos.downloadTarballArchive({ owner, repo: name, ref, request: { parseSuccessResponseBody: false } }),
    );
    const bytes = await bodyBytes(archive.data as unknown);
    return readArchive(bytes, { gzip: true, stripTopFolder: true });
  }

  private async git(url: string, ref: string): Promise<PinnedSource> {
    if (url.startsWith("file://")) this.localPath(url);
    const dir = await mkdtemp(join(tmpdir(), "skill-publish-"));
    try {
      const full = /^[0-9a-f]{40}$/.test(ref);
      // A branch or tag: only its last commit; a commit SHA: the history that holds it.
      const clone = ["clone", "--quiet", "--bare", "--no-tags", ...(full ? [] : ["--depth", "1", "--branch", ref]), "--", url, dir];
      try {
        await this.run(clone, tmpdir());
      } catch (error) {
        const text = (error as Error).message;
        if (/Remote branch .* not found|not found in upstream|couldn't find remote ref/i.test(text)) throw refNotFound(url, ref);
        throw unavailable(`git could not fetch ${url}: ${text.split("\n").find((l) => l.trim()) ?? text}`);
      }
      let commitSha: string;
      try {
        commitSha = (await this.run(["rev-parse", "--verify", "--end-of-options", `${full ? ref : "HEAD"}^{commit}`], dir)).toString().trim();
      } catch {
        throw refNotFound(url, ref);
      }
      if (!/^[0-9a-f]{40}$/.test(commitSha)) throw unavailable(`git gave ${JSON.stringify(commitSha)} for ${ref}, which is not a SHA-1 commit`);
      const tar = await this.run(["archive", "--format=tar", commitSha], dir, MAX_SOURCE_BYTES * 2);
      return { repo: url, commitSha, files: await readArchive(tar, { gzip: false, stripTopFolder: false }) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[], cwd: string, maxBuffer = 1024 * 1024): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      execFile(
        "git",
        ["-c", "protocol.file.allow=always", "-c", "core.hooksPath=/dev/null", ...args],
        {
          cwd,
          encoding: "buffer",
          maxBuffer,
          timeout: this.o.timeoutMs ?? 60_000,
          // Nothing of this process's environment reaches git but what it needs; never a prompt.
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" },
        },
        (error, stdout, stderr) => {
          if (error) {
            if ((error as { code?: unknown }).code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
              return reject(new DomainError("archive_refused", `the repository's files hold more than ${MAX_SOURCE_BYTES} bytes`));
            }
            return reject(new Error(`${stderr.toString().trim() || error.message}`));
          }
          resolve(stdout);
        },
      );
    });
  }
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof Uint8Array) return body;
  if (body && typeof (body as ReadableStream).getReader === "function") {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_SOURCE_BYTES * 2) {
        await reader.cancel();
        throw new DomainError("archive_refused", `the archive is larger than ${MAX_SOURCE_BYTES * 2} bytes`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }
  throw unavailable("GitHub's tarball answer had no body");
}

const rateLimitedError = (repo: string, retryAfter: number, why: string) =>
  new DomainError("github_rate_limited", `${why} for ${repo}; retry in ${retryAfter} s (set GITHUB_TOKEN for a higher limit)`, { retryAfter }, retryAfter);

/** GitHub's answers as the marketplace's errors: a missing ref, a rate limit (with when to retry), an outage. */
function githubError(error: unknown, repo: string, ref: string, what: string): DomainError {
  if (error instanceof DomainError) return error;
  const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  const headers = e.response?.headers ?? {};
  if ((e.status === 403 || e.status === 429) && (headers["x-ratelimit-remaining"] === "0" || headers["retry-after"])) {
    // GitHub's rules: Retry-After when given; else the primary limit's reset time; else wait at least a minute.
    const reset = Number(headers["x-ratelimit-reset"]);
    const given = Number(headers["retry-after"]);
    const retryAfter = Number.isFinite(given) && given > 0 ? Math.ceil(given) : Number.isFinite(reset) && reset > 0 ? Math.max(1, reset - Math.floor(Date.now() / 1000)) : 60;
    return rateLimitedError(repo, retryAfter, `GitHub's rate limit was reached while ${what}`);
  }
  if (e.status === 404 || e.status === 422) return refNotFound(repo, ref);
  return unavailable(`GitHub answered ${e.status ?? "nothing"} while ${what} for ${repo}: ${e.message ?? "no message"}`);
}
