"use client";
// Try a skill you hold, from its page: a form made from the endpoint's input schema (its simple fields; a JSON
// box for anything else), one call with a license token the wallet signs (the sdk's licenseToken, the same the
// executor checks), and the answer with its signed receipt.
import { useWallet } from "@solana/wallet-adapter-react";
import { encodeLicenseToken, licenseTokenClaims, licenseTokenMessage } from "@skill-marketplace/sdk/licenseToken";
import type { SkillEndpoint } from "@skill-marketplace/sdk/skillApi";
import { useEffect, useState, type FormEvent } from "react";
import { call, explain, useEndpoints, useSession } from "../../wallet";

type Field = { name: string; type: "string" | "number" | "integer" | "boolean"; required: boolean; description?: string };
type Receipt = { id: string; units: number; durationMs: number; exitStatus: string; signature: string; meter: string };
type Answer = { result: unknown; usage: { units: number; durationMs: number; receipt: Receipt } };

/** The form fields of an object schema whose properties are all simple; null when the schema needs the JSON box. */
function fieldsOf(schema: Record<string, unknown>): Field[] | null {
  if (schema.type !== "object" || typeof schema.properties !== "object" || schema.properties === null) return null;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields: Field[] = [];
  for (const [name, value] of Object.entries(schema.properties as Record<string, Record<string, unknown>>)) {
    const type = value?.type;
    if (type !== "string" && type !== "number" && type !== "integer" && type !== "boolean") return null;
    fields.push({ name, type, required: required.has(name), description: typeof value.description === "string" ? value.description.slice(0, 200) : undefined });
  }
  return fields;
}

export default function TryIt({ skillId, endpoints, audience }: { skillId: string; endpoints: SkillEndpoint[]; audience: string }) {
  const { apiUrl } = useEndpoints();
  const { publicKey, signMessage, connected } = useWallet();
  const { session, signIn } = useSession();
  const [license, setLicense] = useState<{ address: string; unitsLeft: string | null } | null | undefined>(undefined);
  const [endpoint, setEndpoint] = useState(endpoints[0]?.name ?? "");
  const [running, setRunning] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!session) return setLicense(undefined);
    call<{ valid: boolean; license: { address: string; unitsLeft: string | null } | null }>(apiUrl, `/marketplace/verify/${skillId}`, { key: session.apiKey })
      .then((v) => setLicense(v.valid ? v.license : null))
      .catch(() => setLicense(null));
  }, [apiUrl, skillId, session, answer]);

  if (endpoints.length === 0 || !connected || !publicKey) return null;
  const chosen = endpoints.find((e) => e.name === endpoint) ?? endpoints[0]!;
  const fields = fieldsOf(chosen.input);

  const run = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!session || !license || !signMessage) return;
    setRunning(true);
    setError(null);
    setAnswer(null);
    try {
      const form = new FormData(event.currentTarget);
      let payload: unknown;
      if (fields) {
        const values: Record<string, unknown> = {};
        for (const f of fields) {
          const raw = form.get(f.name);
          if (f.type === "boolean") values[f.name] = raw === "on";
          else if (raw === null || raw === "") continue;
          else if (f.type === "string") values[f.name] = String(raw);
          else {
            const n = Number(raw);
            if (!Number.isFinite(n) || (f.type === "integer" && !Number.isInteger(n))) throw new Error(`${f.name} must be ${f.type === "integer" ? "a whole number" : "a number"}`);
            values[f.name] = n;
          }
        }
        payload = values;
      } else {
        try {
          payload = JSON.parse(String(form.get("payload") ?? "{}"));
        } catch {
          throw new Error("the input is not valid JSON");
        }
      }
      const claims = licenseTokenClaims({ license: license.address, skill: skillId, holder: publicKey.toBase58(), audience });
      const token = encodeLicenseToken(claims, await signMessage(licenseTokenMessage(claims)));
      setAnswer(await call<Answer>(apiUrl, `/skills/${skillId}/execute`, { body: { endpoint: chosen.name, payload }, key: session.apiKey, headers: { "x-license-token": token } }));
    } catch (e) {
      const text = (e as Error).message ?? "";
      setError(/reject|declin|denied|cancel/i.test(text) ? "You declined in your wallet: nothing ran." : explain(e));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="card" aria-labelledby="try-heading">
      <h2 id="try-heading">Try it</h2>
      {!session ? (
        <>
          <p className="muted">Sign in to run this skill with your license (your wallet signs a message; nothing is paid).</p>
          <button type="button" onClick={() => void signIn().catch((e) => setError(explain(e)))}>
            Sign in to try it
          </button>
        </>
      ) : license === undefined ? (
        <p className="muted">Looking for your license…</p>
      ) : license === null ? (
        <p className="muted">You hold no valid license to this skill: buy one above to try it.</p>
      ) : (
        <form onSubmit={(e) => void run(e)}>
          <label>
            Endpoint
            <select value={chosen.name} onChange={(e) => setEndpoint(e.target.value)}>
              {endpoints.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name}: {e.summary}
                </option>
              ))}
            </select>
          </label>
          {fields ? (
            fields.map((f) => (
              <label key={`${chosen.name}.${f.name}`}>
                {f.name}
                {f.required ? " (required)" : ""}
                {f.type === "boolean" ? (
                  <input type="checkbox" name={f.name} />
                ) : f.type === "string" ? (
                  <textarea name={f.name} required={f.required} rows={3} />
                ) : (
                  <input name={f.name} inputMode="decimal" required={f.required} />
                )}
                {f.description ? <span className="muted">{f.description}</span> : null}
              </label>
            ))
          ) : (
            <label>
              Input (JSON)
              <textarea name="payload" rows={6} defaultValue="{}" />
            </label>
          )}
          <p>
            <button type="submit" disabled={running}>
              {running ? "Running…" : `Run ${chosen.name}`}
            </button>{" "}
            {license.unitsLeft !== null ? <span className="muted">{license.unitsLeft} calls left</span> : null}
          </p>
        </form>
      )}
      <div aria-live="polite">
        {error ? (
          <p className="notice error" role="alert">
            {error}
          </p>
        ) : null}
        {answer ? (
          <div role="status">
            <p>Output</p>
            <pre className="json" aria-label="Output">
              {JSON.stringify(answer.result, null, 2)}
            </pre>
            <p className="muted">
              Receipt <code>{answer.usage.receipt.id}</code>: {answer.usage.units} unit, {answer.usage.durationMs} ms, {answer.usage.receipt.exitStatus}, signed by the meter{" "}
              <code>{answer.usage.receipt.meter.slice(0, 8)}…</code>
            </p>
          </div>
        ) : null}
      </div>
    </section>
  );
}
