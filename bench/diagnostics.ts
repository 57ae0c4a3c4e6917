// Loaded into the api's processes by bench/api.ts (`node --import`): every second, one JSON line
// per process to BENCH_DIAGNOSTICS_FILE with that second's event-loop delay (p50, p99, max) and
// garbage-collection pauses (count, total and longest, by kind) and the CPU it used, stamped with the wall clock, so
// the bench can say, phase by phase, whether a slow answer waited on the loop or on the collector.
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";

const file = process.env.BENCH_DIAGNOSTICS_FILE;
if (file) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const KINDS: Record<number, string> = { 1: "scavenge", 2: "markSweepCompact", 4: "incremental", 8: "weakCallbacks" };
  let gc: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = KINDS[entry.detail?.kind ?? 0] ?? "other";
      const g = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      g.count++;
      g.totalMs += entry.duration;
      g.maxMs = Math.max(g.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  let cpu = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const cpuMs = Math.round((used.user + used.system) / 1000);
    const line = { at: Date.now(), pid: process.pid, cpuMs, loopP50Ms: ms(loop.percentile(50)), loopP99Ms: ms(loop.percentile(99)), loopMaxMs: ms(loop.max), gc };
    appendFileSync(file, JSON.stringify(line) + "\n");
    loop.reset();
    gc = {};
  }, 1000).unref();
}
