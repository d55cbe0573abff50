import { systemError } from "../apiError";
import { truthy } from "./batch";
import { Handler } from "./context";

/** Scopes this emulated portal offers (what `scope` with `full` lists). */
export const PORTAL_SCOPES = ["biconnector", "crm", "department", "entity", "log", "user"];

/**
 * Methods of the basic scope a credentials check needs:
 * - `scope`: the caller's scopes (basic not listed); with a truthy `full`, every scope of the
 *   portal (form-encoded "false" is a non-empty string, hence truthy, as in PHP).
 * - `app.info`: the calling application `{ID, CODE, VERSION, STATUS, INSTALLED, PAYMENT_EXPIRED,
 *   DAYS, LANGUAGE_ID, LICENSE, LICENSE_TYPE, LICENSE_FAMILY}` — the documented answer has no
 *   SCOPE key, so neither does this one; a webhook gets 400 ACCESS_DENIED "Access denied!
 *   Application context required".
 */
export function systemMethods(): Record<string, Handler> {
  return {
    scope: (ctx) =>
      truthy(ctx.params.full) ? PORTAL_SCOPES : ctx.scopes.filter((s) => s !== "basic"),
    "app.info": (ctx) => {
      if (!ctx.app)
        throw systemError(400, "ACCESS_DENIED", "Access denied! Application context required");
      return {
        ID: 1,
        CODE: ctx.app,
        VERSION: 1,
        STATUS: "L",
        INSTALLED: true,
        PAYMENT_EXPIRED: "N",
        DAYS: null,
        LANGUAGE_ID: "en",
        LICENSE: "en_project",
        LICENSE_TYPE: "project",
        LICENSE_FAMILY: "project",
      };
    },
  };
}
