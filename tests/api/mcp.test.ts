// The marketplace's MCP servers, over stdio (`skill-marketplace mcp`, a real process) and Streamable HTTP (/mcp on the
// api), driven by the MCP SDK's own Client against a running api: tools listed with their schemas (only those usable
// without an identity when there is none), structured results, resources, the api's error codes as tool errors,
// sessions bound to the key that opened them. (Buying and running over MCP: the publishing suite, with an executor.)
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Keypair } from "@solana/web3.js";
import { SERVER_INFO } from "@skill-marketplace/mcp";
import { registerAgent, startApi, type TestApi } from "../helpers/api.js";

const CLI = join(import.meta.dirname, "..", "..", "cli", "bin", "skill-marketplace.mjs");

const ANONYMOUS_TOOLS = ["get_purchase", "get_skill", "search_skills"];
const AGENT_TOOLS = ["buy_skill", "execute_skill", "get_purchase", "get_receipt", "get_skill", "list_licenses", "search_skills"];
const text = (result: object) => ((result as { content: { text: string }[] }).content)[0]!.text;

describe("MCP: the marketplace's tools for agents, over stdio and Streamable HTTP", function () {
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

  it("stdio: lists its tools with input and output schemas, and searches and reads skills with structured results", async () => {
    const client = await connect();
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ANONYMOUS_TOOLS);
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
      assert.match(text(missing), /^not_found: skill \w+ not found/);
      // This skill is only in the index, not on chain: the api will not sell it.
      const purchase = await client.callTool({ name: "get_purchase", arguments: { id: skill } });
      assert.equal(purchase.isError, true);
      assert.match(text(purchase), /^not_found: skill /);

      // Resources: the guide, and each skill's docs (this one's are not on IPFS).
      const { resources } = await client.listResources();
      assert.deepEqual(resources.map((r) => r.uri), ["skill-marketplace://guide"]);
      const guide = await client.readResource({ uri: "skill-marketplace://guide" });
      assert.match((guide.contents[0] as { text: string }).text, /^# /);
      assert.match((guide.contents[0] as { text: string }).text, /agents\/me\/licenses/);
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ["skill-marketplace://skills/{id}/docs"]);
      const docs = await client.readResource({ uri: `skill-marketplace://skills/${skill}/docs` });
      assert.match((docs.contents[0] as { text: string }).text, /^# weather-forecast\n\nNo docs: /);
    } finally {
      await client.close();
    }
  });

  it("stdio with a keypair: signs in and lists the tools that act for the agent; relays the api's refusals", async () => {
    const keyFile = join(dir, "agent.json");
    writeFileSync(keyFile, JSON.stringify(Array.from(Keypair.generate().secretKey)));
    const agent = await connect(["--keypair", keyFile]);
    try {
      assert.deepEqual((await agent.listTools()).tools.map((t) => t.name).sort(), AGENT_TOOLS);
      // Signed in (a real sign-in through the api); this api has no executor, so execute does not exist.
      const refused = await agent.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "forecast" } });
      assert.equal(refused.isError, true);
      assert.match(text(refused), /^not_found: no route for POST/);
      const receipt = await agent.callTool({ name: "get_receipt", arguments: { id: "00000000-0000-4000-8000-000000000000" } });
      assert.match(text(receipt), /^not_found: receipt/);
      const licenses = await agent.callTool({ name: "list_licenses", arguments: {} });
      assert.deepEqual(licenses.structuredContent, { licenses: [], nextCursor: null });
    } finally {
      await agent.close();
    }
  });

  describe("Streamable HTTP at /mcp", () => {
    const http = async (key?: string) => {
      const client = new Client({ name: "test-agent", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL("/mcp", apiUrl), { requestInit: { headers: key ? { Authorization: `Bearer ${key}` } : {} } });
      await client.connect(transport);
      return { client, transport };
    };

    it("without a key: the tools that need no identity, and the guide", async () => {
      const { client, transport } = await http();
      try {
        assert.ok(transport.sessionId, "a session was opened");
        assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ANONYMOUS_TOOLS);
        const found = await client.callTool({ name: "search_skills", arguments: { search: "weather" } });
        assert.deepEqual((found.structuredContent as { skills: { slug: string }[] }).skills.map((s) => s.slug), ["weather-forecast"]);
        const guide = await client.readResource({ uri: "skill-marketplace://guide" });
        assert.match((guide.contents[0] as { text: string }).text, /Bearer/);
      } finally {
        await client.close();
      }
    });

    it("with a key: the agent's tools, as the api answers that agent; a session is its key's alone", async () => {
      const agent = Keypair.generate();
      const { apiKey } = await registerAgent(api, agent);
      const stranger = await registerAgent(api, Keypair.generate());
      const { client, transport } = await http(apiKey);
      try {
        assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), AGENT_TOOLS);
        const licenses = await client.callTool({ name: "list_licenses", arguments: { limit: 5 } });
        assert.deepEqual(licenses.structuredContent, { licenses: [], nextCursor: null });
        // Over HTTP the marketplace holds no keypair: a call needs a token the agent signed.
        const noToken = await client.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "forecast" } });
        assert.equal(text(noToken), "license_token_required: licenseToken is required: sign one for this call with your wallet (sdk signLicenseToken)");
        // buy_skill without a keypair: the transaction to sign (the api refuses this index-only skill).
        const buy = await client.callTool({ name: "buy_skill", arguments: { id: skill } });
        assert.match(text(buy), /^not_found: skill /);

        // Another agent's key (or none) cannot use this session.
        const call = (headers: Record<string, string>) =>
          fetch(new URL("/mcp", apiUrl), {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": transport.sessionId!, "mcp-protocol-version": "2025-06-18", ...headers },
            body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/call", params: { name: "list_licenses", arguments: {} } }),
          });
        for (const headers of [{ authorization: `Bearer ${stranger.apiKey}` }, {}] as Record<string, string>[]) {
          const answer = await call(headers);
          assert.equal(answer.status, 404);
          assert.deepEqual(await answer.json(), { jsonrpc: "2.0", error: { code: -32001, message: "session not found: initialize a new one" }, id: null });
        }
        // A key that is not one is refused before any session.
        const bad = await call({ authorization: "Bearer sk_nope" });
        assert.equal(bad.status, 401);
        assert.equal(((await bad.json()) as { error: { code: string } }).error.code, "unauthorized");
        // The session still works for its own key.
        assert.equal((await client.callTool({ name: "list_licenses", arguments: {} })).isError, undefined);
      } finally {
        await client.close();
      }
    });

    it("one address without a key holds at most 16 sessions; ending one makes room", async () => {
      const opened: StreamableHTTPClientTransport[] = [];
      let refusal: unknown;
      for (let i = 0; i < 20 && !refusal; i++) {
        try {
          opened.push((await http()).transport);
        } catch (error) {
          refusal = error;
        }
      }
      assert.ok(refusal, "a session past the limit was refused");
      assert.match(String(refusal), /at most 16 MCP sessions are open per address: end one \(DELETE \/mcp with its Mcp-Session-Id\) or let it idle out/);
      const raw = await fetch(new URL("/mcp", apiUrl), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
      });
      assert.equal(raw.status, 429);
      assert.equal(raw.headers.get("retry-after"), "60");
      await opened[0]!.terminateSession();
      const again = await http();
      assert.ok(again.transport.sessionId);
      for (const t of [...opened.slice(1), again.transport]) await t.terminateSession();
    });

    it("a request without a session that is not initialize is refused; a closed session is gone", async () => {
      const answer = await fetch(new URL("/mcp", apiUrl), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      assert.equal(answer.status, 400);
      assert.deepEqual(await answer.json(), { jsonrpc: "2.0", error: { code: -32000, message: "no session: send initialize first (without Mcp-Session-Id)" }, id: null });
      // A batch (not part of MCP since 2025-06-18) would carry many calls in one request: refused whole.
      const batch = await fetch(new URL("/mcp", apiUrl), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "tools/list" }, { jsonrpc: "2.0", id: 2, method: "tools/list" }]),
      });
      assert.equal(batch.status, 400);
      assert.deepEqual(await batch.json(), { jsonrpc: "2.0", error: { code: -32600, message: "batches are not accepted: send one JSON-RPC message per request" }, id: null });
      const { client, transport } = await http();
      const id = transport.sessionId!;
      const open = api.mcp.open;
      await transport.terminateSession();
      assert.equal(api.mcp.open, open - 1);
      await client.close();
      const after = await fetch(new URL("/mcp", apiUrl), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": id },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      });
      assert.equal(after.status, 404);
    });
  });

  it("server.json describes this server for the MCP Registry: the CLI package that serves stdio, and /mcp", () => {
    const root = join(import.meta.dirname, "..", "..");
    const described = JSON.parse(readFileSync(join(root, "server.json"), "utf8"));
    const cli = JSON.parse(readFileSync(join(root, "cli", "package.json"), "utf8"));
    assert.match(described.$schema, /^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d{2}-\d{2}\/server\.schema\.json$/);
    assert.match(described.name, /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, "reverse-DNS namespace, one slash");
    assert.ok(described.description.length <= 100, "the registry caps descriptions at 100 characters");
    assert.equal(described.name, cli.mcpName, "the npm package names the same server");
    const [pkg] = described.packages;
    assert.deepEqual([pkg.registryType, pkg.identifier, pkg.version, pkg.transport.type], ["npm", cli.name, cli.version, "stdio"]);
    assert.deepEqual(pkg.packageArguments, [{ type: "positional", value: "mcp" }]);
    assert.deepEqual(described.remotes.map((r: { type: string; url: string }) => [r.type, r.url]), [["streamable-http", "{baseUrl}/mcp"]]);
    assert.equal(described.version, SERVER_INFO.version);
  });
});
