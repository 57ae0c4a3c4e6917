// The sandbox against purpose-built hostile skills, under every runtime this engine offers (gVisor
// and runc): each attack is contained, the call reports what stopped it, and nothing is left behind.
import assert from "node:assert/strict";
import { Sandbox, WarmPool, containerSpec, effectiveLimits, reapOrphans, RUNTIMES, SANDBOX_OWNER_LABEL, chooseRuntime, type ContainerRuntime, type RunResult } from "@skill-marketplace/executor";
import { availableRuntimes, buildFixture, SANDBOX_FIXTURE, testDocker } from "../helpers/docker.js";

const IMAGE = "skill-marketplace-test/sandbox:1";
const docker = testDocker();
const limits = effectiveLimits({ timeoutMs: 3_000 });
const command = (name: string) => RUNTIMES.python.command(`${name}.py`);

/** Sandbox containers still present on the engine (each call's container is removed after it). */
async function leftovers(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const list = await docker.listContainers({ all: true, filters: { label: ["skill-marketplace.sandbox=1"] } });
    if (list.length === 0) return 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await docker.listContainers({ all: true, filters: { label: ["skill-marketplace.sandbox=1"] } })).length;
}

const hostPort = (url: string | undefined, fallback: number) => (url ? Number(new URL(url).port) || fallback : fallback);

