import { timingSafeEqual } from "crypto";
import { NextFunction, Request, Response, Router } from "express";
import { isJsonObject } from "./json";
import { FaultRule, Faults } from "./faults";
import { sendError } from "./httpErrors";
import { OAuthServer } from "./oauthServer";
import { PortalState } from "./state";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** The host name of a Host header or an Origin URL, lower-cased, without the port. */
function hostName(value: string): string | undefined {
  try {
    return new URL(value.includes("://") ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The guard of the control endpoints. They change the portal (expire every token, inject
 * faults), so a web page the developer happens to visit must not reach them: the Host header must
 * name a loopback host (against DNS rebinding), an Origin header, when present, must be loopback
 * too (against cross-site requests), and the request must carry the admin token printed at start.
 */
export function adminGuard(adminToken: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = hostName(req.headers.host ?? "");
    if (!host || !LOOPBACK_HOSTS.has(host))
      return sendError(res, 403, "FORBIDDEN_HOST", "Control endpoints answer loopback hosts only.");
    const origin = req.headers.origin;
    if (origin !== undefined) {
      const o = hostName(origin);
      if (!o || !LOOPBACK_HOSTS.has(o))
        return sendError(
          res,
          403,
          "FORBIDDEN_ORIGIN",
          "Control endpoints refuse cross-site requests.",
        );
    }
    const auth = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m || !sameSecret(m[1], adminToken))
      return sendError(
        res,
        401,
        "ADMIN_TOKEN_REQUIRED",
        "Send Authorization: Bearer <admin token> (printed when the emulator starts).",
      );
    next();
  };
}

/**
 * Out-of-band edits "in the portal" (what an admin would do in the UI), for tests and the demo:
 * GET/PATCH/DELETE /connectors[/:id], POST /faults (a rule or a list), POST /expire-tokens,
 * PATCH /app `{handlerUrl?, scope?}`.
 */
export function controlRoutes(deps: {
  adminToken: string;
  state: PortalState;
  faults: Faults;
  oauth: OAuthServer;
  clientId: string;
}): Router {
  const { state, faults, oauth } = deps;
  const r = Router();
  r.use(adminGuard(deps.adminToken));
  r.get("/connectors", (_req, res) => {
    res.json([...state.connectors.values()]);
  });
  r.patch("/connectors/:id", (req, res) => {
    const c = state.connectors.get(Number(req.params.id));
    if (!c) return sendError(res, 404, "NOT_FOUND", "No such connector.");
    c.fields = { ...c.fields, ...(isJsonObject(req.body) ? req.body : {}) };
    res.json(c);
  });
  r.delete("/connectors/:id", (req, res) => {
    res.json({ deleted: state.connectors.delete(Number(req.params.id)) });
  });
  r.post("/faults", (req, res) => {
    const rules: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
    if (!rules.every((x) => isJsonObject(x) && typeof x.kind === "string"))
      return sendError(res, 400, "BAD_REQUEST", "A fault rule needs a kind.");
    for (const rule of rules) faults.inject(rule as unknown as FaultRule);
    res.json({ injected: rules.length });
  });
  r.post("/expire-tokens", (_req, res) => {
    oauth.expireAll();
    res.json({ expired: true });
  });
  r.patch("/app", (req, res) => {
    const body = isJsonObject(req.body) ? req.body : {};
    const change: { handlerUrl?: string; scope?: string } = {};
    for (const key of ["handlerUrl", "scope"] as const) {
      const v = body[key];
      if (v === undefined) continue;
      if (typeof v !== "string")
        return sendError(res, 400, "BAD_REQUEST", `${key} must be a string.`);
      change[key] = v;
    }
    const app = oauth.configureApp(deps.clientId, change);
    res.json({
      clientId: app.clientId,
      handlerUrl: app.handlerUrl ?? null,
      scope: app.scope ?? null,
    });
  });
  return r;
}
