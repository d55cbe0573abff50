import { randomBytes } from "crypto";

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

const token = (): string => randomBytes(16).toString("hex");

/** The emulated oauth.bitrix.info: rotating refresh tokens, expiring access tokens. */
export class OAuthServer {
  private readonly apps = new Map<string, string>();
  private readonly access = new Map<string, { clientId: string; expiresAt: number }>();
  private readonly refresh = new Map<string, string>();
  refreshes = 0;

  constructor(private readonly accessTtlSec: number) {}

  addApp(app: OAuthApp): void {
    this.apps.set(app.clientId, app.clientSecret);
  }

  /** A new token pair for an installed app (what the install callback would deliver). */
  issue(clientId: string): TokenPair {
    const pair = { accessToken: token(), refreshToken: token() };
    this.access.set(pair.accessToken, {
      clientId,
      expiresAt: Date.now() + this.accessTtlSec * 1000,
    });
    this.refresh.set(pair.refreshToken, clientId);
    return pair;
  }

  /** client_id of a live access token; "expired" or undefined (unknown) otherwise. */
  resolve(accessToken: string): string | "expired" | undefined {
    const t = this.access.get(accessToken);
    if (!t) return undefined;
    return t.expiresAt <= Date.now() ? "expired" : t.clientId;
  }

  /** Every access token issued so far expires now (refresh tokens stay valid). */
  expireAll(): void {
    for (const t of this.access.values()) t.expiresAt = 0;
  }

  /** grant_type=refresh_token: the used refresh token dies, a new pair is issued. */
  grant(params: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
    const bad = (status: number, error: string, error_description: string) => ({
      status,
      body: { error, error_description },
    });
    if (params.grant_type !== "refresh_token")
      return bad(400, "invalid_request", "grant_type must be refresh_token");
    const clientId = String(params.client_id ?? "");
    if (!this.apps.has(clientId) || this.apps.get(clientId) !== params.client_secret)
      return bad(401, "invalid_client", "Invalid client credentials");
    const rt = String(params.refresh_token ?? "");
    if (this.refresh.get(rt) !== clientId)
      return bad(400, "invalid_grant", "Invalid refresh token");
    this.refresh.delete(rt);
    this.refreshes++;
    const pair = this.issue(clientId);
    return {
      status: 200,
      body: {
        access_token: pair.accessToken,
        refresh_token: pair.refreshToken,
        expires: Math.floor(Date.now() / 1000) + this.accessTtlSec,
        expires_in: this.accessTtlSec,
        scope: "biconnector",
        domain: "oauth.bitrix.info",
        status: "L",
        member_id: "emulator",
        user_id: 1,
      },
    };
  }
}