describe("executor sandbox: hostile skills", function () {
  this.timeout(120_000);
  let runtimes: ContainerRuntime[] = [];

  before(async () => {
    await buildFixture(docker, SANDBOX_FIXTURE, IMAGE);
    runtimes = await availableRuntimes(docker);
  });

  it("uses gVisor where the engine has it, and says why it chose the runtime", async () => {
    const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
    const choice = await chooseRuntime(docker, RUNTIMES.python.image);
    if (info.Runtimes && "runsc" in info.Runtimes) assert.equal(choice.runtime, "runsc", choice.why);
    else assert.deepEqual(choice, { runtime: "runc", why: "the Docker engine has no runsc runtime registered" });
    assert.equal(await leftovers(), 0);
  });

  it("reaping orphans removes only the containers of executors that are not alive (and unlabelled ones): executors may share an engine", async () => {
    const runtime = runtimes[0]!;
    const live = await new Sandbox(docker, runtime, "executor-alive").prepare(IMAGE, command("echo"), limits);
    const dead = await new Sandbox(docker, runtime, "executor-gone").prepare(IMAGE, command("echo"), limits);
    const unowned = await new Sandbox(docker, runtime).prepare(IMAGE, command("echo"), limits);
    assert.equal((await live.container.inspect()).Config.Labels[SANDBOX_OWNER_LABEL], "executor-alive");
    const asked: string[] = [];
    const removed = await reapOrphans(docker, async (owner) => (asked.push(owner), owner === "executor-alive"));
    assert.equal(removed, 2);
    assert.deepEqual(asked.sort(), ["executor-alive", "executor-gone"], "each owner asked once; the unlabelled need no asking");
    const present = async (c: typeof live) => c.container.inspect().then(() => true, () => false);
    assert.deepEqual([await present(live), await present(dead), await present(unowned)], [true, false, false]);
    await new Sandbox(docker, runtime).destroy(live.container);
    assert.equal(await leftovers(), 0);
  });

  for (const runtime of ["runsc", "runc"] as const) {
    describe(`under ${runtime}`, () => {
      let sandbox: Sandbox;
      const run = (name: string, payload: unknown = {}, l = limits): Promise<RunResult> => sandbox.run(IMAGE, command(name), l, { endpoint: "main", payload });

      before(function () {
        if (!runtimes.includes(runtime)) this.skip();
        sandbox = new Sandbox(docker, runtime);
      });
      afterEach(async () => assert.equal(await leftovers(), 0, "every call's container is removed"));

      it("the engine applies every hardening setting to the container", async () => {
        const prepared = await sandbox.prepare(IMAGE, command("echo"), limits);
        const { HostConfig: host, Config: config } = await prepared.container.inspect();
        assert.equal(host.Runtime, runtime);
        assert.equal(host.NetworkMode, "none");
        assert.equal((config as { NetworkDisabled?: boolean }).NetworkDisabled, true);
        assert.equal(host.ReadonlyRootfs, true);
        assert.deepEqual(host.Tmpfs, { "/tmp": "rw,noexec,nosuid,nodev,size=16m,mode=1777" });
        assert.deepEqual(host.CapDrop, ["ALL"]);
        assert.equal(host.CapAdd ?? null, null);
        assert.deepEqual(host.SecurityOpt, ["no-new-privileges"]);
        assert.equal(host.IpcMode, "private");
        assert.equal(host.Privileged, false);
        assert.equal(host.PidsLimit, limits.pids);
        assert.equal(host.Memory, limits.memoryMb << 20);
        assert.equal(host.MemorySwap, limits.memoryMb << 20, "no swap beyond the memory limit");
        assert.equal(host.NanoCpus, limits.cpus * 1e9);
        assert.deepEqual(host.Ulimits, [{ Name: "nofile", Soft: limits.openFiles, Hard: limits.openFiles }]);
        assert.deepEqual(host.Binds ?? [], []);
        assert.deepEqual(host.Mounts ?? [], []);
        assert.deepEqual(host.Devices ?? [], []);
        assert.equal(config.User, "10001:10001");
        assert.deepEqual(config.Env, ["PATH=/usr/local/bin:/usr/bin:/bin"], "only the image's own environment");
        // The default seccomp profile is in force (no "seccomp=unconfined" among the options).
        assert.ok(!(host.SecurityOpt ?? []).some((o: string) => o.includes("seccomp")));
        const answer = await sandbox.call(prepared, { endpoint: "main", payload: { n: 1 } });
        assert.equal(answer.outcome, "ok");
        assert.deepEqual(answer.output, { endpoint: "main", echo: { n: 1 } });
        assert.deepEqual(containerSpec(IMAGE, command("echo"), limits, runtime).HostConfig?.Runtime, runtime);
      });

      it("a warm pool answers from a container started ahead, and never gives one container two calls", async () => {
        const pool = new WarmPool(sandbox, 1);
        try {
          const hostname = (r: RunResult) => (r.output as { environ: { HOSTNAME: string } }).environ.HOSTNAME;
          const first = await pool.run(IMAGE, command("host"), limits, { endpoint: "main", payload: {} });
          assert.equal(first.warm, false, "nothing was waiting yet");
          const seen = new Set([hostname(first)]);
          for (let i = 0; i < 3; i++) {
            for (let j = 0; j < 100 && pool.waiting() < 1; j++) await new Promise((r) => setTimeout(r, 50));
            const next = await pool.run(IMAGE, command("host"), limits, { endpoint: "main", payload: {} });
            assert.equal(next.warm, true);
            assert.equal(next.outcome, "ok");
            assert.ok(!seen.has(hostname(next)), "a fresh container for every call");
            seen.add(hostname(next));
          }
        } finally {
          await pool.close();
        }
      });

      it("answers a well-behaved skill with its JSON output", async () => {
        const result = await run("echo", { text: "héllo", list: [1, 2, 3] });
        assert.equal(result.outcome, "ok");
        assert.deepEqual(result.output, { endpoint: "main", echo: { text: "héllo", list: [1, 2, 3] } });
        // The line exactly as the skill wrote it (receipts hash these bytes).
        assert.equal(result.outputText, '{"endpoint": "main", "echo": {"text": "h\\u00e9llo", "list": [1, 2, 3]}}');
      });

      it("network egress: the host's loopback services, private and public addresses and DNS are unreachable", async () => {
        const targets = [
          ["127.0.0.1", hostPort(process.env.TEST_DATABASE_ADMIN_URL, 5432)],
          ["127.0.0.1", hostPort(process.env.TEST_REDIS_URL, 6379)],
          ["10.0.0.1", 80],
          ["172.17.0.1", 2375],
          ["1.1.1.1", 53],
        ];
        const result = await run("network", { targets });
        assert.equal(result.outcome, "ok", result.stderr);
        const report = result.output as Record<string, unknown>;
        for (const [host, port] of targets) assert.match(String(report[`${host}:${port}`]), /^blocked: /, `${host}:${port}`);
        assert.match(String(report.dns), /^blocked: /);
        assert.deepEqual(report.interfaces, ["lo"], "no interface but loopback");
      });

      it("writes outside /tmp are refused, and nothing written to /tmp can be executed", async () => {
        const result = await run("filesystem");
        assert.equal(result.outcome, "ok", result.stderr);
        const report = result.output as Record<string, string>;
        for (const path of ["/skill/planted", "/etc/planted", "/planted", "/usr/bin/planted"]) assert.match(report[path]!, /^refused: errno (13|30)$/, path);
        assert.equal(report["/tmp/ok"], "written");
        assert.equal(report["exec /tmp"], "refused: errno 13");
      });

      it("sees none of the host: no host environment, files, Docker socket or privileges; setuid is refused", async () => {
        process.env.SKILL_MARKETPLACE_CANARY = "canary-7f3a";
        try {
          const result = await run("host");
          assert.equal(result.outcome, "ok", result.stderr);
          const report = result.output as Record<string, unknown>;
          assert.deepEqual(Object.keys(report.environ as object).sort(), ["HOME", "HOSTNAME", "LC_CTYPE", "PATH"].filter((k) => k in (report.environ as object)).sort());
          assert.ok(!JSON.stringify(report).includes("canary-7f3a"), "the executor's environment does not reach the skill");
          for (const key of ["DATABASE_URL", "REDIS_URL", "DOCKER_HOST", "TEST_DOCKER_HOST", "API_KEY_SECRET"]) assert.ok(!(key in (report.environ as object)), key);
          assert.match(String(report.shadow), /^refused: errno 13$/);
          assert.deepEqual(report.sockets, []);
          assert.ok(!String(report.mounts).includes("docker.sock"));
          assert.match(String(report.mounts).split("\n")[0]!, /^\S+ \/ \S+ ro[, ]/, "the root is mounted read-only");
          assert.equal(report.uid, 10001);
          assert.equal(report.euid, 10001);
          assert.equal(report.cap_eff, "0000000000000000");
          // gVisor's /proc does not show the flag (the engine's SecurityOpt above is what sets it);
          // under runc the kernel reports it.
          if (runtime === "runc") assert.equal(report.no_new_privs, "1");
          assert.equal(report.setuid, "refused: errno 1");
        } finally {
          delete process.env.SKILL_MARKETPLACE_CANARY;
        }
      });

      it("a fork bomb hits the process limit and the machine keeps working", async () => {
        const result = await run("forkbomb");
        if (result.outcome === "ok") {
          const report = result.output as { forks: number; errno: number };
          assert.equal(report.errno, 11, "EAGAIN: the pids limit");
          assert.ok(report.forks < limits.pids);
        } else {
          assert.ok(["crashed", "timeout"].includes(result.outcome), result.outcome);
        }
        // The next call runs normally.
        assert.equal((await run("echo")).outcome, "ok");
      });

      it("a memory bomb is stopped at the memory limit: memory_limit", async () => {
        const result = await run("memory");
        assert.equal(result.outcome, "memory_limit");
        assert.equal(result.message, "the skill used more than its 256 MiB of memory and was stopped");
      });

      it("a CPU spin past the wall-clock limit is killed: timeout", async () => {
        const short = { ...limits, timeoutMs: 1_500 };
        const result = await run("spin", {}, short);
        assert.equal(result.outcome, "timeout");
        assert.equal(result.message, "the skill did not answer within 1500 ms and was stopped");
        assert.ok(result.durationMs >= 1_500);
      });

      it("gigabytes of stdout are cut at the output limit: output_too_large", async () => {
        const result = await run("flood");
        assert.equal(result.outcome, "output_too_large");
        assert.equal(result.message, `the skill wrote more than ${limits.outputBytes} bytes of output and was stopped`);
      });

      it("a skill that exits without an answer is crashed, with its stderr kept for the logs", async () => {
        const result = await run("crash");
        assert.equal(result.outcome, "crashed");
        assert.equal(result.exitCode, 3);
        assert.equal(result.stderr, "something went wrong\n");
      });
    });
  }
});
