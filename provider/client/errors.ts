import { redact } from "./redact";

/** An error answer from Bitrix24 (root-level or inside `result`, at any HTTP status). */
export class Bitrix24Error extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    readonly description: string,
    readonly httpStatus: number,
  ) {
    super(
      redact(
        `Bitrix24 ${method} failed with ${code || "(empty code)"}: ${description || "no description"} (HTTP ${httpStatus})`,
      ),
    );
    this.name = "Bitrix24Error";
    this.description = redact(description);
  }
}

/**
 * The request may or may not have reached the portal (connection reset, timeout, 5xx): for a
 * non-idempotent call the caller must find out before trying again.
 */
export class Bitrix24TransportError extends Error {
  constructor(
    readonly method: string,
    readonly reason: string,
    readonly httpStatus?: number,
  ) {
    super(redact(`Bitrix24 ${method}: ${reason}; the request may or may not have been applied`));
    this.name = "Bitrix24TransportError";
  }
}

/** The operation's total time ran out while retrying. */
export class Bitrix24DeadlineError extends Error {
  constructor(
    readonly method: string,
    readonly attempts: number,
    readonly lastCode: string,
    deadlineMs: number,
  ) {
    super(
      redact(
        `Bitrix24 ${method} did not succeed within ${(deadlineMs / 1000).toFixed(1)} s ` +
          `(bitrix24:operationTimeoutMs) after ${attempts} attempt(s); last error: ${lastCode}`,
      ),
    );
    this.name = "Bitrix24DeadlineError";
  }
}

/** Missing or contradictory provider settings. */
export class Bitrix24ConfigError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = "Bitrix24ConfigError";
  }
}

export function errorCode(e: unknown): string {
  if (e instanceof Bitrix24Error) return e.code;
  if (e instanceof Bitrix24TransportError) return e.httpStatus ? `HTTP ${e.httpStatus}` : e.reason;
  return e instanceof Error ? e.name : String(e);
}
