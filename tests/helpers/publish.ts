// A publishing job's result as a seller finishes it: sign the transaction, send it, and wait until
// discovery shows the skill (the indexer has seen it). Shared by the publishing suite and bench:agents.
import { Keypair, VersionedTransaction } from "@solana/web3.js";
import type { TestApi } from "./api.js";

export async function signPublished(api: TestApi, seller: Keypair, result: { transaction: string; skill: string }): Promise<string> {
  const tx = VersionedTransaction.deserialize(Buffer.from(result.transaction, "base64"));
  tx.sign([seller]);
  await api.chain.connection.confirmTransaction(await api.chain.connection.sendRawTransaction(tx.serialize()), "confirmed");
  for (let i = 0; i < 100; i++) {
    if ((await api.http.get(`/api/v1/skills/${result.skill}`)).status === 200) return result.skill;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${result.skill} was not indexed`);
}
