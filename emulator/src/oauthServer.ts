import { randomBytes } from "crypto";

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /**
   * The application's handler URL: where the portal's authorize page sends the browser with
   * `code` and `state` (the authorize request itself carries no redirect URL).
   */
  handlerUrl?: string;
  /** Comma-separated scopes the application holds (default `biconnector`). */
  scope?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/** Where the token server and the portal live, for the fields of its answers. */
export interface OAuthEndpoints {
  /** The portal's base URL (`client_endpoint` is its `rest/`). */
  portalUrl: string;
  /** The token server's base URL (`server_endpoint` is its `rest/`). */
  oauthUrl: string;
}

export interface OAuthServerOptions {
  accessTtlSec: number;
  /** The clock, in ms since the epoch: tests age codes and tokens without sleeping. */
  now: () => number;
  /** Answer the code exchange as the docs' example shows it (see EmulatorOptions). */
  codeAnswerDocsExample?: boolean;
}

type Answer = { status: number; body: Record<string, string | number> };
export type AuthorizeAnswer =
  | { status: 302; location: string }
  | { status: number; body: { error: string; error_description: string } };

/** An authorization code lives 30 seconds and works once. */
export const CODE_TTL_MS = 30_000;
const DEFAULT_SCOPE = "biconnector";

const randomToken = (): string => randomBytes(16).toString("hex");
const refusal = (status: number, error: string, error_description: string) => ({
  status,
  body: { error, error_description },
});

interface AccessGrant {
  clientId: string;
  scope: string;
  expiresAt: number;
}

/**
 * The emulated token server (oauth.bitrix.info) together with the portal's authorize page.
 * Refresh tokens are strictly single use: the answer to a refresh carries a new pair, and the
 * used refresh token and the access token issued with it stop working. Access tokens expire
 * after `accessTtlSec`; authorization codes after 30 s, and are single use too.
 */
export class OAuthServer {
  private readonly apps = new Map<string, OAuthApp>();
  private readonly access = new Map<string, AccessGrant>();
  /** refresh token → the client id and the access token issued with it. */
  private readonly refresh = new Map<string, { clientId: string; accessToken: string }>();
  private readonly codes = new Map<string, { clientId: string; issuedAt: number }>();
  /** The portal's member id: the same in every answer of this emulator. */
  readonly memberId = randomBytes(16).toString("hex");
  private endpoints: OAuthEndpoints = { portalUrl: "", oauthUrl: "" };
  /** Successful refreshes (a pair rotated). */
  refreshes = 0;
  /** Every refresh_token request that reached the token server, refused ones included. */
  refreshAttempts = 0;
  /** Successful authorization-code exchanges. */
  codeExchanges = 0;
  /** Every authorization_code request that reached the token server, refused ones included. */
  codeExchangeAttempts = 0;

  constructor(private readonly options: OAuthServerOptions) {}

  /** Set once the server listens and its address is known. */
  setEndpoints(endpoints: OAuthEndpoints): void {
    this.endpoints = endpoints;
  }

  addApp(app: OAuthApp): void {
    this.apps.set(app.clientId, app);
  }

