import { answerNumber, answerText } from "../transport/answerValues";
import { Bitrix24Error } from "../../errors/errors";
import { registerSecret } from "../../errors/redact";
import { isJsonObject } from "../../schema/spec";
import { Transport } from "../transport/transport";
import { StoredTokens } from "../stores/tokenStore";

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

/** What the token server is asked for: a refresh, or (login) the exchange of a sign-in's code. */
export type TokenGrant =
  | { grant_type: "refresh_token"; refresh_token: string }
  | { grant_type: "authorization_code"; code: string };

/** The one request to the token server (`<oauthUrl>oauth/token/`, a form), read as a pair. */
export async function requestTokens(
  transport: Transport,
  app: { oauthUrl: string; clientId: string; clientSecret: string },
  grant: TokenGrant,
  limits: { timeoutMs: number; maxBytes?: number },
  now: () => number = Date.now,
): Promise<TokenAnswer> {
  return readTokenAnswer(
    await transport({
      url: `${app.oauthUrl}oauth/token/`,
      form: { ...grant, client_id: app.clientId, client_secret: app.clientSecret },
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      label: TOKEN_METHOD,
    }),
    now,
  );
}

/** The entry a token store keeps for a pair the token server gave. */
export function storedPair(
  portalUrl: string,
  clientId: string,
  answer: TokenAnswer,
  origin: string,
  now: number = Date.now(),
): StoredTokens {
  return {
    version: 1,
    portal: new URL(portalUrl).origin,
    clientId,
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    expires: answer.expires,
    origin,
    updatedAt: new Date(now).toISOString(),
  };
}
