import { RedactedError, redactField } from "./redact";

/**
 * Where the time an operating-budget refusal names came from: the portal's answer, the method's
 * last answer, or (none known) a whole window (see client/limits/operatingBudget.ts).
 */
export type ResetSource = "answer" | "last answer" | "window";

const RESET_SOURCES: Record<ResetSource, string> = {
  answer: "",
  "last answer": ", as its last answer said: this one carried no time",
  window: ", at the latest: no answer said when, and the portal's window is 10 minutes",
};

/** An error answer from Bitrix24 (root-level or inside `result`, at any HTTP status). */
export class Bitrix24Error extends RedactedError {
  readonly code: string;
  readonly description: string;
  constructor(
    readonly method: string,
    code: string,
    description: string,
    readonly httpStatus: number,
    /** OPERATION_TIME_LIMIT: when the method frees up (unix seconds, `time.operating_reset_at`). */
    readonly operatingResetAt?: number,
    /** Where that time came from: the answer, the method's last answer, or a whole window. */
    readonly resetSource: ResetSource = "answer",
  ) {
    const safeCode = redactField(code, 100);
    const frees =
      operatingResetAt !== undefined
        ? ` (the operating-time budget of ${method} is spent; it resets at ` +
          `${new Date(operatingResetAt * 1000).toISOString()}${RESET_SOURCES[resetSource]})`
        : "";
    const safeDescription = redactField(description) + frees;
    super(
      `Bitrix24 ${method} failed with ${safeCode || "(empty code)"}: ${safeDescription || "no description"} (HTTP ${httpStatus})`,
    );
    this.code = safeCode;
    this.description = safeDescription;
    this.scrub();
  }
}

/**
 * The request may or may not have reached the portal (connection reset, timeout, 5xx): for a
 * non-idempotent call the caller must find out before trying again.
 */
export class Bitrix24TransportError extends RedactedError {
  readonly reason: string;
  constructor(
    readonly method: string,
    reason: string,
    readonly httpStatus?: number,
  ) {
    const safeReason = redactField(reason);
    super(`Bitrix24 ${method}: ${safeReason}; the request may or may not have been applied`);
    this.reason = safeReason;
    this.scrub();
  }
}

/**
 * The answer was larger than bitrix24:maxResponseBytes and was cut off unread. Asking again would
 * fetch the same page (a proxy's error page, a runaway answer): not retried — except that for an
 * `add` it is ambiguous like any unreadable answer, so the caller looks for the committed object.
 */
export class Bitrix24AnswerTooLargeError extends Bitrix24TransportError {
  constructor(method: string, limitBytes: number) {
    super(
      method,
      `answer larger than ${limitBytes} bytes (bitrix24:maxResponseBytes), cut off unread`,
    );
  }
}

/** The operation's total time ran out while retrying. */
export class Bitrix24DeadlineError extends RedactedError {
  readonly lastCode: string;
  constructor(
    readonly method: string,
    readonly attempts: number,
    lastCode: string,
    deadlineMs: number,
  ) {
    const safeCode = redactField(lastCode, 200);
    super(
      `Bitrix24 ${method} did not succeed within ${(deadlineMs / 1000).toFixed(1)} s ` +
        `(bitrix24:operationTimeoutMs) after ${attempts} attempt(s); last error: ${safeCode}`,
    );
    this.lastCode = safeCode;
    this.scrub();
  }
}

/**
 * A 2xx answer that does not hold what the method promises (no object in a `get`, a wrong type,
 * an id beyond 2^53): the portal or a proxy in front of it misbehaves. Names the method.
 */
export class Bitrix24AnswerError extends RedactedError {
  constructor(
    readonly method: string,
    readonly problem: string,
  ) {
    super(`Bitrix24 ${method} gave an unusable answer: ${redactField(problem)}`);
    this.problem = redactField(problem);
    this.scrub();
  }
}

/** A provider-level failure (adoption refused, an explained API error, an unfinished create). */
export class Bitrix24ProviderError extends RedactedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.scrub();
  }
}

/** Missing or contradictory provider settings. */
export class Bitrix24ConfigError extends RedactedError {
  constructor(message: string) {
    super(message);
    this.scrub();
  }
}

export function errorCode(e: unknown): string {
  if (e instanceof Bitrix24Error) return e.code;
  if (e instanceof Bitrix24TransportError)
    return e.httpStatus ? `HTTP ${e.httpStatus}: ${e.reason}` : e.reason;
  return e instanceof Error ? e.name : String(e);
}
