// Property-based run of Schemathesis (from PyPI) against the api's served OpenAPI document, on a
// real stack (localnet, scratch database, Redis) with a registered agent's key so authenticated
// operations are exercised too. Passes when no response is a server error (5xx).
import { Keypair } from "@solana/web3.js";
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { registerAgent, startApi } from "../tests/helpers/api.js";

const binary = process.argv[2] ?? "schemathesis";
async function run(base: string, apiKey: string, filter: string[]): Promise<number> {
  // Asynchronous: the api answering schemathesis runs in this very process.
  const child = spawn(
    binary,
    [
      "run", `${base}/api/v1/openapi.json`,
      "--url", base,
      "--checks", "not_a_server_error",
      "--max-examples", process.env.SCHEMATHESIS_EXAMPLES ?? "25",
      "--header", `Authorization: Bearer ${apiKey}`,
      "--seed", "1",
      "--no-color",
      ...filter,
    ],
    { stdio: "inherit" },
  );
  return new Promise<number>((resolve) => {
    child.once("exit", (code) => resolve(code ?? 1));
    child.once("error", () => resolve(127));
  });
}

const api = await startApi({ RATE_LIMIT_PER_IP: "1000000", RATE_LIMIT_PER_KEY: "1000000" });
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
  rest = await run(base, (await registerAgent(api, Keypair.generate())).apiKey, ["--exclude-path-regex", keyPaths]);
  keys = await run(base, (await registerAgent(api, Keypair.generate())).apiKey, ["--include-path-regex", keyPaths]);
  status = rest === 0 && keys === 0 ? 0 : 1;
  server.close();
  console.log(status === 0 ? "check passed: schemathesis found no server error" : `check failed: schemathesis exited with ${rest}/${keys}`);
} finally {
  await api.stop();
}
process.exit(status);
