"use client";
// Under each license: the receipts of its newest calls (each signature checked here, in the browser, and the
// Merkle proof of a settled one checked against its batch's root), and a review of the skill: a rating and a
// text the api stores on IPFS, posted by a transaction the wallet signs.
import { verifyMerkleProof, verifyReceiptSignature, type Receipt } from "@skill-marketplace/sdk/receipt";
import { useState } from "react";
import { short } from "../../lib/format";
import { call, explain, useEndpoints, useSend } from "../wallet";

type Signed = Receipt & { signature: string };
type Listed = { receipt: Signed; settlement: { status: "pending" | "landed" | "held"; transaction: string | null } };
type Proven = { receipt: Signed; settlement: { status: string; transaction: string | null; receiptsRoot: string | null; proof: { sibling: string; left: boolean }[] | null } };

const SETTLEMENT_WORDS = { pending: "not on chain yet", landed: "settled on chain", held: "held: its batch was refused on chain" } as const;

/** One receipt: what ran, whether the meter's signature holds, and (once settled) whether its proof leads to the batch's root. */
function ReceiptRow({ listed, apiKey }: { listed: Listed; apiKey: string }) {
  const { apiUrl } = useEndpoints();
  const { receipt, settlement } = listed;
  const signed = verifyReceiptSignature(receipt, receipt.signature);
  const [proof, setProof] = useState<string | null>(null);
  const check = async () => {
    try {
      setProof("Checking…");
      const { settlement: s } = await call<Proven>(apiUrl, `/receipts/${receipt.id}`, { key: apiKey });
      if (!s.proof || !s.receiptsRoot) return setProof("Not settled yet: no proof to check.");
      setProof(
        verifyMerkleProof(receipt, s.proof, s.receiptsRoot)
          ? `Proof holds: in the batch with root ${s.receiptsRoot.slice(0, 12)}…, recorded by transaction ${short(s.transaction ?? "")}.`
          : "The proof does NOT lead to the batch's root: keep this receipt and report it.",
      );
    } catch (error) {
      setProof(explain(error));
    }
  };
  return (
    <tr>
      <td>{new Date(receipt.time).toISOString().slice(0, 19).replace("T", " ")} UTC</td>
      <td>v{receipt.version}</td>
      <td>{receipt.units}</td>
      <td>{receipt.durationMs} ms</td>
      <td>{signed ? `signed by the meter ${short(receipt.meter)}` : "signature does NOT verify"}</td>
      <td>
        {SETTLEMENT_WORDS[settlement.status]}
        {settlement.status === "landed" && !receipt.payment ? (
          <>
            {" "}
            <button type="button" className="link" onClick={() => void check()}>
              Check its proof
            </button>
          </>
        ) : null}
        {proof ? (
          <span role="status" className="proof">
            {proof}
          </span>
        ) : null}
      </td>
    </tr>
  );
}

/** The newest calls under a license, loaded when opened. */
export function RecentCalls({ license, name, apiKey }: { license: string; name: string; apiKey: string }) {
  const { apiUrl } = useEndpoints();
  const [receipts, setReceipts] = useState<Listed[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      setReceipts((await call<{ receipts: Listed[] }>(apiUrl, `/agents/me/licenses/${license}/receipts?limit=10`, { key: apiKey })).receipts);
      setError(null);
    } catch (e) {
      setError(explain(e));
    }
  };
  return (
    <details onToggle={(e) => void ((e.currentTarget as HTMLDetailsElement).open && load())}>
      <summary>Recent calls of {name}</summary>
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : receipts === null ? (
        <p>Loading…</p>
      ) : receipts.length === 0 ? (
        <p className="muted">No calls under this license yet.</p>
      ) : (
        <div className="scroll">
          <table aria-label={`Receipts of the recent calls of ${name}`}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Version</th>
                <th scope="col">Units</th>
                <th scope="col">Ran</th>
                <th scope="col">Receipt</th>
                <th scope="col">Settlement</th>
              </tr>
            </thead>
            <tbody>
              {receipts.map((r) => (
                <ReceiptRow key={r.receipt.id} listed={r} apiKey={apiKey} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

/** Review a skill the wallet holds: the api stores the text and makes the transaction, the wallet signs it. */
export function ReviewForm({ skill, name, apiKey, onPosted }: { skill: string; name: string; apiKey: string; onPosted: (message: string) => void }) {
  const { apiUrl } = useEndpoints();
  const { sendAndLand } = useSend();
  const [rating, setRating] = useState(5);
  const [text, setText] = useState("");
  const [state, setState] = useState<{ step: "idle" | "working" | "error"; message?: string }>({ step: "idle" });
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      setState({ step: "working", message: "Approve the review in your wallet; it then lands on chain…" });
      const { action, transaction } = await call<{ action: "post" | "update"; transaction: string }>(apiUrl, `/skills/${skill}/reviews`, { body: { rating, text }, key: apiKey });
      await sendAndLand(transaction, "the review");
      setState({ step: "idle" });
      setText("");
      onPosted(`Your review of ${name} is ${action === "post" ? "posted" : "updated"}: ${rating} of 5 stars.`);
    } catch (error) {
      setState({ step: "error", message: explain(error) });
    }
  };
  return (
    <details>
      <summary>Review {name}</summary>
      <form onSubmit={(e) => void submit(e)} className="review-form">
        <fieldset>
          <legend>Your rating of {name}</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="inline">
              <input type="radio" name={`rating-${skill}`} value={n} checked={rating === n} onChange={() => setRating(n)} /> {n} ★
            </label>
          ))}
        </fieldset>
        <label>
          What you found (kept on IPFS, shown on the skill's page)
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} maxLength={4000} required />
        </label>
        <p>
          <button type="submit" disabled={state.step === "working"}>
            Post the review
          </button>
        </p>
        <div aria-live="polite">
          {state.step === "working" ? <p>{state.message}</p> : null}
          {state.step === "error" ? (
            <p className="notice error" role="alert">
              {state.message}
            </p>
          ) : null}
        </div>
      </form>
    </details>
  );
}
