import { Request, Response, Router } from "express";
import { isJsonObject } from "./json";
import { OAuthServer } from "./oauthServer";

/**
 * The portal's authorize page and the token server's `/oauth/token/`. The token endpoint takes
 * its parameters from a GET query, a POST form body or a POST JSON body (the body wins).
 */
export function oauthRoutes(oauth: OAuthServer): Router {
  const r = Router();
  r.get("/oauth/authorize/", (req: Request, res: Response) => {
    const answer = oauth.authorize(req.query as Record<string, unknown>);
    if ("location" in answer) res.redirect(302, answer.location);
    else res.status(answer.status).json(answer.body);
  });
  r.all("/oauth/token/", (req: Request, res: Response) => {
    const { status, body } = oauth.grant({
      ...(req.query as Record<string, unknown>),
      ...(isJsonObject(req.body) ? req.body : {}),
    });
    res.status(status).json(body);
  });
  return r;
}
