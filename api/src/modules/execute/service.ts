// Execute calls: the api authenticates the agent (API key) and relays the call, with the agent's
// wallet, to the executor service, which checks the license, runs the skill and signs the receipt.
// The executor's answer (result, or an error with its code) is passed on as it came.
import { EXECUTE_ERROR_STATUS, type ExecuteErrorCode, type PaymentRequirements } from "@skill-marketplace/sdk";
import { DomainError } from "../../errors.js";

export interface ExecuteInput {
  skill: string;
  agentWallet: string;
  token: string | undefined;
  endpoint: string;
  payload: unknown;
}

export class Execute {
  constructor(private readonly o: { executorUrl: string; secret: string; timeoutMs?: number }) {}

  async call(input: ExecuteInput): Promise<unknown> {
    return this.post("/v1/calls", input);
  }

  /** A call paid with x402 (`payment` = the PAYMENT-SIGNATURE header; without it, the executor says what to pay). */
  async paid(input: { skill: string; endpoint: string; payload: unknown; payment: string | undefined }): Promise<unknown> {
    return this.post("/v1/paid-calls", input);
  }

  /**
   * What one call of `skill` costs over x402 now, as its 402 would ask; null when it is not paid per call (or the
   * executor cannot say: the details then just leave the offer out).
   */
  async requirements(skill: string): Promise<PaymentRequirements | null> {
    try {
      const answer = (await this.post(`/v1/paid-calls/${skill}/requirements`)) as { requirements: PaymentRequirements };
      return answer.requirements;
    } catch (error) {
      if (error instanceof DomainError) return null;
      throw error;
    }
  }

  private async post(path: string, input?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.o.executorUrl), {
        method: input === undefined ? "GET" : "POST",
        headers: { ...(input === undefined ? {} : { "content-type": "application/json" }), authorization: `Bearer ${this.o.secret}` },
        body: input === undefined ? undefined : JSON.stringify(input),
        // The sandbox's own limit is at most 60 s; more than that is an executor that went away.
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 90_000),
      });
    } catch (error) {
      throw new DomainError("executor_unavailable", `the executor does not answer: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null;
    if (response.ok && body) return body;
    const code = body?.error?.code;
    if (code && code in EXECUTE_ERROR_STATUS) {
      const details = body!.error!.details;
      const retryAfter = typeof details?.retryAfter === "number" ? details.retryAfter : undefined;
      throw new DomainError(code as ExecuteErrorCode, body!.error!.message ?? code, details, retryAfter);
    }
    throw new DomainError("executor_unavailable", `the executor answered ${response.status}${code ? ` (${code})` : ""}`);
  }
}
