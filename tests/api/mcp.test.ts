// The marketplace's MCP server over stdio (`skill-marketplace mcp`, a real process), driven by the
// MCP SDK's own Client against a running api: tools listed with their schemas, structured
// results, and the api's error codes as tool errors.
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Keypair } from "@solana/web3.js";
import { startApi, type TestApi } from "../helpers/api.js";

const CLI = join(import.meta.dirname, "..", "..", "cli", "bin", "skill-marketplace.mjs");

describe("MCP over stdio: the marketplace's tools for agents", function () {
  this.timeout(120_000);
  let api: TestApi;
  let server: Server;
  let apiUrl: string;
  let skill: string;
  const dir = mkdtempSync(join(tmpdir(), "mcp-"));

  const connect = async (args: string[] = []) => {
    const client = new Client({ name: "test-agent", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [CLI, "mcp", "--api", apiUrl, ...args], env: { ...process.env, SKILL_MARKETPLACE_CACHE: join(dir, "cache") } as Record<string, string> }),
    );
    return client;
  };

  before(async () => {
    api = await startApi();
    server = await new Promise<Server>((resolve) => {
      const s = api.app.listen(0, "127.0.0.1", () => resolve(s));
    });
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    skill = Keypair.generate().publicKey.toBase58();
    await api.db.prisma.skill.create({
      data: {
        address: skill,
        author: Keypair.generate().publicKey.toBase58(),
        slug: "weather-forecast",
        version: "1.0.0",
        pricing: "usage",
        unitsPerPurchase: "100",
        price: "1000000",
        currency: "SOL",
        category: "analysis",
        docsCid: "bafkreid",
        commitSha: "ab".repeat(20),
        imageDigest: "cd".repeat(32),
        createdAt: new Date(),
        updatedAt: new Date(),
        slot: 1n,
        commitment: "confirmed",
      },
    });
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists its tools with input and output schemas, and searches and reads skills with structured results", async () => {
    const client = await connect();
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ["execute_skill", "get_receipt", "get_skill", "search_skills"]);
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, "object", tool.name);
        assert.ok(tool.outputSchema, `${tool.name} has an output schema`);
      }
      const found = await client.callTool({ name: "search_skills", arguments: { search: "weather", limit: 5 } });
      assert.equal(found.isError, undefined);
      const result = found.structuredContent as { skills: { id: string; slug: string }[]; sort: string };
      assert.deepEqual(result.skills.map((s) => s.slug), ["weather-forecast"]);
      assert.equal(result.sort, "relevance");
      const details = await client.callTool({ name: "get_skill", arguments: { id: skill } });
      assert.equal((details.structuredContent as { id: string; category: string }).category, "analysis");
      // The api's own errors come back as tool errors with their code.
      const missing = await client.callTool({ name: "get_skill", arguments: { id: Keypair.generate().publicKey.toBase58() } });
      assert.equal(missing.isError, true);
      assert.match((missing.content as { text: string }[])[0]!.text, /^not_found: skill \w+ not found/);
    } finally {
      await client.close();
    }
  });

  it("refuses the tools that act for an agent without its keypair, and relays the api's refusal with one", async () => {
    const anonymous = await connect();
    try {
      const refused = await anonymous.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "forecast" } });
      assert.equal(refused.isError, true);
      assert.match((refused.content as { text: string }[])[0]!.text, /^unauthorized: this tool needs the agent's keypair/);
    } finally {
      await anonymous.close();
    }
    const keyFile = join(dir, "agent.json");
    writeFileSync(keyFile, JSON.stringify(Array.from(Keypair.generate().secretKey)));
    const agent = await connect(["--keypair", keyFile]);
    try {
      // Signed in (a real sign-in through the api); this api has no executor, so execute does not exist.
      const refused = await agent.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "forecast" } });
      assert.equal(refused.isError, true);
      assert.match((refused.content as { text: string }[])[0]!.text, /^not_found: no route for POST/);
      const receipt = await agent.callTool({ name: "get_receipt", arguments: { id: "00000000-0000-4000-8000-000000000000" } });
      assert.match((receipt.content as { text: string }[])[0]!.text, /^not_found: receipt/);
    } finally {
      await agent.close();
    }
  });
});
