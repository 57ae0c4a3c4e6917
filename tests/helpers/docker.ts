// The Docker engine of the executor suite (TEST_DOCKER_HOST or DOCKER_HOST, set by scripts/test.sh)
// and images built from fixture directories, without a network, on the platform's base images.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { chooseRuntime, dockerFor, RUNTIMES, type ContainerRuntime } from "@skill-marketplace/executor";

export function testDocker(): Docker {
  const host = process.env.TEST_DOCKER_HOST ?? process.env.DOCKER_HOST;
  if (!host) throw new Error("the executor suite needs a Docker engine: run it through `npm run test:executor` (or set TEST_DOCKER_HOST)");
  return dockerFor(host);
}

/** Builds `dir` (a Dockerfile and its files) as `tag` with no network, with extra `labels`; the image id. */
export async function buildFixture(docker: Docker, dir: string, tag: string, labels: Record<string, string> = {}): Promise<string> {
  const stream = await docker.buildImage({ context: dir, src: readdirSync(dir) }, { t: tag, networkmode: "none", rm: true, forcerm: true, labels });
  const events = await new Promise<{ error?: string; aux?: { ID?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, output: unknown[]) => (error ? reject(error) : resolve(output as never))),
  );
  const failure = events.find((e) => e.error);
  if (failure) throw new Error(`building ${tag}: ${failure.error}`);
  return (await docker.getImage(tag).inspect()).Id;
}

/** The runtimes this engine can run sandboxes under: runc always, runsc where gVisor works. */
export async function availableRuntimes(docker: Docker): Promise<ContainerRuntime[]> {
  const choice = await chooseRuntime(docker, RUNTIMES.python.image);
  return choice.runtime === "runsc" ? ["runsc", "runc"] : ["runc"];
}

export const SANDBOX_FIXTURE = join(import.meta.dirname, "..", "fixtures", "skills", "sandbox");
