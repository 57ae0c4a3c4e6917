// `npm start` figures, on this machine's warm build caches: seconds from `npm start` to the
// "ready" line (every service answering its health check) on an empty data directory (new chain,
// initdb, migrations) and on the same directory again (resume), and seconds from SIGINT to every
// process gone. Each is the median of RUNS runs (the machine's speed drifts; the spread is kept
// too). With BENCH_STACK_NPM_TEST=1, also the wall time of one warm `npm test` (about 10 minutes).
// Writes bench/results/stack.json.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, descendants, npmStart, removeData, stackPorts } from "../tests/helpers/stack.js";

const RUNS = Number(process.env.BENCH_STACK_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function once(data: string): Promise<{ readyS: number; stopS: number }> {
  const ports = await stackPorts();
  const began = performance.now();
  const stack = npmStart({ SKILL_MARKETPLACE_DATA: data, LOG_LEVEL: "warn", ...ports });
  await stack.ready;
  const readyS = (performance.now() - began) / 1000;
  const tree = descendants(stack.child.pid!);
  const stopping = performance.now();
  process.kill(-stack.child.pid!, "SIGINT");
  await stack.exited;
  while ([...tree.keys()].some(alive)) await new Promise((r) => setTimeout(r, 20));
  return { readyS, stopS: (performance.now() - stopping) / 1000 };
}

const fresh: number[] = [];
const resumed: number[] = [];
const stops: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const data = mkdtempSync(join(tmpdir(), "bench-stack-"));
  try {
    const first = await once(data);
    const second = await once(data);
    fresh.push(first.readyS);
    resumed.push(second.readyS);
    stops.push(first.stopS, second.stopS);
    console.log(`run ${run + 1}: ready ${first.readyS.toFixed(1)} s on empty data, ${second.readyS.toFixed(1)} s resumed; stop ${first.stopS.toFixed(1)} / ${second.stopS.toFixed(1)} s`);
  } finally {
    removeData(data);
  }
}

const results: Record<string, number> = {
  runs: RUNS,
  warm_start_to_ready_new_data_s: round(median(fresh)),
  warm_start_to_ready_new_data_slowest_s: round(Math.max(...fresh)),
  warm_start_to_ready_resumed_s: round(median(resumed)),
  warm_start_to_ready_resumed_slowest_s: round(Math.max(...resumed)),
  stop_to_no_process_s: round(median(stops)),
};
if (process.env.BENCH_STACK_NPM_TEST === "1") {
  const began = performance.now();
  const test = spawnSync("npm", ["test"], { stdio: "inherit" });
  results.warm_npm_test_s = Math.round((performance.now() - began) / 1000);
  results.warm_npm_test_exit_status = test.status ?? -1;
}
writeFileSync("bench/results/stack.json", JSON.stringify(results, null, 2) + "\n");
console.log(results);
