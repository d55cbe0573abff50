import { Bitrix24Error, Bitrix24TransportError } from "./errors";

/**
 * What to do after a failed request (shared/bitrix24-api.md §2.5):
 * - "retry": the portal refused before doing anything (rate limit, operating limit) — safe always;
 * - "retry-if-idempotent": the request may have been applied (5xx, reset, timeout);
 * - "refresh": the OAuth access token expired;
 * - "fail": retrying cannot help (validation, rights, not found, overload block…).
 */
export type Verdict = "retry" | "retry-if-idempotent" | "refresh" | "fail";

const NEVER_RETRY_5XX = new Set(["OVERLOAD_LIMIT", "PORTAL_DELETED"]);

export function classify(e: unknown): Verdict {
  if (e instanceof Bitrix24TransportError) return "retry-if-idempotent";
  if (!(e instanceof Bitrix24Error)) return "fail";
  if (e.code === "QUERY_LIMIT_EXCEEDED" || e.code === "OPERATION_TIME_LIMIT") return "retry";
  if (e.code === "expired_token" || e.code === "invalid_token") return "refresh";
  if (e.httpStatus >= 500 && !NEVER_RETRY_5XX.has(e.code)) return "retry-if-idempotent";
  return "fail";
}

/** `add` creates a new object each time it is applied; every other biconnector method is idempotent. */
export function isIdempotent(method: string): boolean {
  return !/\.add$/.test(method);
}
