// Publishing a skill: a seller names a repository and a ref; a job pins the commit, reads and
// checks the manifest (it must name the publishing wallet), scans the source, has the executor
// build the image with no network and run every example in the sandbox, puts the docs on IPFS,
// and hands back the unsigned register_skill (or update_skill) transaction. Each step is visible
// while it runs; any failure ends the job with its own code and leaves no image behind. Nothing
// reaches the chain until the seller signs.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { Worker } from "node:worker_threads";
import { PublicKey, type Connection } from "@solana/web3.js";
import {
  agentPda,
  currencyPda,
  fetchAccount,
  MANIFEST_FILE,
  marketplaceProgram,
  parseManifest,
  pricing as pricingOf,
  provenance,
  registerSkill,
  semver,
  semverText,
  skillApiSpec,
  skillPda,
  unsignedTransaction,
  updateSkill,
  type SkillManifest,
} from "@skill-marketplace/sdk";
import { DomainError, notFound } from "../../errors.js";
import type { SkillDocs } from "../../adapters/ipfs.js";
import type { SourceFile } from "./archive.js";
import { scan, type Finding } from "./scan.js";
import type { Sources } from "./source.js";
import { LEASE_MS, STEPS, type JobRow, type PublishStore, type Step, type StepName } from "./store.js";

/** What the executor's build routes answer (executor/src/app.ts). */
export interface Builder {
  build(manifest: SkillManifest, files: SourceFile[]): Promise<{ imageId: string; log: string }>;
  examples(imageId: string, manifest: SkillManifest): Promise<ExampleRun[]>;
  remove(imageId: string): Promise<void>;
}

export interface ExampleRun {
  endpoint: string;
  title: string;
  input: unknown;
  outcome: string;
  output: unknown;
  message: string | null;
  stderr: string;
  durationMs: number;
}

/** How many jobs one publisher may have running at once. */
export const MAX_RUNNING_JOBS = 2;
const COMMITMENT = "confirmed" as const;
const DOCS_FILES = ["SKILL.md", "README.md", "readme.md"];

