// A service's background round (settlement, vault splits, reliability figures): run every `intervalMs`, each
// round awaited before the next is scheduled (never two at once), a failed round logged and retried at the
// next, and a stop that waits for the round in flight.
import type { Logger } from "./services.js";

export interface Rounds {
  stop(): Promise<void>;
}

export function everyRound(intervalMs: number, round: () => Promise<unknown>, failed: { logger: Logger; message: string }): Rounds {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    timer = setTimeout(async () => {
      running = round().catch((error) => failed.logger.warn({ err: (error as Error).message }, failed.message));
      await running;
      if (!stopped) schedule();
    }, intervalMs);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
