import { Layer } from "./call";
import { OAuthSession } from "./oauth";
import { classify } from "./verdicts";
import { JsonObject } from "../schema/spec";

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
}

export function webhookAuth(webhookUrl: string): AuthStrategy {
  return {
    url: (method) => webhookUrl + method,
    sign: async (params) => ({ params }),
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

/** Signs each call; on `expired_token` refreshes once and repeats the call (through the layers below). */
export function authLayer(strategy: AuthStrategy, counters: { refreshes: number }): Layer {
  return (next) => async (req) => {
    for (let refreshed = false; ; refreshed = true) {
      const { params, token } = await strategy.sign(req.params);
      try {
        return await next({ ...req, url: strategy.url(req.method), params });
      } catch (e) {
        if (refreshed || !strategy.refresh || classify(e) !== "refresh") throw e;
        counters.refreshes++;
        await strategy.refresh(token);
      }
    }
  };
}