export class Publishing {
  private readonly program;
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly o: { store: PublishStore; sources: Sources; builder: Builder | null; docs: SkillDocs; connection: Connection; schemaTimeoutMs?: number },
  ) {
    this.program = marketplaceProgram({ connection: o.connection });
  }

  /** Starts a job for `publisher` (the API key's wallet); it runs in the background. */
  async start(publisher: string, repo: string, ref: string): Promise<ReturnType<typeof jobView>> {
    if (!this.o.builder) throw new DomainError("builder_unavailable", "this marketplace has no executor to build images on (EXECUTOR_URL)");
    this.o.sources.accept(repo, ref);
    await this.sweep();
    if ((await this.o.store.running(publisher)) >= MAX_RUNNING_JOBS) {
      throw new DomainError("rate_limited", `at most ${MAX_RUNNING_JOBS} publishing jobs run at once per seller; wait for one to end`, undefined, 10);
    }
    const job = await this.o.store.create(randomUUID(), publisher, repo, ref);
    const running = this.run(job).finally(() => this.active.delete(running));
    this.active.add(running);
    return jobView(job);
  }

  async get(id: string, publisher: string): Promise<ReturnType<typeof jobView>> {
    await this.sweep();
    const job = await this.o.store.get(id);
    // Another seller's job is as absent as one that does not exist.
    if (!job || job.publisher !== publisher) throw notFound(`publishing job ${id}`);
    return jobView(job);
  }

  /** Ends interrupted jobs as failed and removes the images they had built. */
  private async sweep(): Promise<void> {
    for (const digest of await this.o.store.sweep()) {
      await this.o.builder
        ?.remove(`sha256:${digest}`)
        .then(() => this.o.store.forgetImage(digest))
        .catch(() => undefined);
    }
  }

  /** Resolves when every job this process runs has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private async run(job: JobRow): Promise<void> {
    const steps = job.steps as unknown as Step[];
    let current: StepName = "resolve";
    let imageId: string | null = null;
    const at = (name: StepName) => steps[STEPS.indexOf(name)]!;
    const begin = async (name: StepName) => {
      current = name;
      Object.assign(at(name), { status: "running", startedAt: new Date().toISOString() });
      await this.o.store.update(job.id, { status: "running", steps: steps as never });
    };
    const finish = async (name: StepName, detail: string, data: Record<string, unknown> = {}) => {
      const step = at(name);
      Object.assign(step, { status: "done", endedAt: new Date().toISOString(), durationMs: Date.now() - Date.parse(step.startedAt!), detail });
      await this.o.store.update(job.id, { steps: steps as never, ...data });
    };
    // The lease is renewed while a long step (a build) runs.
    const renew = setInterval(() => void this.o.store.update(job.id, {}).catch(() => undefined), LEASE_MS / 4);
    try {
      await begin("resolve");
      const source = await this.o.sources.pin(job.repo, job.ref);
      await finish("resolve", `${source.repo} at ${source.commitSha} (${source.files.length} files)`, { commitSha: source.commitSha });

      await begin("manifest");
      const manifest = await this.manifest(source.files, job.publisher);
      const skill = skillPda(new PublicKey(manifest.publisher), manifest.slug).toBase58();
      // Checked against the chain before anything is built: a version or currency that cannot be
      // published costs nothing.
      const existing = await this.existing(skill, manifest);
      await finish("manifest", `${manifest.slug} ${manifest.version} (${manifest.runtime}, ${Object.keys(manifest.endpoints).length} endpoints)`, { skill, version: manifest.version });

      await begin("scan");
      const report = scan(source.files);
      if (report.blocked) {
        throw new DomainError("scan_blocked", `the scan found ${report.findings.filter((f) => f.severity === "block").length} problem(s) that stop publishing`, { findings: report.findings });
      }
      await finish("scan", `${report.filesScanned} files, ${report.findings.length} finding(s), none blocking`, { findings: report.findings as never });


      await begin("build");
      const built = await this.o.builder!.build(manifest, source.files);
      imageId = built.imageId;
      const imageDigest = imageId.replace(/^sha256:/, "");
      await finish("build", `image ${imageId}`, { imageDigest });

      await begin("examples");
      const runs = await this.o.builder!.examples(imageId, manifest);
      await this.checkRuns(manifest, runs);
      await finish("examples", `${runs.length} example(s) answered as documented`);

      await begin("docs");
      const skillMd = DOCS_FILES.map((name) => source.files.find((f) => f.path === name)).find(Boolean)?.data.toString("utf8") ?? "";
      const docsCid = await this.o.docs.publish({
        format: "skill-docs/1",
        summary: manifest.description,
        skillMd,
        apiSpec: skillApiSpec(manifest),
        examples: runs.map((r) => ({ title: `${r.endpoint}: ${r.title}`, input: r.input, output: r.output })),
      });
      await finish("docs", `ipfs://${docsCid}`, { docsCid });

      await begin("transaction");
      const result = await this.transaction(manifest, existing, docsCid, source.commitSha, imageDigest);
      await this.o.store.saveScan({ skill, imageDigest, commitSha: source.commitSha, version: manifest.version, repo: source.repo, findings: report.findings });
      await finish("transaction", `${result.action} for ${skill}; sign it with ${manifest.publisher}`);
      await this.o.store.update(job.id, { status: "ready", result: result as never });
    } catch (error) {
      const e =
        error instanceof DomainError
          ? { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) }
          : { code: "internal", message: `publishing failed unexpectedly: ${(error as Error).message}` };
      if (imageId) await this.o.builder!.remove(imageId).catch(() => undefined);
      const step = at(current);
      Object.assign(step, { status: "failed", endedAt: new Date().toISOString(), durationMs: step.startedAt ? Date.now() - Date.parse(step.startedAt) : null, detail: e.message });
      await this.o.store.update(job.id, { status: "failed", steps: steps as never, error: e as never, imageDigest: null }).catch(() => undefined);
    } finally {
      clearInterval(renew);
    }
  }

  /** The manifest at the commit, every problem at once; it must name the publishing wallet. */
  private async manifest(files: SourceFile[], publisher: string): Promise<SkillManifest> {
    const file = files.find((f) => f.path === MANIFEST_FILE);
    if (!file) throw new DomainError("manifest_missing", `the repository has no ${MANIFEST_FILE} at its root`);
    const parsed = parseManifest(file.data.toString("utf8"));
    const problems = parsed.ok ? [] : [...parsed.problems];
    if (parsed.ok) {
      const m = parsed.manifest;
      if (!files.some((f) => f.path === m.entry)) problems.push(`entry: ${m.entry} is not in the repository`);
      problems.push(...(await this.schemaProblems(m)));
    }
    if (problems.length > 0) throw new DomainError("invalid_manifest", `${MANIFEST_FILE} has ${problems.length} problem(s)`, { problems });
    const manifest = (parsed as { manifest: SkillManifest }).manifest;
    if (manifest.publisher !== publisher) {
      throw new DomainError("publisher_mismatch", `${MANIFEST_FILE} names ${manifest.publisher} as its publisher, but you are ${publisher}: only the wallet a repository names can publish it`);
    }
    return manifest;
  }

  /** Each endpoint's schemas compile, and each example's input (and output, when given) fits them. */
  private schemaProblems(m: SkillManifest): Promise<string[]> {
    const schemas: Record<string, unknown> = {};
    const checks: { schema: string; value: unknown; path: string }[] = [];
    for (const [name, e] of Object.entries(m.endpoints)) {
      schemas[`endpoints.${name}.input`] = e.input;
      schemas[`endpoints.${name}.output`] = e.output;
      e.examples.forEach((x, i) => {
        checks.push({ schema: `endpoints.${name}.input`, value: x.input, path: `endpoints.${name}.examples.${i}.input` });
        if (x.output !== undefined) checks.push({ schema: `endpoints.${name}.output`, value: x.output, path: `endpoints.${name}.examples.${i}.output` });
      });
    }
    return this.validate(schemas, checks);
  }

  private validate(schemas: Record<string, unknown>, checks: { schema: string; value: unknown; path: string }[]): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL("./schemas.worker.mjs", import.meta.url), { workerData: { schemas, checks }, resourceLimits: { maxOldGenerationSizeMb: 64 } });
      const timer = setTimeout(() => {
        void worker.terminate();
        resolve([`endpoints: checking the JSON Schemas took longer than ${this.o.schemaTimeoutMs ?? 5_000} ms (a pattern that backtracks?)`]);
      }, this.o.schemaTimeoutMs ?? 5_000);
      worker.once("message", (message: { problems: string[] }) => {
        clearTimeout(timer);
        void worker.terminate();
        resolve(message.problems);
      });
      worker.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Every example answered, with output that fits its schema and, where documented, equals it. */
  private async checkRuns(m: SkillManifest, runs: ExampleRun[]): Promise<void> {
    // One worker checks every answer against its endpoint's output schema; the runs are then
    // judged in order, so the first failing example is the one reported.
    const schemas = Object.fromEntries(Object.entries(m.endpoints).map(([name, e]) => [name, e.output]));
    const problems = await this.validate(
      schemas,
      runs.flatMap((run, i) => (run.outcome === "ok" ? [{ schema: run.endpoint, value: run.output, path: `run${i}:output` }] : [])),
    );
    runs.forEach((run, i) => {
      const example = m.endpoints[run.endpoint]!.examples.find((x) => x.title === run.title);
      const failed = (why: string) =>
        new DomainError("example_failed", `the example "${run.title}" of ${run.endpoint} ${why}`, {
          endpoint: run.endpoint,
          title: run.title,
          input: run.input,
          outcome: run.outcome,
          output: run.output,
          stderr: run.stderr,
        });
      if (run.outcome !== "ok") throw failed(`did not answer: ${run.message ?? run.outcome}`);
      const own = problems.filter((p) => p.startsWith(`run${i}:`)).map((p) => p.slice(`run${i}:`.length));
      if (own.length > 0) throw failed(`answered output that does not fit its schema: ${own.join("; ")}`);
      if (example?.output !== undefined && !isDeepStrictEqual(run.output, example.output)) throw failed("answered something else than its documented output");
    });
  }

  /** The skill as the chain has it, if it exists; a new version must be above the current and any pending one. */
  private async existing(skill: string, m: SkillManifest) {
    if (m.pricing.currency !== "SOL" && !(await fetchAccount(this.o.connection, "currency", currencyPda(new PublicKey(m.pricing.currency)), COMMITMENT))) {
      throw new DomainError("invalid_manifest", `${MANIFEST_FILE} has 1 problem(s)`, {
        problems: [`pricing.currency: ${m.pricing.currency} is not a currency this marketplace accepts (the admin adds currencies with add_currency)`],
      });
    }
    const account = await fetchAccount(this.o.connection, "skill", new PublicKey(skill), COMMITMENT);
    if (!account) {
      const agent = await this.o.connection.getAccountInfo(agentPda(new PublicKey(m.publisher)), COMMITMENT);
      if (!agent) throw new DomainError("forbidden", `${m.publisher} has no agent profile on chain: register it (POST /api/v1/agents/register) before publishing`);
      return null;
    }
    const wanted = semver(m.version);
    const current = account.pendingVersion?.version ?? account.version;
    const value = (v: { major: number; minor: number; patch: number }) => v.major * 2 ** 32 + v.minor * 2 ** 16 + v.patch;
    if (value(wanted) <= value(current)) {
      throw new DomainError("version_not_newer", `version ${m.version} is not above ${semverText(current)}, the skill's ${account.pendingVersion ? "pending" : "current"} version: raise it in ${MANIFEST_FILE}`);
    }
    const kind = Object.keys(account.pricing)[0];
    if (kind !== m.pricing.kind) throw new DomainError("invalid_manifest", `${MANIFEST_FILE} has 1 problem(s)`, { problems: [`pricing.kind: the skill sells ${kind} licenses; a version cannot change that`] });
    return account;
  }

  private async transaction(m: SkillManifest, existing: Awaited<ReturnType<Publishing["existing"]>>, docsCid: string, commitSha: string, imageDigest: string) {
    const author = new PublicKey(m.publisher);
    const prov = provenance(docsCid, commitSha, imageDigest);
    const instruction = existing
      ? await updateSkill(this.program, { author, slug: m.slug, version: semver(m.version), provenance: prov, price: BigInt(m.pricing.price), category: m.category }).instruction()
      : await registerSkill(this.program, {
          author,
          slug: m.slug,
          version: semver(m.version),
          category: m.category,
          pricing: m.pricing.kind === "usage" ? pricingOf.usage(m.pricing.unitsPerPurchase) : m.pricing.kind === "subscription" ? pricingOf.subscription(m.pricing.intervalSecs) : pricingOf.oneTime(),
          price: BigInt(m.pricing.price),
          provenance: prov,
          currencyMint: m.pricing.currency === "SOL" ? undefined : new PublicKey(m.pricing.currency),
        }).instruction();
    const { blockhash, lastValidBlockHeight } = await this.o.connection.getLatestBlockhash(COMMITMENT);
    return {
      action: existing ? ("update_skill" as const) : ("register_skill" as const),
      skill: skillPda(author, m.slug).toBase58(),
      transaction: unsignedTransaction(author, [instruction], blockhash),
      lastValidBlockHeight,
      docsCid,
      commitSha,
      imageDigest,
    };
  }
}

export function jobView(job: JobRow) {
  return {
    id: job.id,
    status: job.status as "queued" | "running" | "ready" | "failed",
    repo: job.repo,
    ref: job.ref,
    commitSha: job.commitSha,
    skill: job.skill,
    version: job.version,
    steps: job.steps as unknown as Step[],
    findings: (job.findings as unknown as Finding[] | null) ?? [],
    result: job.result as null | { action: "register_skill" | "update_skill"; skill: string; transaction: string; lastValidBlockHeight: number; docsCid: string; commitSha: string; imageDigest: string },
    error: job.error as null | { code: string; message: string; details?: unknown },
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}

