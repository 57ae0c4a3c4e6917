// skill-marketplace <command>: the marketplace from a terminal.
//   publish <repo> [--ref <ref>] [--keypair <file>] [--api <url>] [--rpc <url>] [--no-send]
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Connection, Keypair } from "@solana/web3.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ApiError, MarketplaceClient, marketplaceMcpServer, skillMcpServer } from "@skill-marketplace/mcp";
import { publish } from "./publish.js";

const USAGE = `usage: skill-marketplace mcp [--api <url>] [--keypair <file>] [--rpc <url>] [--audience <url>] [--skill <id>]
       an MCP server on stdio: search_skills, get_skill, get_purchase; with the keypair also buy_skill,
       execute_skill, list_licenses, get_receipt; SKILL.md and each skill's docs as resources.
       --skill: that one skill as a server of its own (one tool per endpoint, each call an execute)
usage: skill-marketplace publish <repo> [--ref <branch|tag|sha>] [--keypair <file>] [--api <url>] [--rpc <url>] [--no-send]
  <repo>     GitHub owner/name, or a git URL
  --ref      what to publish (default: main)
  --keypair  the publisher's keypair file, a JSON array of 64 numbers (default: $SKILL_MARKETPLACE_KEYPAIR or ~/.config/solana/id.json)
  --api      the marketplace (default: $SKILL_MARKETPLACE_API_URL or http://127.0.0.1:8080)
  --rpc      the Solana RPC to send the transaction to (default: $SOLANA_RPC_URL or http://127.0.0.1:8899)
  --no-send  print the unsigned transaction instead of signing and sending it`;

function keypairFrom(file: string): Keypair {
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the keypair file ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64) throw new Error(`${file} is not a keypair file (a JSON array of 64 numbers)`);
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "mcp") {
    const { values } = parseArgs({
      args: rest,
      options: { api: { type: "string" }, keypair: { type: "string" }, audience: { type: "string" }, rpc: { type: "string" }, skill: { type: "string" } },
    });
    const keyFile = values.keypair ?? process.env.SKILL_MARKETPLACE_KEYPAIR;
    const apiUrl = values.api ?? process.env.SKILL_MARKETPLACE_API_URL ?? "http://127.0.0.1:8080";
    const client = new MarketplaceClient(apiUrl);
    const keypair = keyFile ? keypairFrom(keyFile) : undefined;
    const audience = values.audience ?? apiUrl;
    const server = values.skill
      ? skillMcpServer({ client, keypair, audience, skill: await client.call("GET", `/skills/${encodeURIComponent(values.skill)}`) })
      : marketplaceMcpServer({ client, keypair, audience, connection: new Connection(values.rpc ?? process.env.SOLANA_RPC_URL ?? "http://127.0.0.1:8899", "confirmed") });
    await server.connect(new StdioServerTransport());
    // Serves until the client closes stdin.
    await new Promise<void>((resolve) => process.stdin.on("close", resolve));
    return 0;
  }
  if (command !== "publish") {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === "--help" ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { ref: { type: "string", default: "main" }, keypair: { type: "string" }, api: { type: "string" }, rpc: { type: "string" }, "no-send": { type: "boolean", default: false } },
  });
  if (positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const keypair = keypairFrom(values.keypair ?? process.env.SKILL_MARKETPLACE_KEYPAIR ?? join(homedir(), ".config", "solana", "id.json"));
  const { job } = await publish({
    repo: positionals[0]!,
    ref: values.ref!,
    keypair,
    apiUrl: values.api ?? process.env.SKILL_MARKETPLACE_API_URL ?? "http://127.0.0.1:8080",
    rpcUrl: values.rpc ?? process.env.SOLANA_RPC_URL ?? "http://127.0.0.1:8899",
    send: !values["no-send"],
  });
  return job.status === "ready" ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ApiError ? `the marketplace refused: ${error.message}` : (error as Error).message}\n`);
    process.exit(1);
  },
);
