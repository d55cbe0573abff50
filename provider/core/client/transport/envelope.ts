import { answerText } from "./answerValues";
import { Bitrix24Error, Bitrix24TransportError } from "../../errors/errors";
import { resetOf } from "../limits/operatingBudget";
import { JsonObject, JsonValue, isJsonObject } from "../../schema/spec";

/**
 * The `result` of a Bitrix24 answer, or the error it holds: a root-level `error` (system errors such
 * as expired_token or QUERY_LIMIT_EXCEEDED), or, for the biconnector module, `result.error` with
 * HTTP 200 (docs/bitrix24-api.md#envelopes) — both accepted at any status.
 */
export function readEnvelope(method: string, status: number, data: unknown): JsonValue {
  if (isJsonObject(data)) {
    if (typeof data.error === "string" && data.error !== "")
      throw new Bitrix24Error(
        method,
        data.error,
        answerText(data.error_description),
        status,
        resetAt(data),
      );
    const result = data.result;
    if (isJsonObject(result) && isJsonObject(result.error) && "error" in result.error)
      throw new Bitrix24Error(
        method,
        answerText(result.error.error ?? ""),
        answerText(result.error.error_description),
        status,
      );
    if (status < 400 && "result" in data) return result as JsonValue;
  }
  if (status >= 500 || status === 0)
    throw new Bitrix24TransportError(method, `HTTP ${status}`, status);
  // A 2xx that is no envelope (a proxy's HTML page, a bare id, truncated JSON) may follow a write
  // the portal applied: ambiguous exactly like a lost answer, so an `add` looks before adding again.
  if (status < 300)
    throw new Bitrix24TransportError(
      method,
      `unreadable answer (HTTP ${status}, ${typeof data === "string" ? "not a JSON envelope" : "no result"})`,
      status,
    );
  throw new Bitrix24Error(method, `HTTP_${status}`, "unexpected response without result", status);
}

/**
 * `time.operating_reset_at` (unix seconds) of an OPERATION_TIME_LIMIT answer: when the method's
 * operating budget frees up. Other answers, and a missing or odd value, give undefined.
 */
function resetAt(data: JsonObject): number | undefined {
  return data.error === "OPERATION_TIME_LIMIT" ? resetOf(data.time) : undefined;
}
