import {
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
  wrap,
} from "cockatiel";
import { Call, Layer, Trace } from "../request";
import {
  Bitrix24DeadlineError,
  Bitrix24Error,
  Bitrix24TransportError,
  errorCode,
} from "../../errors/errors";
import { FEW_ATTEMPTS, classify } from "./verdicts";

export interface RetryOptions {
  /** Names the operation in the deadline error. */
  readonly label: string;
  /** When the operation must have ended (epoch ms): sleeps and requests are cut at this moment. */
  readonly deadline: number;
  /** The configured operation time, quoted in the deadline error (bitrix24:operationTimeoutMs). */
  readonly operationTimeoutMs: number;
  /** May an attempt be repeated after an ambiguous failure (5xx, reset, timeout)? */
  readonly idempotent: boolean;
  /** First delay; doubles per attempt, with full jitter, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Replaces the verdicts: retry exactly the errors this accepts (an OPERATION_TIME_LIMIT that
   * frees up after the deadline still stops at once).
   */
  readonly retryOn?: (e: unknown) => boolean;
  /** The operation's record of requests and errors (see ../request.ts), quoted by the deadline error. */
  readonly trace?: Trace;
  /** This loop sends the requests itself (the retry layer): it counts them in the trace. */
  readonly countsRequests?: boolean;
}

/** The settings the retry policy reads (see settings.ts). */
export interface RetrySettings {
  readonly requestTimeoutMs: number;
  readonly operationTimeoutMs: number;
  readonly retryBaseDelayMs: number;
}

export function retryOptions(
  settings: RetrySettings,
  label: string,
  deadline: number,
  idempotent: boolean,
): RetryOptions {
  return {
    label,
    deadline,
    idempotent,
    operationTimeoutMs: settings.operationTimeoutMs,
    baseDelayMs: settings.retryBaseDelayMs,
    // A sleep is cut at the deadline anyway; short delays keep a late success possible.
    maxDelayMs: Math.max(
      settings.retryBaseDelayMs,
      Math.min(10_000, settings.operationTimeoutMs / 4),
    ),
  };
}

/** When an OPERATION_TIME_LIMIT answer says its method frees up (epoch ms), if it says. */
function operatingResetMs(e: unknown): number | undefined {
  return e instanceof Bitrix24Error &&
    e.code === "OPERATION_TIME_LIMIT" &&
    e.operatingResetAt !== undefined
    ? e.operatingResetAt * 1000
    : undefined;
}

/**
 * After QUERY_LIMIT_EXCEEDED the wait is the limiter's, not the backoff's: the portal's bucket
 * drains at its rate, and the limiter, emptied by that answer (limiter.ts), lets the next request
 * go only after one interval of our share of that rate. The backoff adds only a little jitter, so
 * that clients hit at once do not come back in step; growing it exponentially as for a failing
 * server would turn a storm of 40 such answers into minutes.
 */
const RATE_LIMIT_JITTER_MS = 250;
const isRateLimited = (e: unknown): boolean =>
  e instanceof Bitrix24Error && e.code === "QUERY_LIMIT_EXCEEDED";

/** Full jitter (a random delay up to the exponential cap) keeps many clients from retrying in step. */
function jittered(o: RetryOptions, attempt: number): number {
  const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.random() * cap;
}

/** Whether the verdict on `e` allows another attempt after `attempts` made so far. */
export function verdictAllowsRetry(e: unknown, idempotent: boolean, attempts: number): boolean {
  switch (classify(e)) {
    case "retry":
      return true;
    case "retry-if-idempotent":
      return idempotent;
    case "retry-few":
      return attempts < FEW_ATTEMPTS;
    default:
      return false;
  }
}

/**
 * Runs `attempt` until it succeeds, the error's verdict says stop, or the operation's deadline
 * passes (then Bitrix24DeadlineError with the last error's code). The retry loop and the deadline
 * are cockatiel policies: the deadline aborts the signal an attempt receives, so an HTTP request in
 * flight is cut too. This is the only retry loop of the package; the lost-answer reconciliation of
 * `add` runs inside it as well.
 */
