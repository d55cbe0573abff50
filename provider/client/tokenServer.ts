import { answerNumber, answerText } from "./answerText";
import { Bitrix24Error } from "./errors";
import { registerSecret } from "./redact";
import { isJsonObject } from "../schema/spec";

export const TOKEN_METHOD = "oauth/token";

export interface TokenAnswer {
  accessToken: string;
  refreshToken: string;
  /**
   * Unix seconds: the answer's `expires`, else (absent, or already past by our clock) now +
   * `expires_in` (1 hour when absent too).
   */
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
    // A pair with an empty token is no pair: saved, it would fail the next run with a message
    // naming neither the token server nor what was wrong. Refused at once, nothing saved.
    const empty = !data.access_token ? "access_token" : !data.refresh_token ? "refresh_token" : "";
    if (empty)
      throw new Bitrix24Error(
        TOKEN_METHOD,
        "INVALID_TOKEN_ANSWER",
        `the token server answered HTTP ${status} with an empty ${empty}; nothing was saved`,
        status,
      );
    registerSecret(data.access_token);
    registerSecret(data.refresh_token);
    const expiresIn = answerNumber(data.expires_in);
    const expires = answerNumber(data.expires);
    const nowSec = Math.floor(now() / 1000);
    const lifeSec = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600;
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token,
      // A fresh token's `expires` in our past means the clocks disagree: its life in seconds holds.
      expires: Number.isFinite(expires) && expires > nowSec ? expires : nowSec + lifeSec,
      scope: typeof data.scope === "string" ? data.scope : undefined,
      memberId: typeof data.member_id === "string" ? data.member_id : undefined,
      domain: typeof data.domain === "string" ? data.domain : undefined,
    };
  }
  const code = isJsonObject(data) && typeof data.error === "string" ? data.error : `HTTP_${status}`;
  const description = isJsonObject(data) ? answerText(data.error_description) : "";
  throw new Bitrix24Error(TOKEN_METHOD, code, description, status);
}
