// zod schemas for the values every service's configuration and API take from the outside (URLs
// of a given scheme, base58 public keys in canonical spelling), and the one way a service reads its
// environment: every bad variable named, start-up stopped with exit status 2.
import { PublicKey } from "@solana/web3.js";
import { z } from "zod";

export const zUrl = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(" or ")} URL`);

export const zPubkey = z.string().refine((v) => {
  try {
    return new PublicKey(v).toBase58() === v;
  } catch {
    return false;
  }
}, "must be a base58 public key");

export class ConfigError extends Error {}

/** Parses `env` with `schema` (empty values count as unset); throws a ConfigError naming every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** `load()`, or for a bad configuration: `<service>: <message>` on stderr and exit status 2. */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
