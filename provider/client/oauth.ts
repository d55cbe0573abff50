import { Bitrix24ConfigError, Bitrix24Error } from "./errors";
import { registerSecret } from "./redact";
import { AuthSettings } from "./settings";
import { TokenStore, fingerprint } from "./tokenStore";
import { Transport } from "./transport";
import { isJsonObject } from "../schema/spec";

type OAuthSettings = Extract<AuthSettings, { kind: "oauth" }>;

const TOKEN_METHOD = "oauth/token";

/**
 * The OAuth application's tokens for one portal: the configured pair, or the rotated pair from the
 * token store. Concurrent calls that meet `expired_token` share one refresh.
 */
export class OAuthSession {
  private accessToken?: string;
  private refreshToken?: string;
  private readonly origin?: string;
  private refreshing?: Promise<void>;
  private readonly store: TokenStore;
  private readonly storeKey: string;

  private readonly transport: Transport;
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes?: number;

  constructor(
    private readonly settings: OAuthSettings,
    deps: { transport: Transport; requestTimeoutMs: number; maxResponseBytes?: number },
  ) {
    this.transport = deps.transport;
    this.requestTimeoutMs = deps.requestTimeoutMs;
    this.maxResponseBytes = deps.maxResponseBytes;
    this.store = new TokenStore(settings.tokenStore);
    this.storeKey = `${new URL(settings.portalUrl).origin}|${settings.clientId ?? "-"}`;
    const stored = this.store.load(this.storeKey, settings.refreshToken);
    this.accessToken = stored?.accessToken ?? settings.accessToken;
    this.refreshToken = stored?.refreshToken ?? settings.refreshToken;
    this.origin =
      stored?.origin ?? (settings.refreshToken ? fingerprint(settings.refreshToken) : undefined);
    registerSecret(this.accessToken);
    registerSecret(this.refreshToken);
  }

  /** A usable access token, refreshing first when only a refresh token is known. */
  async token(): Promise<string> {
    if (!this.accessToken) await this.refresh(undefined);
    return this.accessToken as string;
  }

  /** Refreshes unless another call already replaced `stale`. */
  refresh(stale: string | undefined): Promise<void> {
    if (this.accessToken !== stale) return Promise.resolve();
    if (!this.refreshing)
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const { clientId, clientSecret, oauthUrl } = this.settings;
    if (!this.refreshToken || !clientId || !clientSecret)
      throw new Bitrix24ConfigError(
        "The Bitrix24 access token expired and cannot be refreshed: set bitrix24:refreshToken, " +
          "bitrix24:clientId and bitrix24:clientSecret (or their BITRIX24_* variables).",
      );
    // A POST form body: the client secret and refresh token never travel in a URL.
    const { status, data } = await this.transport({
      url: `${oauthUrl}oauth/token/`,
      form: {
        grant_type: "refresh_token",
        client_id: clientId,
        client_secret: clientSecret,
        refresh_token: this.refreshToken,
      },
      timeoutMs: this.requestTimeoutMs,
      maxBytes: this.maxResponseBytes,
      label: TOKEN_METHOD,
    });
    if (
      !isJsonObject(data) ||
      typeof data.access_token !== "string" ||
      typeof data.refresh_token !== "string"
    ) {
      const code =
        isJsonObject(data) && typeof data.error === "string" ? data.error : `HTTP_${status}`;
      const description = isJsonObject(data) ? String(data.error_description ?? "") : "";
      const hint =
        code === "invalid_grant"
          ? " — re-authorize the application and set a new bitrix24:refreshToken"
          : "";
      throw new Bitrix24Error(TOKEN_METHOD, code, description + hint, status);
    }
    registerSecret(data.access_token);
    registerSecret(data.refresh_token);
    this.accessToken = data.access_token;
    this.refreshToken = data.refresh_token;
    // The old refresh token is now dead: persist the new pair before anything else can fail.
    this.store.save(this.storeKey, {
      accessToken: data.access_token,
      refreshToken: data.refresh_token,
      origin: this.origin ?? fingerprint(data.refresh_token),
      updatedAt: new Date().toISOString(),
    });
  }
}
