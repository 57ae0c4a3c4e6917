// `skill-marketplace publish <repo> --ref <ref>`: signs in with a keypair file, starts a
// publishing job, shows every step as it runs, and signs and sends the transaction it returns.
// Every step's outcome is printed as it happens; a failure prints its code, its message and what
// to fix (each manifest problem, each blocking finding, the failing example) and exits non-zero.
import { Connection, Keypair, VersionedTransaction } from "@solana/web3.js";
import { MarketplaceClient, type PublishJob } from "@skill-marketplace/mcp";
import { awaitLanding } from "@skill-marketplace/sdk";

export interface PublishOptions {
  repo: string;
  ref: string;
  apiUrl: string;
  rpcUrl: string;
  keypair: Keypair;
  /** Where the step lines go (a terminal gets a live bar on the running step). */
  out?: NodeJS.WriteStream | { write(text: string): boolean; isTTY?: boolean };
  pollMs?: number;
  /** Sign and send the transaction (default); false prints it for another signer. */
  send?: boolean;
}

const MARK = { done: "✓", failed: "✗", running: "…", waiting: " " } as const;

export async function publish(o: PublishOptions): Promise<{ job: PublishJob; signature: string | null }> {
  const out = o.out ?? process.stdout;
  const client = new MarketplaceClient(o.apiUrl);
  await client.signIn(o.keypair);
  out.write(`signed in as ${o.keypair.publicKey.toBase58()}\n`);
  let job = await client.startPublish(o.repo, o.ref);
  out.write(`publishing ${o.repo} at ${o.ref} (job ${job.id})\n`);
  const printed = new Set<string>();
  const live = Boolean(out.isTTY);
  for (;;) {
    for (const step of job.steps) {
      const key = `${step.name}:${step.status}`;
      if (printed.has(key) || step.status === "waiting") continue;
      if (step.status === "running") {
        if (live) out.write(`\r${bar(job)} ${step.name}…`);
        printed.add(key);
        continue;
      }
      printed.add(key);
      out.write(`${live ? "\r\x1b[2K" : ""}${MARK[step.status]} ${step.name.padEnd(12)} ${step.durationMs ?? 0} ms  ${step.detail ?? ""}\n`);
    }
    if (job.status === "ready" || job.status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, o.pollMs ?? 300));
    job = await client.job(job.id);
  }
  for (const f of job.findings) out.write(`  finding ${f.severity} ${f.rule} ${f.file}:${f.line}  ${f.excerpt}\n`);
  if (job.status === "failed") {
    out.write(`failed: ${job.error!.code}: ${job.error!.message}\n`);
    for (const line of explain(job.error!)) out.write(`  ${line}\n`);
    return { job, signature: null };
  }
  const result = job.result!;
  out.write(`${result.action} for skill ${result.skill} (commit ${result.commitSha}, image sha256:${result.imageDigest}, docs ipfs://${result.docsCid})\n`);
  if (o.send === false) {
    out.write(`unsigned transaction (base64):\n${result.transaction}\n`);
    return { job, signature: null };
  }
  const connection = new Connection(o.rpcUrl, "confirmed");
  const transaction = VersionedTransaction.deserialize(Buffer.from(result.transaction, "base64"));
  transaction.sign([o.keypair]);
  const raw = transaction.serialize();
  const signature = await connection.sendRawTransaction(raw);
  // Followed until it lands or its blockhash has expired unseen (sent again meanwhile: nodes drop transactions under load).
  const landing = await awaitLanding(connection, signature, transaction.message.recentBlockhash, { raw });
  if (!landing.landed) throw new Error(`the transaction ${signature} expired before it landed: nothing was listed; publish again`);
  if (landing.err) throw new Error(`the transaction ${signature} failed on chain: ${JSON.stringify(landing.err)}`);
  out.write(`✓ signed and sent: ${signature}\n  the skill is listed at ${o.apiUrl.replace(/\/$/, "")}/api/v1/skills/${result.skill} once the indexer has seen it\n`);
  return { job, signature };
}

function bar(job: PublishJob): string {
  const done = job.steps.filter((s) => s.status === "done").length;
  return `[${"#".repeat(done)}${"-".repeat(job.steps.length - done)}]`;
}

/** What to do about a failure, line by line. */
function explain(error: NonNullable<PublishJob["error"]>): string[] {
  const d = (error.details ?? {}) as Record<string, unknown>;
  if (Array.isArray(d.problems)) return d.problems.map(String);
  if (Array.isArray(d.findings)) {
    return (d.findings as { severity: string; rule: string; file: string; line: number; message: string }[])
      .filter((f) => f.severity === "block")
      .map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`);
  }
  if (d.title !== undefined) {
    return [`example "${String(d.title)}" of ${String(d.endpoint)}: ${String(d.outcome)}`, `output: ${JSON.stringify(d.output)}`, ...(d.stderr ? [`stderr: ${String(d.stderr).trim().slice(-500)}`] : [])];
  }
  if (typeof d.log === "string") return d.log.trim().split("\n").slice(-15);
  return [];
}
