// Agent registration by signed message, API keys and profiles: every auth rule and its negatives.
import { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import { strict as assert } from "node:assert";
import nacl from "tweetnacl";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { RateLimiter, type DomainError } from "@skill-marketplace/api";

describe("api: agents and API keys", function () {
  let api: TestApi;
  before(async () => {
    api = await startApi();
  });
  after(async () => api?.stop());

  const sign = (message: string, wallet: Keypair) => bs58.encode(nacl.sign.detached(new TextEncoder().encode(message), wallet.secretKey));
  const nonceFor = async (wallet: Keypair) =>
    (await api.http.post("/api/v1/agents/nonce").send({ wallet: wallet.publicKey.toBase58() }).expect(201)).body as {
      message: string;
      nonce: string;
      expiresAt: string;
    };
  const agentCount = async () => api.db.prisma.agentAccount.count();

  it("issues a sign-in message naming domain, wallet, nonce, issue and expiry", async () => {
    const wallet = Keypair.generate();
    const challenge = await nonceFor(wallet);
    const lines = challenge.message.split("\n");
    assert.equal(lines[0], "market.test wants you to sign in with your Solana account:");
    assert.equal(lines[1], wallet.publicKey.toBase58());
    assert.ok(lines.includes(`Nonce: ${challenge.nonce}`));
    assert.ok(lines.includes("URI: https://market.test"));
    assert.ok(lines.includes(`Chain ID: ${await api.chain.connection.getGenesisHash()}`), "the chain is named by its genesis hash");
    assert.ok(lines.some((l) => l.startsWith("Issued At: ")));
    assert.ok(lines.includes(`Expiration Time: ${challenge.expiresAt}`));
    assert.equal(Date.parse(challenge.expiresAt) - Date.now() <= api.config.SIWS_TTL_SECONDS * 1000, true);
  });

  it("registers with a valid signature, shows the key once and stores only its hash", async () => {
    const wallet = Keypair.generate();
    const challenge = await nonceFor(wallet);
    const res = await api.http
      .post("/api/v1/agents")
      .send({ wallet: wallet.publicKey.toBase58(), message: challenge.message, signature: sign(challenge.message, wallet) })
      .expect(201);
    assert.equal(res.body.created, true);
    assert.match(res.body.apiKey, /^sk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const row = await api.db.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.key.id } });
    assert.equal(`sk_${row.prefix}`, res.body.key.prefix);
    assert.equal(Buffer.from(row.hash).length, 32);
    // The secret is everything after `sk_<12 hex>_` (base64url, so it may hold "_" itself).
    const secret = (res.body.apiKey as string).slice("sk_".length + 12 + 1);
    assert.equal(secret.length, 43);
    assert.ok(!Buffer.from(row.hash).includes(Buffer.from(secret)), "secret not stored");
    const me = await api.http.get("/api/v1/agents/me").set(bearer(res.body.apiKey)).expect(200);
    assert.equal(me.body.wallet, wallet.publicKey.toBase58());
    // Signing in again: same agent, another key.
    const again = await registerAgent(api, wallet);
    assert.notEqual(again.apiKey, res.body.apiKey);
    const keys = await api.http.get("/api/v1/agents/me/keys").set(bearer(again.apiKey)).expect(200);
    assert.equal(keys.body.length, 2);
    assert.ok(keys.body.every((k: { prefix: string }) => !("apiKey" in k) && k.prefix.length === 15));
  });

  it("rejects a bad signature, another wallet's signature, a tampered message and a reused nonce", async () => {
    const wallet = Keypair.generate();
    const intruder = Keypair.generate();
    const before = await agentCount();
    const post = (body: object) => api.http.post("/api/v1/agents").send(body);
    const w = wallet.publicKey.toBase58();

    let challenge = await nonceFor(wallet);
    let res = await post({ wallet: w, message: challenge.message, signature: sign(challenge.message, intruder) }).expect(401);
    assert.equal(res.body.error.code, "unauthorized");
    assert.match(res.body.error.message, /does not verify/);
    // The failed attempt consumed the nonce.
    res = await post({ wallet: w, message: challenge.message, signature: sign(challenge.message, wallet) }).expect(401);
    assert.match(res.body.error.message, /nonce unknown, already used or expired/);

    challenge = await nonceFor(wallet);
    const tampered = challenge.message.replace("Sign in", "Sign over");
    res = await post({ wallet: w, message: tampered, signature: sign(tampered, wallet) }).expect(401);
    assert.match(res.body.error.message, /not the one issued/);

    challenge = await nonceFor(wallet);
    res = await post({ wallet: intruder.publicKey.toBase58(), message: challenge.message, signature: sign(challenge.message, intruder) }).expect(401);
    assert.match(res.body.error.message, /issued to another wallet/);

    challenge = await nonceFor(wallet);
    res = await post({ wallet: w, message: challenge.message, signature: "0".repeat(88) }).expect(401);
    assert.deepEqual([res.body.error.code, res.body.error.message], ["unauthorized", "signature must be base58"]);
    assert.equal(await agentCount(), before, "no agent created by any failed attempt");
  });

  it("refuses a sign-in made for another deployment sharing the Redis, without spending its nonce", async () => {
    const wallet = Keypair.generate();
    const challenge = await nonceFor(wallet);
    const signed = { wallet: wallet.publicKey.toBase58(), message: challenge.message, signature: sign(challenge.message, wallet) };
    // Another deployment on the same Redis and database.
    const other = api.withConfig({ API_PUBLIC_URL: "https://other.test" });
    const res = await other.post("/api/v1/agents").send(signed).expect(401);
    assert.equal(res.body.error.message, "the message is for market.test, not other.test");
    // Nor does a message rewritten for it pass: its signature no longer verifies, and its nonce is not that deployment's.
    const rewritten = challenge.message.replace("market.test wants", "other.test wants").replace("URI: https://market.test", "URI: https://other.test");
    const forged = await other.post("/api/v1/agents").send({ ...signed, message: rewritten, signature: sign(rewritten, wallet) }).expect(401);
    assert.match(forged.body.error.message, /nonce unknown/);
    // The deployment it was made for still takes it.
    await api.http.post("/api/v1/agents").send(signed).expect(201);
  });

  it("rejects an expired sign-in message", async () => {
    const wallet = Keypair.generate();
    const challenge = await nonceFor(wallet);
    // Let the issued message's expiry pass (the stored record says when it expires).
    const key = `siws:https://market.test:nonce:${challenge.nonce}`;
    const stored = JSON.parse((await api.redis.get(key))!) as { expiresAt: string };
    await api.redis.set(key, JSON.stringify({ ...stored, expiresAt: new Date(Date.now() - 1000).toISOString(), wallet: wallet.publicKey.toBase58(), message: challenge.message }));
    const res = await api.http
      .post("/api/v1/agents")
      .send({ wallet: wallet.publicKey.toBase58(), message: challenge.message, signature: sign(challenge.message, wallet) })
      .expect(401);
    assert.match(res.body.error.message, /expired/);
    assert.equal(await api.db.prisma.agentAccount.count({ where: { wallet: wallet.publicKey.toBase58() } }), 0);
  });

  it("requires a valid, unrevoked key: 401 without, malformed, unknown or revoked", async () => {
    let res = await api.http.get("/api/v1/agents/me").expect(401);
    assert.match(res.body.error.message, /API key is required/);
    res = await api.http.get("/api/v1/agents/me").set({ Authorization: "Bearer nope" }).expect(401);
    assert.match(res.body.error.message, /malformed/);
    const { apiKey } = await registerAgent(api, Keypair.generate());
    const forged = apiKey.slice(0, -4) + (apiKey.endsWith("AAAA") ? "BBBB" : "AAAA");
    res = await api.http.get("/api/v1/agents/me").set(bearer(forged)).expect(401);
    assert.match(res.body.error.message, /unknown API key/);
  });

  it("rotates and revokes keys; an agent cannot touch another agent's key or profile", async () => {
    const alice = Keypair.generate();
    const bob = Keypair.generate();
    const a = await registerAgent(api, alice);
    const b = await registerAgent(api, bob);
    // Rotation: the new key works, the key that asked for it no longer does.
    const rotated = await api.http.post("/api/v1/agents/me/keys").set(bearer(a.apiKey)).send({ revokeCurrent: true, label: "ci" }).expect(201);
    assert.equal(rotated.body.key.label, "ci");
    let res = await api.http.get("/api/v1/agents/me").set(bearer(a.apiKey)).expect(401);
    assert.match(res.body.error.message, /revoked/);
    await api.http.get("/api/v1/agents/me").set(bearer(rotated.body.apiKey)).expect(200);
    // Bob cannot revoke Alice's key: it looks like it does not exist.
    res = await api.http.delete(`/api/v1/agents/me/keys/${rotated.body.key.id}`).set(bearer(b.apiKey)).expect(404);
    assert.equal(res.body.error.code, "not_found");
    await api.http.get("/api/v1/agents/me").set(bearer(rotated.body.apiKey)).expect(200);
    // Nor change her profile.
    res = await api.http.patch(`/api/v1/agents/${alice.publicKey.toBase58()}`).set(bearer(b.apiKey)).send({ displayName: "Mallory" }).expect(403);
    assert.equal(res.body.error.code, "forbidden");
    const profile = await api.db.prisma.agentAccount.findUniqueOrThrow({ where: { wallet: alice.publicKey.toBase58() } });
    assert.equal(profile.displayName, null);
    // Alice can.
    res = await api.http
      .patch(`/api/v1/agents/${alice.publicKey.toBase58()}`)
      .set(bearer(rotated.body.apiKey))
      .send({ displayName: "Alice", website: "https://alice.example" })
      .expect(200);
    assert.equal(res.body.displayName, "Alice");
    // Revoking her own key, then again: 404 the second time.
    await api.http.delete(`/api/v1/agents/me/keys/${b.keyId}`).set(bearer(b.apiKey)).expect(204);
    await api.http.delete(`/api/v1/agents/me/keys/${b.keyId}`).set(bearer(b.apiKey)).expect(401);
  });

  it("answers every validation error with 400 and the problems listed", async () => {
    let res = await api.http.post("/api/v1/agents/nonce").send({ wallet: "0OIl" }).expect(400);
    assert.equal(res.body.error.code, "validation_failed");
    assert.deepEqual(res.body.error.details[0].in, "body");
    assert.deepEqual(res.body.error.details[0].path, "wallet");
    res = await api.http.post("/api/v1/agents").send({}).expect(400);
    assert.deepEqual(res.body.error.details.map((d: { path: string }) => d.path).sort(), ["message", "signature", "wallet"]);
    res = await api.http.post("/api/v1/agents/nonce").set("content-type", "application/json").send("{bad").expect(400);
    assert.equal(res.body.error.code, "invalid_json");
    const { apiKey } = await registerAgent(api, Keypair.generate());
    res = await api.http.patch(`/api/v1/agents/${Keypair.generate().publicKey.toBase58()}`).set(bearer(apiKey)).send({ unknown: 1 }).expect(400);
    assert.equal(res.body.error.code, "validation_failed");
    res = await api.http.patch(`/api/v1/agents/${Keypair.generate().publicKey.toBase58()}`).set(bearer(apiKey)).send({ website: "ftp://x" }).expect(400);
    assert.equal(res.body.error.details[0].path, "website");
    res = await api.http.delete("/api/v1/agents/me/keys/not-a-uuid").set(bearer(apiKey)).expect(400);
    assert.equal(res.body.error.details[0].in, "path");
  });

  it("rate limits per key and per IP with 429 and Retry-After", async () => {
    const { apiKey } = await registerAgent(api, Keypair.generate());
    const limited = api.withConfig({ RATE_LIMIT_PER_KEY: "2", RATE_LIMIT_PER_IP: "1000" });
    await limited.get("/api/v1/agents/me").set(bearer(apiKey)).expect(200);
    await limited.get("/api/v1/agents/me").set(bearer(apiKey)).expect(200);
    let res = await limited.get("/api/v1/agents/me").set(bearer(apiKey)).expect(429);
    assert.equal(res.body.error.code, "rate_limited");
    const retryAfter = Number(res.headers["retry-after"]);
    assert.ok(retryAfter >= 1 && retryAfter <= api.config.RATE_LIMIT_WINDOW_SECONDS, `Retry-After ${retryAfter}`);
    // X-Forwarded-For is ignored unless a proxy is trusted: it cannot be used to dodge the limit.
    await api.redis.flushdb();
    const direct = api.withConfig({ RATE_LIMIT_PER_IP: "1" });
    await direct.get("/api/v1/openapi.json").set("x-forwarded-for", "10.0.0.1").expect(200);
    await direct.get("/api/v1/openapi.json").set("x-forwarded-for", "10.0.0.2").expect(429);
    const proxied = api.withConfig({ RATE_LIMIT_PER_IP: "1", API_TRUST_PROXY_HOPS: "1" });
    await proxied.get("/api/v1/openapi.json").set("x-forwarded-for", "10.0.0.3").expect(200);
    await proxied.get("/api/v1/openapi.json").set("x-forwarded-for", "10.0.0.4").expect(200);
    await proxied.get("/api/v1/openapi.json").set("x-forwarded-for", "10.0.0.4").expect(429);
    // Per IP, whatever the key: a fresh Redis window keyed by IP.
    await api.redis.flushdb();
    const byIp = api.withConfig({ RATE_LIMIT_PER_IP: "3" });
    for (let i = 0; i < 3; i++) await byIp.get("/api/v1/openapi.json").expect(200);
    res = await byIp.get("/api/v1/openapi.json").expect(429);
    assert.ok(Number(res.headers["retry-after"]) >= 1);
    await api.redis.flushdb();
  });

  it("keeps the limit across api instances while leasing batches of requests from Redis", async () => {
    // Instances of the limiter on one Redis connection of their own, whose trips are counted.
    const redis = api.redis.duplicate();
    const limiterOn = () => new RateLimiter(redis, 60);
    limiterOn();
    let trips = 0;
    const counting = redis as unknown as { countInWindow: (...args: unknown[]) => Promise<number> };
    const original = counting.countInWindow.bind(redis);
    counting.countInWindow = (...args) => {
      trips += 1;
      return original(...args);
    };
    // Two instances, one subject, 800 requests for a budget of 500, in concurrent bursts.
    const instances = [limiterOn(), limiterOn()];
    let admitted = 0;
    let refused = 0;
    for (let burst = 0; burst < 40; burst++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          instances[i % 2]!.hit("ip:lease-test", 500).then(
            () => void (admitted += 1),
            (e: DomainError) => {
              assert.equal(e.code, "rate_limited");
              refused += 1;
            },
          ),
        ),
      );
    }
    assert.equal(admitted + refused, 800);
    assert.ok(admitted <= 500, `never over the limit (admitted ${admitted})`);
    assert.ok(admitted >= 500 - 2 * Math.ceil(500 / 16), `refused early by at most a sixteenth per instance (admitted ${admitted})`);
    assert.ok(trips < admitted / 4, `${trips} trips to Redis for ${admitted} admitted requests`);
    // A small budget is counted request by request: exact, whichever instance answers.
    const small = [limiterOn(), limiterOn()];
    const outcomes: boolean[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await small[i % 2]!.hit("ip:small-budget", 3).then(() => true, () => false));
    assert.deepEqual(outcomes, [true, true, true, false, false, false]);
    redis.disconnect();
  });

  it("caps an agent's active keys", async () => {
    const wallet = Keypair.generate();
    const { apiKey } = await registerAgent(api, wallet);
    for (let i = 1; i < 10; i++) await api.http.post("/api/v1/agents/me/keys").set(bearer(apiKey)).send({}).expect(201);
    const res = await api.http.post("/api/v1/agents/me/keys").set(bearer(apiKey)).send({}).expect(409);
    assert.equal(res.body.error.code, "too_many_keys");
    assert.equal(await api.db.prisma.apiKey.count({ where: { wallet: wallet.publicKey.toBase58(), revokedAt: null } }), 10);
    // Revoking one makes room again.
    const keys = (await api.http.get("/api/v1/agents/me/keys").set(bearer(apiKey)).expect(200)).body as { id: string }[];
    await api.http.delete(`/api/v1/agents/me/keys/${keys.at(-1)!.id}`).set(bearer(apiKey)).expect(204);
    await api.http.post("/api/v1/agents/me/keys").set(bearer(apiKey)).send({}).expect(201);
  });

  it("holds the key cap under 30 parallel creations (the database serializes them)", async () => {
    const wallet = Keypair.generate();
    const { apiKey } = await registerAgent(api, wallet);
    const answers = await Promise.all(Array.from({ length: 30 }, () => api.http.post("/api/v1/agents/me/keys").set(bearer(apiKey)).send({})));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array(9).fill(201), ...Array(21).fill(409)]);
    for (const refusal of answers.filter((r) => r.status === 409)) assert.equal(refusal.body.error.code, "too_many_keys");
    assert.equal(await api.db.prisma.apiKey.count({ where: { wallet: wallet.publicKey.toBase58(), revokedAt: null } }), 10);
  });

  it("refuses a body nested deeper than the api reads, with its reason (not a stack overflow)", async () => {
    const deep = "[".repeat(30_000) + "]".repeat(30_000);
    const res = await api.http.post("/api/v1/agents/nonce").set("content-type", "application/json").send(deep).expect(400);
    assert.equal(res.body.error.code, "validation_failed");
    assert.equal(res.body.error.message, "body value: must not nest more than 32 levels deep");
    // Nesting within the limit reaches the schema, which names the problem.
    const shallow = await api.http.post("/api/v1/agents/nonce").send({ wallet: [[[1]]] }).expect(400);
    assert.equal(shallow.body.error.details[0].path, "wallet");
  });
});
