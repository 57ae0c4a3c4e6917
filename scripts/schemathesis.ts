// Property-based run of Schemathesis (from PyPI) against the api's served OpenAPI document, on a
// real stack (localnet, indexer, scratch database, Redis) holding what a new user finds there: two
// sellers' skills, a buyer agent with a license, whose key makes the calls so authenticated
// operations are exercised too. Every check runs (SCHEMATHESIS_CHECKS narrows them), through the
// examples, coverage, fuzzing and stateful phases (the document's links say how answers lead to
// the next request); the hooks (schemathesis_hooks.py) say how to make a valid public key and
// which cursors are real. Passes when Schemathesis reports no failure.
import { Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import { pricing } from "@skill-marketplace/sdk";
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { bearer, registerAgent, startApi, type TestApi } from "../tests/helpers/api.js";
import { waitUntil } from "../tests/helpers/indexer.js";
import { airdrop, fundedActor, registerAgentFor, registerSkillFor, statusAt } from "../tests/helpers/marketplace.js";

/** Two sellers' skills, indexed; a buyer agent holding a license to the first; returns the buyer's key. */
async function seed(api: TestApi): Promise<{ buyerKey: () => Promise<string> }> {
  const skills: PublicKey[] = [];
  for (const [name, slug, price] of [["weather-seller", "weather-now", pricing.subscription(86_400)], ["text-seller", "text-stats", pricing.usage(100)]] as const) {
    const seller = await fundedActor(api.chain.connection, 5);
    await registerAgentFor(seller, name);
    skills.push((await registerSkillFor(seller, { slug, pricing: price, price: 1_000_000n })).address);
  }
  await waitUntil("the skills indexed", async () => {
    const res = await api.http.get("/api/v1/skills").expect(200);
    return res.body.skills.length === skills.length ? true : undefined;
  });
  const buyerKey = async () => {
    const buyer = Keypair.generate();
    await airdrop(api.chain.connection, buyer.publicKey, LAMPORTS_PER_SOL);
    const { apiKey } = await registerAgent(api, buyer);
    const built = await api.http.post("/api/v1/marketplace/purchase").set(bearer(apiKey)).send({ skillId: skills[0]!.toBase58() }).expect(201);
    const tx = Transaction.from(Buffer.from(built.body.transaction, "base64"));
    tx.partialSign(buyer);
    await statusAt(api.chain.connection, await api.chain.connection.sendRawTransaction(tx.serialize()), "confirmed");
    return apiKey;
  };
  return { buyerKey };
}

const binary = process.argv[2] ?? "schemathesis";
async function run(base: string, apiKey: string, filter: string[]): Promise<number> {
  // Asynchronous: the api answering schemathesis runs in this very process.
  const child = spawn(
    binary,
    [
      "run", `${base}/api/v1/openapi.json`,
      "--url", base,
      "--checks", process.env.SCHEMATHESIS_CHECKS ?? "all",
      "--max-examples", process.env.SCHEMATHESIS_EXAMPLES ?? "25",
      "--header", `Authorization: Bearer ${apiKey}`,
      "--seed", "1",
      "--no-color",
      ...filter,
    ],
    { stdio: "inherit", env: { ...process.env, SCHEMATHESIS_HOOKS: new URL("./schemathesis_hooks.py", import.meta.url).pathname } },
  );
  return new Promise<number>((resolve) => {
    child.once("exit", (code) => resolve(code ?? 1));
    child.once("error", () => resolve(127));
  });
}

const api = await startApi({ RATE_LIMIT_PER_IP: "1000000", RATE_LIMIT_PER_KEY: "1000000" }, { indexer: true });
let status = 1;
let rest = -1;
let keys = -1;
try {
  const server = api.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Two runs with their own agents: key management (which may revoke the key making the call)
  // apart, so it cannot lock the other run out of every authenticated operation.
  const keyPaths = "^/api/v1/agents/me/keys";
  const { buyerKey } = await seed(api);
  rest = await run(base, await buyerKey(), ["--exclude-path-regex", keyPaths]);
  keys = await run(base, await buyerKey(), ["--include-path-regex", keyPaths]);
  status = rest === 0 && keys === 0 ? 0 : 1;
  server.close();
  console.log(status === 0 ? "check passed: schemathesis found no failure (all checks, every phase)" : `check failed: schemathesis exited with ${rest}/${keys}`);
} finally {
  await api.stop();
}
process.exit(status);
