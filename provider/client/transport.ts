import axios from "axios";
import { Bitrix24Error, Bitrix24TransportError } from "./errors";
import { isJsonObject, JsonValue } from "../schema/spec";

/** One POST with a JSON body; every status is read as a Bitrix24 envelope. */
export async function postJson(
  method: string,
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; data: unknown }> {
  try {
    const res = await axios.post(url, body, {
      timeout: timeoutMs,
      validateStatus: () => true,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": "pulumi-bitrix24-biconnector",
      },
      // Plain text in, so an HTML error page from a proxy does not throw inside axios.
      responseType: "text",
      transitional: {
        silentJSONParsing: true,
        forcedJSONParsing: false,
        clarifyTimeoutError: true,
      },
      maxRedirects: 0,
    });
    return { status: res.status, data: parseBody(res.data) };
  } catch (e) {
    // Never rethrow the axios error: its config holds the URL and body (webhook secret, token).
    const code = axios.isAxiosError(e) ? (e.code ?? "network error") : "network error";
    throw new Bitrix24TransportError(
      method,
      code === "ETIMEDOUT" || code === "ECONNABORTED" ? `timeout after ${timeoutMs} ms` : code,
    );
  }
}

function parseBody(text: unknown): unknown {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The `result` of a Bitrix24 answer, or the error it holds: a root-level `error` or, for the
 * biconnector module, `result.error` with HTTP 200 — both accepted at any status.
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
