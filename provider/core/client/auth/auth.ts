import { Layer } from "../request";
import { Bitrix24Error } from "../../errors/errors";
import { OAuthSession } from "./oauth";
import { classify } from "../retry/verdicts";
import { JsonObject } from "../../schema/spec";

/**
 * How a call is addressed and signed. A webhook carries its secret in the URL path; an OAuth
 * application sends `auth=<access token>` in the body and can refresh an expired token.
 */
export interface AuthStrategy {
  url(method: string): string;
  /** The params to send and the access token used (to tell a stale token on refresh). */
  sign(params: JsonObject): Promise<{ params: JsonObject; token?: string }>;
  /** Replaces `stale` with a fresh access token (shared with concurrent callers). */
  refresh?(stale: string | undefined): Promise<void>;
  /** Words added to an ACCESS_DENIED answer: what this kind of credential cannot do. */
  readonly accessDeniedHint?: string;
}

export function webhookAuth(webhookUrl: string): AuthStrategy {
  return {
    url: (method) => webhookUrl + method,
    sign: async (params) => ({ params }),
    accessDeniedHint:
      "the biconnector connector, source and dataset methods answer ACCESS_DENIED to an incoming " +
      "webhook: they work only for an OAuth application (a local application with the biconnector " +
      "scope). Set bitrix24:portalUrl, clientId, clientSecret and refreshToken instead of bitrix24:webhookUrl",
  };
}

export function oauthAuth(portalUrl: string, session: OAuthSession): AuthStrategy {
  const base = portalUrl.endsWith("/rest/") ? portalUrl : `${portalUrl}rest/`;
  return {
    url: (method) => base + method,
    sign: async (params) => {
      const token = await session.token();
      return { params: { ...params, auth: token }, token };
    },
    refresh: (stale) => session.refresh(stale),
  };
}

/** An ACCESS_DENIED answer with what this kind of credential cannot do (a batch command's too). */
export function withAccessHint(strategy: AuthStrategy, e: unknown): unknown {
  if (!strategy.accessDeniedHint || !(e instanceof Bitrix24Error) || e.code !== "ACCESS_DENIED")
    return e;
  if (e.description.includes(strategy.accessDeniedHint)) return e;
  return new Bitrix24Error(
    e.method,
    e.code,
    `${e.description} — ${strategy.accessDeniedHint}`,
    e.httpStatus,
  );
}

/**
 * Signs each call; on `expired_token` refreshes once and repeats the call (through the layers
 * below) — an idempotent call only.
 */
export function authLayer(strategy: AuthStrategy, counters: { refreshes: number }): Layer {
  return (next) => async (req) => {
    for (let refreshed = false; ; refreshed = true) {
      const { params, token } = await strategy.sign(req.params);
      try {
        return await next({ ...req, url: strategy.url(req.method), params });
      } catch (e) {
        if (strategy.accessDeniedHint && e instanceof Bitrix24Error && e.code === "ACCESS_DENIED")
          throw withAccessHint(strategy, e);
        if (refreshed || !strategy.refresh || classify(e) !== "refresh") throw e;
        counters.refreshes++;
        await strategy.refresh(token);
        // An `add` is not sent again from here: a portal may have applied it and still answered
        // expired_token. Its caller looks for what it made first (Operation.addOnce), then repeats
        // it — signed with the fresh token.
        if (!req.idempotent) throw e;
      }
    }
  };
}