export async function retrying<T>(
  attempt: (signal: AbortSignal, timeLeftMs: number) => Promise<T>,
  o: RetryOptions,
): Promise<T> {
  let attempts = 0;
  let last: unknown;
  const mayRetry = (e: Error): boolean => {
    last = e;
    o.trace?.failed(e);
    // The portal says when the method frees up: wait for that if the deadline allows, else stop
    // now (the error says when) instead of knocking every few seconds until the deadline.
    const freesAt = operatingResetMs(e);
    if (freesAt !== undefined && freesAt > o.deadline) return false;
    if (o.retryOn) return o.retryOn(e);
    if (freesAt !== undefined) return true;
    return verdictAllowsRetry(e, o.idempotent, attempts);
  };
  // What the deadline error quotes: the operation's requests and last error when it keeps them
  // (an inner loop may have sent many while this one waited on its first), else this loop's own.
  const deadlineError = (): Bitrix24DeadlineError => {
    const lastError = o.trace?.last ?? last;
    return new Bitrix24DeadlineError(
      o.label,
      o.trace ? o.trace.attempts : attempts,
      lastError === undefined ? "no answer yet" : errorCode(lastError),
      o.operationTimeoutMs,
    );
  };
  const left = o.deadline - Date.now();
  if (left <= 0) {
    if (o.trace?.last !== undefined) throw deadlineError();
    throw new Bitrix24DeadlineError(o.label, 0, "no time left", o.operationTimeoutMs);
  }
  const policy = wrap(
    timeout(left, TimeoutStrategy.Aggressive),
    retry(handleWhen(mayRetry), {
      maxAttempts: Number.POSITIVE_INFINITY,
      backoff: new DelegateBackoff((ctx) => {
        const error = "error" in ctx.result ? ctx.result.error : undefined;
        const freesAt = operatingResetMs(error);
        const wait = isRateLimited(error)
          ? Math.random() * Math.min(o.maxDelayMs, RATE_LIMIT_JITTER_MS)
          : jittered(o, ctx.attempt);
        return freesAt === undefined ? wait : Math.max(wait, freesAt - Date.now());
      }),
    }).dangerouslyUnref(), // a sleep cut by the deadline must not keep the process alive
  );
  try {
    return await policy.execute(({ signal }) => {
      if (signal.aborted) throw new TaskCancelledError();
      attempts++;
      if (o.countsRequests) o.trace?.attempt();
      return attempt(signal, o.deadline - Date.now());
    });
  } catch (e) {
    if (e instanceof TaskCancelledError) throw deadlineError();
    throw e;
  }
}

/**
 * The retry layer: each attempt gets the time left (at most one request timeout) and the
 * deadline's abort signal. A non-idempotent call that failed ambiguously is reported as a
 * Bitrix24TransportError: the caller must find out whether it was applied before adding again.
 */
export function retryLayer(settings: RetrySettings, onRetry: () => void = () => {}): Layer {
  return (next: Call): Call =>
    async (req) => {
      let first = true;
      try {
        return await retrying(
          (signal, leftMs) => {
            if (!first) onRetry();
            first = false;
            return next({
              ...req,
              signal,
              timeoutMs: Math.max(1, Math.min(settings.requestTimeoutMs, leftMs)),
            });
          },
          {
            ...retryOptions(settings, req.method, req.deadline, req.idempotent),
            trace: req.trace,
            countsRequests: true,
            // A call that is not idempotent (an `add`, a batch with one) is never sent twice here,
            // whatever its error said: a portal may apply it and still answer 503 or
            // QUERY_LIMIT_EXCEEDED. Its caller looks for what it made before adding again
            // (Operation.addOnce).
            ...(req.idempotent ? {} : { retryOn: () => false }),
          },
        );
      } catch (e) {
        if (!req.idempotent && e instanceof Bitrix24Error && classify(e) === "retry-if-idempotent")
          throw new Bitrix24TransportError(
            req.method,
            `HTTP ${e.httpStatus} ${e.code}`,
            e.httpStatus,
          );
        throw e;
      }
    };
}
