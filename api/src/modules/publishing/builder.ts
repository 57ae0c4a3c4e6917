// The executor's image builder as publishing sees it: its build routes over HTTP, authenticated
// with the executor secret like execute calls.
import type { SkillManifest } from "@skill-marketplace/sdk";
import { DomainError } from "../../errors.js";
import type { SourceFile } from "./archive.js";
import type { Builder, ExampleRun } from "./service.js";

export class ExecutorBuilder implements Builder {
  constructor(private readonly o: { executorUrl: string; secret: string }) {}

  private async request<T>(method: string, path: string, body?: unknown, timeoutMs = 600_000): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.o.executorUrl), {
        method,
        headers: { "content-type": "application/json", authorization: `Bearer ${this.o.secret}` },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DomainError("builder_unavailable", `the executor does not answer: ${(error as Error).message}`);
    }
    if (response.status === 204) return undefined as T;
    const answer = (await response.json().catch(() => null)) as (T & { error?: { code?: string; message?: string; details?: unknown } }) | null;
    if (response.ok && answer) return answer;
    if (answer?.error?.code === "build_failed") throw new DomainError("build_failed", answer.error.message ?? "the image build failed", answer.error.details);
    throw new DomainError("builder_unavailable", `the executor answered ${response.status}: ${answer?.error?.message ?? "no message"}`);
  }

  build(manifest: SkillManifest, files: SourceFile[]) {
    return this.request<{ imageId: string; log: string }>("POST", "/v1/builds", {
      manifest,
      files: files.map((f) => ({ path: f.path, mode: f.mode, data: f.data.toString("base64") })),
    });
  }

  async examples(imageId: string, manifest: SkillManifest): Promise<ExampleRun[]> {
    return (await this.request<{ runs: ExampleRun[] }>("POST", `/v1/builds/${imageId}/examples`, { manifest })).runs;
  }

  async remove(imageId: string): Promise<void> {
    await this.request("DELETE", `/v1/images/${imageId}`);
  }
}
