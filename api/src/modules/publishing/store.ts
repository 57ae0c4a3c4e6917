// Publishing's tables: jobs (steps, outcome, a lease that keeps a job from hanging when its
// runner dies) and the scan report of each skill image.
import { Prisma, type PrismaClient } from "@skill-marketplace/db";
import type { Finding } from "./scan.js";

export const STEPS = ["resolve", "manifest", "scan", "build", "examples", "docs", "transaction"] as const;
export type StepName = (typeof STEPS)[number];

export interface Step {
  name: StepName;
  status: "waiting" | "running" | "done" | "failed";
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  detail: string | null;
}

export type JobRow = Awaited<ReturnType<PrismaClient["publishJob"]["findUniqueOrThrow"]>>;

/** How long a running job may go without its runner renewing the lease. */
export const LEASE_MS = 120_000;

export class PublishStore {
  constructor(private readonly db: PrismaClient) {}

  create(id: string, publisher: string, repo: string, ref: string): Promise<JobRow> {
    const steps: Step[] = STEPS.map((name) => ({ name, status: "waiting", startedAt: null, endedAt: null, durationMs: null, detail: null }));
    return this.db.publishJob.create({
      data: { id, publisher, repo, ref, status: "queued", steps: steps as unknown as Prisma.InputJsonValue, leaseUntil: new Date(Date.now() + LEASE_MS) },
    });
  }

  get(id: string): Promise<JobRow | null> {
    return this.db.publishJob.findUnique({ where: { id } });
  }

  /** Updates a job the runner holds, renewing its lease. */
  update(id: string, data: Omit<Prisma.PublishJobUpdateInput, "leaseUntil" | "updatedAt">): Promise<JobRow> {
    return this.db.publishJob.update({ where: { id }, data: { ...data, leaseUntil: new Date(Date.now() + LEASE_MS), updatedAt: new Date() } });
  }

  /**
   * Jobs whose runner went away (a restart, a crash) end as failed, with the step they were at;
   * returns the images such jobs had built, for the caller to remove (nobody will sign them).
   */
  async sweep(): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ image_digest: string | null }[]>`
      UPDATE publish_jobs
      SET status = 'failed',
          error = ${JSON.stringify({ code: "interrupted", message: "the marketplace stopped while this job ran; publish again" })}::jsonb,
          updated_at = now()
      WHERE status IN ('queued', 'running') AND lease_until < now()
      RETURNING image_digest`;
    return rows.flatMap((r) => (r.image_digest ? [r.image_digest] : []));
  }

  /** Forgets an image a failed job had built, once it is removed. */
  async forgetImage(imageDigest: string): Promise<void> {
    await this.db.publishJob.updateMany({ where: { imageDigest, status: "failed" }, data: { imageDigest: null } });
  }

  /** Jobs of a publisher that are still running (a publisher runs a few at a time). */
  running(publisher: string): Promise<number> {
    return this.db.publishJob.count({ where: { publisher, status: { in: ["queued", "running"] }, leaseUntil: { gte: new Date() } } });
  }

  async saveScan(scan: { skill: string; imageDigest: string; commitSha: string; version: string; repo: string; findings: Finding[] }): Promise<void> {
    const findings = scan.findings as unknown as Prisma.InputJsonValue;
    await this.db.skillScan.upsert({
      where: { skill_imageDigest: { skill: scan.skill, imageDigest: scan.imageDigest } },
      create: { ...scan, findings },
      update: { commitSha: scan.commitSha, version: scan.version, repo: scan.repo, findings, scannedAt: new Date() },
    });
  }

  scanOf(skill: string, imageDigest: string) {
    return this.db.skillScan.findUnique({ where: { skill_imageDigest: { skill, imageDigest } } });
  }
}
