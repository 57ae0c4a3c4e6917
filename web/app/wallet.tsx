"use client";
// The wallet side of the web app, for the pages that need one: the wallet adapter over wallet-standard wallets
// (the cluster's RPC node for sending), the api as browsers reach it, and a signed-in session: the wallet signs
// the api's sign-in message and the api's key for it lives in this tab only (sessionStorage), revoked on sign-out.
import { ConnectionProvider, useConnection, useWallet, WalletProvider } from "@solana/wallet-adapter-react";
import { VersionedTransaction } from "@solana/web3.js";
import { awaitLanding } from "@skill-marketplace/sdk/landing";
import { WalletReadyState } from "@solana/wallet-adapter-base";
import bs58 from "bs58";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

export interface Endpoints {
  apiUrl: string;
  rpcUrl: string;
}

const EndpointsContext = createContext<Endpoints>({ apiUrl: "", rpcUrl: "" });
export const useEndpoints = () => useContext(EndpointsContext);

export function WalletShell({ apiUrl, rpcUrl, children }: Endpoints & { children: ReactNode }) {
  return (
    <EndpointsContext.Provider value={{ apiUrl, rpcUrl }}>
      <ConnectionProvider endpoint={rpcUrl} config={{ commitment: "confirmed" }}>
        <WalletProvider wallets={[]} autoConnect onError={() => undefined}>
          <SessionProvider>{children}</SessionProvider>
        </WalletProvider>
      </ConnectionProvider>
    </EndpointsContext.Provider>
  );
}

export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: string | null,
  ) {
    super(message);
  }
}

