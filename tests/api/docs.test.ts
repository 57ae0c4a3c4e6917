// The api's self-description: the OpenAPI document generated from the validating schemas, the
// SKILL.md guide an agent learns the api from, request ids, and the error shape of the unknown.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { buildApp, guideText, loadConfig } from "@skill-marketplace/api";
import { PROGRAM_ID } from "@skill-marketplace/sdk";
import supertest from "supertest";
import { startApi, type TestApi } from "../helpers/api.js";

describe("api: OpenAPI document, SKILL.md, request ids, unknown routes", function () {
  let api: TestApi;
  before(async () => {
    api = await startApi();
  });
  after(async () => api?.stop());

  const routes = () =>
    buildApp({ config: api.config, connection: api.chain.connection, redis: api.redis, logger: pino({ level: "silent" }), stores: api.db.stores, cache: api.cache, docs: api.docs }).api.routes;

  it("serves an OpenAPI 3.1 document with every route, its parameters and error shape", async () => {
    const doc = (await api.http.get("/api/v1/openapi.json").expect(200)).body;
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(doc.servers[0].url, "https://market.test");
    for (const route of routes()) {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      const operation = doc.paths[path]?.[route.method];
      assert.ok(operation, `${route.method.toUpperCase()} ${path} is documented`);
      assert.ok(operation.responses["400"], `${path} documents its validation error`);
      for (const name of route.path.match(/:(\w+)/g) ?? []) {
        assert.ok(operation.parameters.some((p: { name: string; in: string }) => p.in === "path" && p.name === name.slice(1)), `${path} documents ${name}`);
      }
    }
    assert.deepEqual(Object.keys(doc.components.schemas.Error.properties), ["error"]);
    assert.equal(doc.paths["/api/v1/agents/me"].get.security[0].apiKey.length, 0);
  });

  it("answers undeclared methods with 405 and Allow, literal paths before parameterized ones, and OPTIONS with 204", async () => {
    let res = await api.http.delete("/api/v1/skills").expect(405);
    assert.deepEqual([res.body.error.code, res.headers.allow], ["method_not_allowed", "GET, HEAD, OPTIONS"]);
    assert.match(res.headers["content-type"]!, /application\/json/);
    // `/agents/me` is its own resource, though PATCH /agents/:wallet would match it.
    res = await api.http.patch("/api/v1/agents/me").send({ displayName: "x" }).expect(405);
    assert.equal(res.headers.allow, "GET, HEAD, OPTIONS");
    res = await api.http.put("/api/v1/agents/nonce").send({}).expect(405);
    assert.equal(res.headers.allow, "POST, OPTIONS");
    res = await api.http.options("/api/v1/skills/11111111111111111111111111111111").expect(204);
    assert.equal(res.headers.allow, "GET, HEAD, OPTIONS");
    await api.http.head("/api/v1/skills").expect(200);
  });

  it("says in the document what the edge checks: every request string is free of NUL, links name real operations", async () => {
    const doc = (await api.http.get("/api/v1/openapi.json").expect(200)).body;
    const ids = new Set<string>();
    const strings: string[] = [];
    const walk = (where: string, schema: unknown) => {
      if (!schema || typeof schema !== "object") return;
      const s = schema as Record<string, unknown>;
      if (s.type === "string" && s.enum === undefined) strings.push(`${where}: ${String(s.pattern)}`);
      for (const [k, v] of Object.entries(s)) walk(`${where}.${k}`, v);
    };
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(!ids.has(op.operationId as string), `operationId ${String(op.operationId)} is unique`);
        ids.add(op.operationId as string);
        for (const p of (op.parameters ?? []) as { name: string; schema: unknown }[]) walk(`${method} ${path} ${p.name}`, p.schema);
        walk(`${method} ${path} body`, (op.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content?.["application/json"]?.schema);
      }
    }
    assert.ok(strings.length > 20);
    // Every one has a pattern: its own (keys, tokens, amounts: none admits NUL), or the no-NUL one.
    for (const s of strings) assert.ok(!s.endsWith(": undefined"), s);
    assert.ok(strings.some((s) => s.endsWith(": ^[^\\u0000]*$")));
    const links = Object.values(doc.paths as Record<string, Record<string, { responses: Record<string, { links?: Record<string, { operationId: string }> }> }>>)
      .flatMap((item) => Object.values(item).flatMap((op) => Object.values(op.responses).flatMap((r) => Object.values(r.links ?? {}))));
    assert.ok(links.length >= 10);
    for (const link of links) assert.ok(ids.has(link.operationId), link.operationId);
    assert.equal(doc.paths["/api/v1/skills/{id}"].get.parameters[0].schema.format, "solana-pubkey");
  });

  it("SKILL.md teaches every public endpoint", async () => {
    const res = await api.http.get("/SKILL.md").expect(200);
    assert.match(res.headers["content-type"]!, /text\/markdown/);
    assert.ok(res.text.includes("https://market.test/api/v1/openapi.json"), "links the contract at the served address");
    assert.doesNotMatch(res.text, /\{\{[A-Z_]+\}\}/, "every placeholder filled");
    const missing = routes().filter((r) => !res.text.includes(r.path));
    assert.deepEqual(missing.map((r) => `${r.method} ${r.path}`), [], "every route appears in SKILL.md");
    // The cluster it is served for: its RPC URL, the program, the IDL, and the faucet of a local chain.
    assert.ok(res.text.includes(`Cluster: **localnet**. Send transactions to the JSON-RPC URL **${api.config.SOLANA_RPC_URL}**`));
    assert.ok(res.text.includes(`The marketplace program: **${PROGRAM_ID.toBase58()}**; its Anchor IDL is \`GET https://market.test/api/v1/idl.json\``));
    assert.match(res.text, /SOL is free\. Ask its faucet, the JSON-RPC method `requestAirdrop`/);
    // And the file in the repository is the one served.
    assert.equal(res.text, guideText(api.config, PROGRAM_ID.toBase58()));
    assert.ok(readFileSync("api/SKILL.md", "utf8").includes("{{RPC_URL}}"));
    // Another cluster's guide says so, with the RPC URL agents are given.
    const devnet = await api.withConfig({ SOLANA_CLUSTER: "devnet", API_PUBLIC_RPC_URL: "https://api.devnet.solana.com" }).get("/SKILL.md").expect(200);
    assert.ok(devnet.text.includes("Cluster: **devnet**. Send transactions to the JSON-RPC URL **https://api.devnet.solana.com**"));
    assert.match(devnet.text, /This is Solana's devnet: SOL has no value/);
    // The IDL served is the program's.
    const idl = await api.http.get("/api/v1/idl.json").expect(200);
    assert.equal(idl.body.address, PROGRAM_ID.toBase58());
    assert.ok(idl.body.instructions.some((i: { name: string }) => i.name === "purchase_license"));
  });

  it("gives every response a request id, echoing a sane one", async () => {
    const given = await api.http.get("/api/v1/openapi.json").set("x-request-id", "trace-42").expect(200);
    assert.equal(given.headers["x-request-id"], "trace-42");
    const made = await api.http.get("/api/v1/openapi.json").set("x-request-id", "bad id with spaces").expect(200);
    assert.match(made.headers["x-request-id"]!, /^[0-9a-f-]{36}$/);
  });

  it("logs each request with its id, never the API key", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const { app } = buildApp({ config: api.config, connection: api.chain.connection, redis: api.redis, logger, stores: api.db.stores, cache: api.cache, docs: api.docs });
    await supertest(app).get("/api/v1/agents/me").set("Authorization", "Bearer sk_0123456789ab_SECRETSECRETSECRETSECRETSECRETSECRETSECRETS").set("x-request-id", "log-check").expect(401);
    const entry = lines.map((l) => JSON.parse(l) as { req?: { id: string; headers: Record<string, string> } }).find((l) => l.req?.id === "log-check");
    assert.ok(entry, "the request was logged with its id");
    assert.equal(entry.req!.headers.authorization, "[Redacted]");
    assert.ok(!lines.join("").includes("SECRETSECRET"));
  });

  it("answers unknown routes and oversized bodies in the one error shape", async () => {
    let res = await api.http.get("/api/v1/nothing-here").expect(404);
    assert.deepEqual(res.body, { error: { code: "not_found", message: "no route for GET /api/v1/nothing-here" } });
    res = await api.http.post("/api/v1/agents/nonce").send({ wallet: "x".repeat(70_000) }).expect(413);
    assert.equal(res.body.error.code, "payload_too_large");
  });

  it("sends the security headers on every answer, CORS on the Solana Pay endpoints, no-store with API keys", async () => {
    for (const path of ["/api/v1/openapi.json", "/SKILL.md", "/api/v1/nothing-here"]) {
      const res = await api.http.get(path);
      assert.equal(res.headers["x-content-type-options"], "nosniff", path);
      assert.equal(res.headers["x-frame-options"], "DENY", path);
      assert.equal(res.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'", path);
      // The test api's public URL is https://market.test.
      assert.equal(res.headers["strict-transport-security"], "max-age=31536000; includeSubDomains", path);
      assert.equal(res.headers["access-control-allow-origin"], undefined, `${path}: no CORS outside Solana Pay`);
    }
    // A browser wallet's preflight, then its GET: allowed from any origin, as the spec requires.
    const preflight = await api.http.options("/api/v1/pay/someReference").set("Origin", "https://wallet.example").expect(204);
    assert.equal(preflight.headers["access-control-allow-origin"], "*");
    assert.equal(preflight.headers["access-control-allow-methods"], "GET, POST, OPTIONS");
    const label = await api.http.get("/api/v1/pay/someReference").set("Origin", "https://wallet.example");
    assert.equal(label.headers["access-control-allow-origin"], "*");
    // The marketplace's web app (API_CORS_ORIGINS) may call every route from a browser; no other origin may.
    const web = api.withConfig({ API_CORS_ORIGINS: "https://web.market.test, http://127.0.0.1:3000" });
    const allowed = await web.options("/api/v1/agents/me").set("Origin", "https://web.market.test").set("Access-Control-Request-Headers", "authorization").expect(204);
    assert.equal(allowed.headers["access-control-allow-origin"], "https://web.market.test");
    assert.match(String(allowed.headers["access-control-allow-headers"]), /Authorization/);
    assert.match(String(allowed.headers["vary"]), /Origin/);
    const read = await web.get("/api/v1/categories").set("Origin", "http://127.0.0.1:3000").expect(200);
    assert.equal(read.headers["access-control-allow-origin"], "http://127.0.0.1:3000");
    assert.match(String(read.headers["access-control-expose-headers"]), /PAYMENT-REQUIRED/);
    const other = await web.get("/api/v1/categories").set("Origin", "https://evil.example").expect(200);
    assert.equal(other.headers["access-control-allow-origin"], undefined, "another origin cannot read the answer");
    const otherPreflight = await web.options("/api/v1/agents/me").set("Origin", "https://evil.example");
    assert.equal(otherPreflight.headers["access-control-allow-origin"], undefined);
    assert.throws(() => loadConfig({ API_CORS_ORIGINS: "https://web.market.test/path" }), /API_CORS_ORIGINS.*each must be an origin/);
    // The answer that carries a new API key is never stored by a cache on the way.
    const { Keypair } = await import("@solana/web3.js");
    const nacl = (await import("tweetnacl")).default;
    const bs58 = (await import("bs58")).default;
    const wallet = Keypair.generate();
    const nonce = await api.http.post("/api/v1/agents/nonce").send({ wallet: wallet.publicKey.toBase58() }).expect(201);
    assert.notEqual(nonce.headers["cache-control"], "no-store");
    const signature = bs58.encode(nacl.sign.detached(new TextEncoder().encode(nonce.body.message), wallet.secretKey));
    const registered = await api.http.post("/api/v1/agents").send({ wallet: wallet.publicKey.toBase58(), message: nonce.body.message, signature }).expect(201);
    assert.ok(registered.body.apiKey);
    assert.equal(registered.headers["cache-control"], "no-store");
  });
});
