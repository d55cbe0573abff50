import {
  Bitrix24AnswerTooLargeError,
  Bitrix24Error,
  Bitrix24TransportError,
} from "../../errors/errors";

/**
 * What to do after a failed request (docs/bitrix24-api.md#retry):
 * - "retry": the portal refused before doing anything (rate limit, operating limit) — safe always;
 * - "retry-if-idempotent": the request may have been applied (5xx, reset, timeout);
 * - "retry-few": the connector's endpoint failed the portal's connection check (nothing was done);
 * - "refresh": the OAuth access token expired;
 * - "fail": retrying cannot help (validation, rights, not found, overload block…).
 */
export type Verdict = "retry" | "retry-if-idempotent" | "retry-few" | "refresh" | "fail";

/**
 * The connector's endpoint did not answer the portal's check (docs/bitrix24-api.md#retry: retry with backoff). Wrong
 * credentials give the same answer, so only a few attempts, not the whole deadline.
 */
export const CONNECTION_ERRORS = new Set([
  "SOURCE_CREATE_CONNECTION_ERROR",
  "SOURCE_UPDATE_CONNECTION_ERROR",
]);
export const FEW_ATTEMPTS = 3;

const NEVER_RETRY_5XX = new Set(["OVERLOAD_LIMIT", "PORTAL_DELETED"]);

export function classify(e: unknown): Verdict {
  if (e instanceof Bitrix24AnswerTooLargeError) return "fail";
  if (e instanceof Bitrix24TransportError) return "retry-if-idempotent";
  if (!(e instanceof Bitrix24Error)) return "fail";
  if (e.code === "QUERY_LIMIT_EXCEEDED" || e.code === "OPERATION_TIME_LIMIT") return "retry";
  if (e.code === "expired_token" || e.code === "invalid_token") return "refresh";
  if (CONNECTION_ERRORS.has(e.code)) return "retry-few";
  if (e.httpStatus >= 500 && !NEVER_RETRY_5XX.has(e.code)) return "retry-if-idempotent";
  return "fail";
}

/** `add` creates a new object each time it is applied; every other biconnector method is idempotent. */
export function isIdempotent(method: string): boolean {
  return !/\.add$/.test(method);
}
