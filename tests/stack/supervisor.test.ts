// The stack's supervisor with real processes: a service that dies is restarted with growing
// delays while its siblings keep running; a start that fails reports the service's own last words;
// a stop asks first, kills after the timeout and goes last-started-first; a supervisor killed
// with SIGKILL takes its services with it; PostgreSQL killed mid-flight comes back with its data.
import { spawn } from "node:child_process";
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Supervisor, freePort, listening, postgresService, type ServiceSpec } from "@skill-marketplace/stack";
import { alive, sleep, waitUntil } from "../helpers/stack.js";

/** A service that listens on a port of its own (healthy once it accepts connections). */
async function listener(name: string, extra = ""): Promise<ServiceSpec> {
  const port = await freePort();
  return {
    name,
    command: process.execPath,
    args: ["-e", `${extra}; require("node:net").createServer().listen(${port}, "127.0.0.1")`],
    health: () => listening(port),
  };
}

describe("stack: the supervisor", function () {
  this.timeout(120_000);
  let logDir: string;
  let lines: string[];
  let supervisor: Supervisor;

  beforeEach(() => {
    logDir = mkdtempSync(join(tmpdir(), "supervisor-test-"));
    lines = [];
    supervisor = new Supervisor({ logDir, say: (line) => lines.push(line), restart: { initialDelayMs: 200, maxDelayMs: 800, resetAfterMs: 60_000 } });
  });
  afterEach(async () => {
    await supervisor.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it("restarts a service that dies, each time later, while the others keep running", async () => {
    await supervisor.start(await listener("steady"));
    await supervisor.start(await listener("fragile"));
    const steady = supervisor.pids().steady!;
    for (const [restart, delay] of [[1, "0.2"], [2, "0.4"], [3, "0.8"], [4, "0.8"]] as const) {
      const before = supervisor.pids().fragile!;
      process.kill(before, "SIGKILL");
      const back = `fragile is back (pid `;
      await waitUntil(`restart ${restart}`, () => lines.filter((l) => l.startsWith(back)).length === restart);
      const died = lines.find((l) => l.startsWith(`fragile died (killed by SIGKILL); restarting in ${delay} s (restart ${restart})`));
      assert.ok(died, lines.join("\n"));
      const after = supervisor.pids().fragile!;
      assert.notEqual(after, before);
      assert.ok(alive(after));
      assert.equal(alive(before), false);
    }
    assert.equal(supervisor.restarts("fragile"), 4);
    assert.equal(supervisor.restarts("steady"), 0);
    assert.equal(supervisor.pids().steady, steady, "the sibling was never touched");
    assert.ok(alive(steady));
    // Every crash is in the service's own log too.
    const log = readFileSync(join(logDir, "fragile.log"), "utf8");
    assert.equal(log.match(/exited: killed by SIGKILL/g)?.length, 4);
  });

  it("a service that exits before it is ready fails the start with its last output", async () => {
    await assert.rejects(
      supervisor.start({ name: "broken", command: process.execPath, args: ["-e", 'console.error("listen EADDRINUSE 127.0.0.1:8080"); process.exit(3)'], health: async () => false }),
      (error: Error) => {
        assert.match(error.message, /^broken exit status 3 before it was ready\n/);
        assert.ok(error.message.includes("broken| listen EADDRINUSE 127.0.0.1:8080"), error.message);
        return true;
      },
    );
    await sleep(500);
    assert.equal(supervisor.restarts("broken"), 0, "a failed start is not restarted behind the caller's back");
  });

  it("a service that never answers its health check is stopped and reported", async () => {
    const never = await listener("silent");
    await assert.rejects(
      supervisor.start({ ...never, health: async () => false, readyTimeoutMs: 500 }),
      (error: Error) => /^silent did not answer its health check within 0\.5 s\n/.test(error.message),
    );
    assert.equal(supervisor.pids().silent, undefined);
  });

  it("one-shot steps: stdout on success, the exit status and last output on failure", async () => {
    const out = await supervisor.run({ name: "hello", command: process.execPath, args: ["-e", 'console.log("deployed"); console.error("noise")'] });
    assert.equal(out, "deployed\n");
    await assert.rejects(
      supervisor.run({ name: "migrate", command: process.execPath, args: ["-e", 'console.error("relation \\"skills\\" already exists"); process.exit(1)'] }),
      (error: Error) => {
        assert.match(error.message, /^migrate failed \(exit status 1\)\n/);
        assert.ok(error.message.includes('migrate| relation "skills" already exists'));
        return true;
      },
    );
  });

  it("stop asks with the stop signal, kills one that does not listen, and stops the last started first", async () => {
    const order = join(logDir, "order");
    const polite = (name: string) =>
      listener(name, `process.on("SIGTERM", () => { require("node:fs").appendFileSync(${JSON.stringify(order)}, "${name}\\n"); process.exit(0); })`);
    await supervisor.start(await polite("first"));
    await supervisor.start(await polite("second"));
    const deaf = await listener("deaf", 'process.on("SIGTERM", () => {})');
    await supervisor.start({ ...deaf, stopTimeoutMs: 300 });
    const pids = supervisor.pids();
    await supervisor.stop();
    assert.equal(readFileSync(order, "utf8"), "second\nfirst\n");
    for (const pid of Object.values(pids)) assert.equal(alive(pid!), false);
    assert.match(readFileSync(join(logDir, "deaf.log"), "utf8"), /exited: killed by SIGKILL/);
    await assert.rejects(supervisor.start(await listener("late")), /the stack is stopping/);
  });

  it("a supervisor killed with SIGKILL takes its services with it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/stack/fixtures/supervise.ts", "a", "b", "c"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    const pids = await waitUntil("the services' pids", () => (out.includes("\n") ? (JSON.parse(out) as Record<string, number>) : undefined));
    assert.deepEqual(Object.keys(pids), ["a", "b", "c"]);
    for (const pid of Object.values(pids)) assert.ok(alive(pid));
    child.kill("SIGKILL");
    for (const pid of Object.values(pids)) await waitUntil(`service ${pid} gone`, () => !alive(pid), 10_000);
  });

  it("PostgreSQL killed with SIGKILL is restarted with its data", async () => {
    const dataRoot = mkdtempSync(join(tmpdir(), "supervisor-pg-"));
    chmodSync(dataRoot, 0o755);
    try {
      const postgres = await postgresService({ dataDir: join(dataRoot, "postgres"), port: await freePort(), durable: true });
      await supervisor.start(postgres.spec);
      const client = new pg.Client(postgres.url);
      await client.connect();
      await client.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the crash')");
      await client.end();
      const before = supervisor.pids().postgres!;
      process.kill(before, "SIGKILL");
      await waitUntil("postgres back", () => lines.some((l) => l.startsWith("postgres is back")), 60_000);
      assert.ok(lines.some((l) => l.startsWith("postgres died (killed by SIGKILL); restarting in 0.2 s (restart 1)")), lines.join("\n"));
      const again = new pg.Client(postgres.url);
      await again.connect();
      const { rows } = await again.query("SELECT v FROM kept");
      await again.end();
      assert.deepEqual(rows, [{ v: "before the crash" }]);
    } finally {
      await supervisor.stop();
      rmSync(dataRoot, { recursive: true, force: true });
    }
  });
});
