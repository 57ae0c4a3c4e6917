// The resources one call may use: what a skill's manifest asks for, capped by the platform's
// maximums. The executor gives every container all of them; publishing checks a manifest against them.
import { z } from "zod";

export interface SandboxLimits {
  /** Memory, swap included (none allowed beyond it), in MiB. */
  memoryMb: number;
  /** CPU cores, fractional. */
  cpus: number;
  /** Processes and threads. gVisor's own threads count too: below ~100 the sandbox itself cannot start. */
  pids: number;
  /** Wall-clock time from the call's input to its last output byte, in milliseconds. */
  timeoutMs: number;
  /** Bytes of stdout a call may write; more kills it. */
  outputBytes: number;
  /** Size of the writable, non-executable /tmp, in MiB. */
  tmpMb: number;
  /** Open files per process. */
  openFiles: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryMb: 256,
  cpus: 1,
  pids: 128,
  timeoutMs: 10_000,
  outputBytes: 1 << 20,
  tmpMb: 16,
  openFiles: 256,
};

export const PLATFORM_MAXIMUMS: SandboxLimits = {
  memoryMb: 1024,
  cpus: 2,
  pids: 512,
  timeoutMs: 60_000,
  outputBytes: 8 << 20,
  tmpMb: 64,
  openFiles: 1024,
};

const MINIMUMS: SandboxLimits = { memoryMb: 16, cpus: 0.1, pids: 100, timeoutMs: 100, outputBytes: 1024, tmpMb: 1, openFiles: 16 };

/** What a manifest may request: any subset of the limits, each within the platform's range. */
export const requestedLimits = z
  .object(
    Object.fromEntries(
      (Object.keys(DEFAULT_LIMITS) as (keyof SandboxLimits)[]).map((key) => [
        key,
        z
          .number()
          .min(MINIMUMS[key], `must be at least ${MINIMUMS[key]}`)
          .max(PLATFORM_MAXIMUMS[key], `must be at most ${PLATFORM_MAXIMUMS[key]} (the platform's maximum)`)
          .optional(),
      ]),
    ) as Record<keyof SandboxLimits, z.ZodOptional<z.ZodNumber>>,
  )
  .strict();

/** The limits a call runs under: the request where it gives one, else the default. */
export function effectiveLimits(requested: Partial<SandboxLimits> = {}): SandboxLimits {
  const parsed = requestedLimits.parse(requested);
  return { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) };
}
