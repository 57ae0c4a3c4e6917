"use client";
// Publish a skill from a repository: the api's publishing job (resolve → manifest → scan → build → examples →
// docs → transaction) shown step by step as it runs, then the register (or update) transaction the seller's
// wallet signs. Refusals come with the job's reason and, for a manifest, every problem with its path.
import Link from "next/link";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { call, explain, useEndpoints, useSend } from "../wallet";

type Step = { name: string; status: string; detail: string | null; durationMs?: number | null };
type Job = {
  id: string;
  status: "queued" | "running" | "ready" | "failed";
  steps: Step[];
  result: { action: string; skill: string; transaction: string } | null;
  error: { code: string; message: string; details?: { problems?: string[] } } | null;
};

export default function Publish({ apiKey, onPublished }: { apiKey: string; onPublished: () => void }) {
  const { apiUrl } = useEndpoints();
  const { sendAndLand } = useSend();
  const [job, setJob] = useState<Job | null>(null);
  const [phase, setPhase] = useState<{ step: "idle" | "working" | "done" | "error"; message?: string; skill?: string }>({ step: "idle" });
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setJob(null);
    setPhase({ step: "working", message: "Publishing…" });
    try {
      const started = await call<Job>(apiUrl, "/skills/publish", { body: { repo: String(form.get("repo")).trim(), ref: String(form.get("ref") || "main").trim() }, key: apiKey });
      let current = started;
      setJob(current);
      while (alive.current && (current.status === "queued" || current.status === "running")) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        current = await call<Job>(apiUrl, `/publish/${started.id}`, { key: apiKey });
        setJob(current);
      }
      if (current.status === "failed") {
        const problems = current.error?.details?.problems;
        return setPhase({ step: "error", message: `Publishing stopped: ${current.error?.message ?? "the job failed"}${problems?.length ? ` (${problems.join("; ")})` : ""}` });
      }
      if (!current.result) return setPhase({ step: "error", message: "Publishing ended without a transaction" });
      setPhase({ step: "working", message: "Approve the listing in your wallet; it is then listed on chain…" });
      await sendAndLand(current.result.transaction, "the listing");
      setPhase({ step: "done", skill: current.result.skill, message: current.result.action === "update_skill" ? "Updated: the new version applies after the marketplace's notice period." : "Published: buyers can find it now." });
      onPublished();
    } catch (error) {
      const text = (error as Error).message ?? "";
      setPhase({ step: "error", message: /reject|declin|denied|cancel/i.test(text) ? "You declined in your wallet: the skill was built but not listed." : explain(error) });
    }
  };

  return (
    <section className="card" aria-labelledby="publish-heading">
      <h2 id="publish-heading">Publish a skill</h2>
      <form onSubmit={(e) => void submit(e)} className="filters">
        <label className="search">
          Repository (GitHub https URL, or a git URL the marketplace may read)
          <input name="repo" required placeholder="https://github.com/you/your-skill" />
        </label>
        <label>
          Ref (branch, tag or commit)
          <input name="ref" defaultValue="main" />
        </label>
        <button type="submit" disabled={phase.step === "working"}>
          Publish
        </button>
      </form>
      {job ? (
        <ol className="steps" aria-label="Publishing steps">
          {job.steps.map((s) => (
            <li key={s.name} data-status={s.status}>
              <strong>{s.name}</strong>: {s.status}
              {s.detail ? <span className="muted"> — {s.detail}</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      <div aria-live="polite">
        {phase.step === "working" ? <p>{phase.message}</p> : null}
        {phase.step === "done" ? (
          <p className="notice good" role="status">
            {phase.message} <Link href={`/skills/${phase.skill}`}>See its page</Link>.
          </p>
        ) : null}
        {phase.step === "error" ? (
          <p className="notice error" role="alert">
            {phase.message}
          </p>
        ) : null}
      </div>
    </section>
  );
}