/** One api call from the browser; errors in the api's shape become ApiRefusal. */
export async function call<T>(apiUrl: string, path: string, o: { body?: unknown; key?: string; method?: string; headers?: Record<string, string> } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/api/v1${path}`, {
      method: o.method ?? (o.body === undefined ? "GET" : "POST"),
      headers: { ...(o.body === undefined ? {} : { "content-type": "application/json" }), ...(o.key ? { authorization: `Bearer ${o.key}` } : {}), ...o.headers },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  } catch {
    throw new ApiRefusal(0, "unreachable", "the marketplace cannot be reached: check your connection and try again", null);
  }
  if (response.status === 204) return undefined as T;
  const answer = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) throw new ApiRefusal(response.status, answer?.error?.code ?? "error", answer?.error?.message ?? `the marketplace answered ${response.status}`, response.headers.get("retry-after"));
  return answer as T;
}

/** What went wrong, in a person's words. */
export function explain(error: unknown): string {
  if (error instanceof ApiRefusal) {
    if (error.code === "rate_limited") return `Too many requests just now: wait ${error.retryAfter ?? "a few"} seconds and try again.`;
    if (error.code === "skill_suspended") return "The marketplace has suspended this skill: it cannot be bought now.";
    if (error.code === "skill_inactive") return "The seller has stopped selling this skill.";
    if (error.code === "too_many_keys") return "This wallet holds the most API keys it may: sign out of another session (or revoke a key) first.";
    if (error.status === 410) return "This payment link has expired: start the purchase again.";
    if (error.status === 401) return "Your session has ended: sign in again.";
    return `The marketplace refused: ${error.message}`;
  }
  const e = error as { name?: string; message?: string; error?: { message?: string } };
  const text = `${e.message ?? ""} ${e.error?.message ?? ""}`;
  if (/reject|declin|denied|cancel/i.test(text)) return "You declined in your wallet: nothing was paid.";
  if (/insufficient|debit an account|no record of a prior credit|0x1\b/i.test(text)) return "Your wallet does not hold enough to pay for this license (and its network fee): nothing was paid.";
  if (/blockhash/i.test(text)) return "The transaction took too long to sign and expired: nothing was paid. Try again.";
  return `That did not go through: ${e.message ?? String(error)}`;
}

/** Connect buttons for the wallets this browser has (none during the server's paint and hydration). */
export function ConnectButtons({ busy = false }: { busy?: boolean }) {
  const { wallets, select, connecting } = useWallet();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) return <p className="muted">Looking for a wallet in this browser…</p>;
  const installed = wallets.filter((w) => w.readyState === WalletReadyState.Installed || w.readyState === WalletReadyState.Loadable);
  if (installed.length === 0) return <p className="muted">No Solana wallet in this browser: install one to continue.</p>;
  return (
    <div className="actions">
      {installed.map((w) => (
        <button key={w.adapter.name} type="button" onClick={() => select(w.adapter.name)} disabled={busy || connecting}>
          Connect {w.adapter.name}
        </button>
      ))}
    </div>
  );
}

type Session = { wallet: string; apiKey: string; keyId: string };
const SESSION = "skill-marketplace/session";

type SessionApi = { session: Session | null; signIn: () => Promise<Session>; signOut: () => Promise<void>; canSign: boolean };
const SessionContext = createContext<SessionApi | null>(null);

/** The signed-in session of the connected wallet, one for everything under the shell: sign in (the wallet signs the api's message), sign out. */
function SessionProvider({ children }: { children: ReactNode }) {
  const { apiUrl } = useEndpoints();
  const { publicKey, signMessage } = useWallet();
  const [session, setSession] = useState<Session | null>(null);
  const wallet = publicKey?.toBase58() ?? null;

  useEffect(() => {
    const kept = JSON.parse(sessionStorage.getItem(SESSION) ?? "null") as Session | null;
    setSession(kept && kept.wallet === wallet ? kept : null);
  }, [wallet]);

  const signIn = useCallback(async () => {
    if (!wallet || !signMessage) throw new Error("this wallet cannot sign messages");
    const { message } = await call<{ message: string }>(apiUrl, "/agents/nonce", { body: { wallet } });
    const signature = bs58.encode(await signMessage(new TextEncoder().encode(message)));
    const issued = await call<{ apiKey: string; key: { id: string } }>(apiUrl, "/agents", { body: { wallet, message, signature, label: "web" } });
    const next = { wallet, apiKey: issued.apiKey, keyId: issued.key.id };
    sessionStorage.setItem(SESSION, JSON.stringify(next));
    setSession(next);
    return next;
  }, [apiUrl, wallet, signMessage]);

  const signOut = useCallback(async () => {
    if (session) await call(apiUrl, `/agents/me/keys/${session.keyId}`, { method: "DELETE", key: session.apiKey }).catch(() => undefined);
    sessionStorage.removeItem(SESSION);
    setSession(null);
  }, [apiUrl, session]);

  return <SessionContext.Provider value={{ session, signIn, signOut, canSign: Boolean(signMessage) }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error("useSession needs a WalletShell");
  return api;
}

/** A transaction the api made (base64 wire bytes, only the wallet's signature missing). */
export const transactionOf = (base64: string) => VersionedTransaction.deserialize(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));

/**
 * Has the wallet sign and send a transaction the api made; `send` answers its signature at once, `sendAndLand`
 * once the cluster confirmed it (the sdk's awaitLanding), throwing when it failed or expired unseen.
 */
export function useSend() {
  const { sendTransaction } = useWallet();
  const { connection } = useConnection();
  const send = useCallback((base64: string) => sendTransaction(transactionOf(base64), connection), [sendTransaction, connection]);
  const sendAndLand = useCallback(
    async (base64: string, what: string) => {
      const tx = transactionOf(base64);
      const signature = await sendTransaction(tx, connection);
      const landing = await awaitLanding(connection, signature, tx.message.recentBlockhash);
      if (!landing.landed) throw new Error(`${what} expired before it landed: nothing changed, try again`);
      if (landing.err) throw new Error(`${what} failed on chain: ${JSON.stringify(landing.err)}`);
      return signature;
    },
    [sendTransaction, connection],
  );
  return { send, sendAndLand };
}

/** Sign in with the connected wallet: why, the button, and what went wrong (a decline in words). */
export function SignInCard({ why }: { why: ReactNode }) {
  const { wallet } = useWallet();
  const { signIn, canSign } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card">
      <p>{why}</p>
      {canSign ? (
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await signIn();
              setError(null);
            } catch (e) {
              setError(/reject|declin|denied|cancel/i.test((e as Error).message ?? "") ? "You declined to sign in: nothing was shared." : explain(e));
            } finally {
              setBusy(false);
            }
          }}
        >
          Sign in with {wallet?.adapter.name}
        </button>
      ) : (
        <p className="notice">This wallet cannot sign messages, so it cannot sign in here.</p>
      )}
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
