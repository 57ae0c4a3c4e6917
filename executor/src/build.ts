// The image builder publishing uses: a skill's files at its pinned commit become an image on the
// platform's base image for its runtime, built with no network (dependencies come vendored in the
// repository), labelled with what the executor needs to run it. The image id is its content
// address: the digest the chain will hold, and the only name the executor runs it by.
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { MANIFEST_FILE, type SkillManifest } from "@skill-marketplace/sdk";
import { effectiveLimits } from "./limits.js";
import { RUNTIMES } from "./runtimes.js";
import { IMAGE_LABELS } from "./executor.js";
import type { RunResult, Sandbox } from "./sandbox.js";

export interface SourceFile {
  /** Relative path inside the repository, already checked (no `..`, no absolute path). */
  path: string;
  /** Unix permission bits as the repository holds them (0644, 0755). */
  mode: number;
  data: Uint8Array;
}

/** Labels every image built here carries (beside the ones the executor reads). */
export const BUILD_LABEL = "skill-marketplace.skill";

export class BuildFailed extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
  }
}

/** The Dockerfile of a skill: its files under /skill on the runtime's base image, nothing run. */
export function dockerfileFor(manifest: Pick<SkillManifest, "runtime">): string {
  return [`FROM ${RUNTIMES[manifest.runtime].image}`, "COPY --chown=0:0 skill/ /skill/", ""].join("\n");
}

/** The labels the executor reads back when it runs the image (see Executor.image). */
export function imageLabels(manifest: SkillManifest): Record<string, string> {
  return {
    [IMAGE_LABELS.runtime]: manifest.runtime,
    [IMAGE_LABELS.entry]: manifest.entry,
    [IMAGE_LABELS.endpoints]: JSON.stringify(Object.keys(manifest.endpoints)),
    [IMAGE_LABELS.limits]: JSON.stringify(manifest.limits ?? {}),
    ...(manifest.callsPerMinute ? { [IMAGE_LABELS.callsPerMinute]: String(manifest.callsPerMinute) } : {}),
    [BUILD_LABEL]: `${manifest.publisher}/${manifest.slug}@${manifest.version}`,
  };
}

/** The build context: the Dockerfile and the skill's files under skill/, as a tar. */
async function context(manifest: SkillManifest, files: SourceFile[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    tar.on("end", resolve);
    tar.on("error", reject);
  });
  tar.entry({ name: "Dockerfile", mode: 0o644, mtime: new Date(0) }, dockerfileFor(manifest));
  if (!files.some((f) => f.path === manifest.entry)) throw new BuildFailed(`the entry point ${manifest.entry} is not in the repository`, "");
  // The manifest is not part of the image (its run settings are labels): the same code published
  // again, by another seller or as another version, reuses the build cache.
  for (const file of files.filter((f) => f.path !== MANIFEST_FILE)) {
    // Only the owner's execute bit is kept; everything is world-readable for the sandbox's user.
    const mode = file.mode & 0o100 ? 0o755 : 0o644;
    tar.entry({ name: `skill/${file.path}`, mode, mtime: new Date(0) }, Buffer.from(file.data));
  }
  tar.finalize();
  await finished;
  return Buffer.concat(chunks);
}

/** Builds the skill's image with no network; its id ("sha256:…"). A failed build leaves no image. */
export async function buildSkillImage(docker: Docker, manifest: SkillManifest, files: SourceFile[]): Promise<{ imageId: string; log: string }> {
  const tarball = await context(manifest, files);
  const stream = await docker.buildImage(Readable.from([tarball]), {
    networkmode: "none",
    labels: imageLabels(manifest),
    rm: true,
    forcerm: true,
    pull: false,
    nocache: false,
  });
  const events = await new Promise<{ stream?: string; error?: string; aux?: { ID?: string } }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, output: unknown[]) => (error ? reject(error) : resolve(output as never))),
  );
  const log = events.map((e) => e.stream ?? e.error ?? "").join("").slice(-8_000);
  const failure = events.find((e) => e.error);
  if (failure) throw new BuildFailed(`the image build failed: ${failure.error}`, log);
  const imageId = events.find((e) => e.aux?.ID)?.aux?.ID;
  if (!imageId) throw new BuildFailed("the image build ended without an image", log);
  return { imageId, log };
}

export interface ExampleRun {
  endpoint: string;
  title: string;
  input: unknown;
  outcome: RunResult["outcome"];
  output: unknown;
  message: string | null;
  stderr: string;
  durationMs: number;
}

/** Runs every endpoint's examples in the sandbox, one fresh container each, as calls will run. */
export async function runExamples(sandbox: Sandbox, imageId: string, manifest: SkillManifest): Promise<ExampleRun[]> {
  const limits = effectiveLimits(manifest.limits ?? {});
  const command = RUNTIMES[manifest.runtime].command(manifest.entry);
  const runs: ExampleRun[] = [];
  for (const [endpoint, spec] of Object.entries(manifest.endpoints)) {
    for (const example of spec.examples) {
      const r = await sandbox.run(imageId, command, limits, { endpoint, payload: example.input });
      runs.push({
        endpoint,
        title: example.title,
        input: example.input,
        outcome: r.outcome,
        output: r.outcome === "ok" ? r.output : null,
        message: r.message ?? null,
        stderr: r.stderr.slice(-2_000),
        durationMs: Math.round(r.durationMs),
      });
    }
  }
  return runs;
}

/** Removes an image publishing built and will not use (a failed check after the build). */
export async function removeImage(docker: Docker, imageId: string): Promise<void> {
  await docker
    .getImage(imageId)
    .remove({ force: true })
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
}
