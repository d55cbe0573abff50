import axios from "axios";
import { Bitrix24Error, Bitrix24TransportError } from "./errors";
import { registerSecret } from "./redact";
import { isJsonObject } from "../schema/spec";

export const TOKEN_METHOD = "oauth/token";

/** A POST with a form body to the token server (the shape of the client's `Transport`). */
export type TokenTransport = (req: {
  url: string;
  form: Record<string, string>;
  timeoutMs: number;
}) => Promise<{ status: number; data: unknown }>;

/**
 * The default token-server transport: a form POST (secrets in the body, never in the URL, which
 * proxies and servers log), no redirects followed, the request's own timeout.
 */
export function formTransport(): TokenTransport {
  return async ({ url, form, timeoutMs }) => {
    try {
      const res = await axios.post(url, new URLSearchParams(form).toString(), {
        timeout: timeoutMs,
        maxRedirects: 0,
        validateStatus: () => true,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
          "User-Agent": "pulumi-bitrix24-biconnector",
        },
        responseType: "text",
        transitional: { silentJSONParsing: true, forcedJSONParsing: false },
      });
      let data: unknown = res.data;
      try {
        data = JSON.parse(String(res.data));
      } catch {
        // Not JSON (an HTML error page): the status tells the rest.
      }
      return { status: res.status, data };
    } catch (e) {
      // Never rethrow the axios error: its config holds the form with the client secret.
      const code = axios.isAxiosError(e) ? (e.code ?? "network error") : "network error";
      throw new Bitrix24TransportError(
        TOKEN_METHOD,
        code === "ECONNABORTED" || code === "ETIMEDOUT" ? `timeout after ${timeoutMs} ms` : code,
      );
    }
  };
}

export interface TokenAnswer {
  accessToken: string;
  refreshToken: string;
  /** Unix seconds: the answer's `expires`, else now + `expires_in` (1 hour when absent). */
  expires: number;
  scope?: string;
  memberId?: string;
  domain?: string;
}

/** The pair of a token-server answer, or its error as a Bitrix24Error of `oauth/token`. */
export function readTokenAnswer(
  res: { status: number; data: unknown },
  now: () => number = Date.now,
): TokenAnswer {
  const { status, data } = res;
  if (
    status < 300 &&
    isJsonObject(data) &&
    typeof data.access_token === "string" &&
    typeof data.refresh_token === "string"
  ) {
    registerSecret(data.access_token);
    registerSecret(data.refresh_token);
    const expiresIn = Number(data.expires_in);
    const expires = Number(data.expires);
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token,
      expires:
        Number.isFinite(expires) && expires > 0
          ? expires
          : Math.floor(now() / 1000) +
            (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600),
      scope: typeof data.scope === "string" ? data.scope : undefined,
      memberId: typeof data.member_id === "string" ? data.member_id : undefined,
      domain: typeof data.domain === "string" ? data.domain : undefined,
    };
  }
  const code = isJsonObject(data) && typeof data.error === "string" ? data.error : `HTTP_${status}`;
  const description = isJsonObject(data) ? String(data.error_description ?? "") : "";
  throw new Bitrix24Error(TOKEN_METHOD, code, description, status);
}
