import { Bitrix24Error, Bitrix24TransportError } from "./errors";
import { JsonValue, isJsonObject } from "../schema/spec";

/**
 * The `result` of a Bitrix24 answer, or the error it holds: a root-level `error` (system errors such
 * as expired_token or QUERY_LIMIT_EXCEEDED), or, for the biconnector module, `result.error` with
 * HTTP 200 (docs/bitrix24-api.md) — both accepted at any status.
 */
export function readEnvelope(method: string, status: number, data: unknown): JsonValue {
  if (isJsonObject(data)) {
    if (typeof data.error === "string" && data.error !== "")
      throw new Bitrix24Error(method, data.error, String(data.error_description ?? ""), status);
    const result = data.result;
    if (isJsonObject(result) && isJsonObject(result.error) && "error" in result.error)
      throw new Bitrix24Error(
        method,
        String(result.error.error ?? ""),
        String(result.error.error_description ?? ""),
        status,
      );
    if (status < 400 && "result" in data) return result as JsonValue;
  }
  if (status >= 500 || status === 0)
    throw new Bitrix24TransportError(method, `HTTP ${status}`, status);
  throw new Bitrix24Error(method, `HTTP_${status}`, "unexpected response without result", status);
}
