// A refused or failed call, with its code (sdk execute.ts: the one list of codes and statuses)
// and words a person can act on. Every refusal happens before a container starts.
import { EXECUTE_ERROR_STATUS, type ExecuteErrorCode } from "@skill-marketplace/sdk";

export class ExecuteError extends Error {
  readonly status: number;
  constructor(
    readonly code: ExecuteErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = EXECUTE_ERROR_STATUS[code];
  }
}