  /** Changes an installed application's handler URL or scope (affects tokens issued later). */
  configureApp(clientId: string, change: { handlerUrl?: string; scope?: string }): OAuthApp {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`no application ${clientId}`);
    if (change.handlerUrl !== undefined) app.handlerUrl = change.handlerUrl;
    if (change.scope !== undefined) app.scope = change.scope;
    return app;
  }

  private scopeOf(clientId: string): string {
    return this.apps.get(clientId)?.scope ?? DEFAULT_SCOPE;
  }

  /** A new token pair for an installed app (what the install callback would deliver). */
  issue(clientId: string): TokenPair {
    const pair = { accessToken: randomToken(), refreshToken: randomToken() };
    this.access.set(pair.accessToken, {
      clientId,
      scope: this.scopeOf(clientId),
      expiresAt: this.options.now() + this.options.accessTtlSec * 1000,
    });
    this.refresh.set(pair.refreshToken, { clientId, accessToken: pair.accessToken });
    return pair;
  }

  /** The grant behind a live access token; "expired" or undefined (unknown) otherwise. */
  resolve(accessToken: string): { clientId: string; scopes: string[] } | "expired" | undefined {
    const t = this.access.get(accessToken);
    if (!t) return undefined;
    if (t.expiresAt <= this.options.now()) return "expired";
    return { clientId: t.clientId, scopes: t.scope.split(",").map((s) => s.trim()) };
  }

  /** Every access token issued so far expires now (refresh tokens stay valid). */
  expireAll(): void {
    for (const t of this.access.values()) t.expiresAt = 0;
  }

  /**
   * The portal's `/oauth/authorize/?client_id=…&state=…`: for a signed-in user of an installed
   * application, a redirect to its handler with a fresh code.
   */
  authorize(params: Record<string, unknown>): AuthorizeAnswer {
    const clientId = typeof params.client_id === "string" ? params.client_id : "";
    const app = this.apps.get(clientId);
    if (!app)
      return refusal(400, "invalid_client", "The application is not installed on this portal");
    if (!app.handlerUrl)
      return refusal(400, "invalid_request", "The application has no handler URL");
    const code = randomToken();
    this.codes.set(code, { clientId, issuedAt: this.options.now() });
    const target = new URL(app.handlerUrl);
    const portal = new URL(this.endpoints.portalUrl);
    const query: Record<string, string> = {
      code,
      domain: portal.host,
      member_id: this.memberId,
      scope: this.scopeOf(clientId),
      server_domain: new URL(this.endpoints.oauthUrl).host,
    };
    if (typeof params.state === "string") query.state = params.state;
    for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
    return { status: 302, location: target.toString() };
  }

  /** `/oauth/token/`: grant_type refresh_token or authorization_code. */
  grant(params: Record<string, unknown>): Answer {
    const grantType = params.grant_type;
    if (grantType === "refresh_token") this.refreshAttempts++;
    else if (grantType === "authorization_code") this.codeExchangeAttempts++;
    else
      return refusal(
        400,
        "invalid_request",
        "grant_type must be refresh_token or authorization_code",
      );
    const clientId = typeof params.client_id === "string" ? params.client_id : "";
    const app = this.apps.get(clientId);
    if (!app || app.clientSecret !== params.client_secret)
      return refusal(401, "invalid_client", "Invalid client credentials");
    if (grantType === "authorization_code") {
      const code = typeof params.code === "string" ? params.code : "";
      const issued = this.codes.get(code);
      this.codes.delete(code); // single use, even when refused below
      if (!issued || issued.clientId !== clientId)
        return refusal(400, "invalid_grant", "Invalid authorization code");
      if (this.options.now() - issued.issuedAt > CODE_TTL_MS)
        return refusal(400, "invalid_grant", "The authorization code has expired");
      this.codeExchanges++;
      // Real token servers answer the code exchange with a refresh's fields (official SDKs
      // refuse an answer without `expires` and `user_id`); the docs' example shows neither.
      const { expires: _expires, user_id: _userId, ...example } = this.tokenAnswer(clientId);
      const body = this.options.codeAnswerDocsExample
        ? example
        : { ...example, expires: _expires, user_id: _userId };
      return { status: 200, body };
    }
    const rt = typeof params.refresh_token === "string" ? params.refresh_token : "";
    const held = this.refresh.get(rt);
    if (!held || held.clientId !== clientId)
      return refusal(400, "invalid_grant", "Invalid refresh token");
    this.refresh.delete(rt);
    // The access token issued with the spent refresh token stops working too (callers get
    // expired_token, as for any access token past its life).
    const old = this.access.get(held.accessToken);
    if (old) old.expiresAt = 0;
    this.refreshes++;
    return { status: 200, body: this.tokenAnswer(clientId) };
  }

  private tokenAnswer(clientId: string): Record<string, string | number> {
    const pair = this.issue(clientId);
    const ttl = this.options.accessTtlSec;
    return {
      access_token: pair.accessToken,
      refresh_token: pair.refreshToken,
      expires: Math.floor(this.options.now() / 1000) + ttl,
      expires_in: ttl,
      client_endpoint: `${this.endpoints.portalUrl}rest/`,
      server_endpoint: `${this.endpoints.oauthUrl}rest/`,
      domain: new URL(this.endpoints.oauthUrl).host,
      member_id: this.memberId,
      scope: this.scopeOf(clientId),
      status: "L",
      user_id: 1,
    };
  }
}
