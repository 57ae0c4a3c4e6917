// Property-based run of Schemathesis (from PyPI) against the api's served OpenAPI document, on a
// real stack (localnet, scratch database, Redis) with a registered agent's key so authenticated
// operations are exercised too. Passes when no response is a server error (5xx).
import { Keypair } from "@solana/web3.js";
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { registerAgent, startApi } from "../tests/helpers/api.js";

const binary = process.argv[2] ?? "schemathesis";
const api = await startApi({ RATE_LIMIT_PER_IP: "1000000", RATE_LIMIT_PER_KEY: "1000000" });
let status = 1;
try {
  const { apiKey } = await registerAgent(api, Keypair.generate());
  const server = api.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    ],
    { stdio: "inherit" },
  );
  status = await new Promise<number>((resolve) => {
    child.once("exit", (code) => resolve(code ?? 1));
    child.once("error", () => resolve(127));
  });
  server.close();
  console.log(status === 0 ? "check passed: schemathesis found no server error" : `check failed: schemathesis exited with ${status}`);
} finally {
  await api.stop();
}
process.exit(status);
