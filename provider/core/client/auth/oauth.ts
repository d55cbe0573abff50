import { Bitrix24ConfigError, Bitrix24Error } from "../../errors/errors";
import { registerSecret } from "../../errors/redact";
import { AuthSettings } from "../settings";
import { TokenAnswer, requestTokens, storedPair } from "./tokenServer";
import {
  LockedEntry,
  StoredTokens,
  TokenStore,
  TokenStoreConflictError,
  TokenStoreError,
  describeError,
  fingerprint,
  tokenKey,
} from "../stores/tokenStore";
import { openTokenStore } from "../stores";
import { Transport, axiosTransport } from "../transport/transport";

export type OAuthSettings = Extract<AuthSettings, { kind: "oauth" }>;

export interface OAuthSessionOptions {
  /** The token server is called through it: a POST with a form body, no redirects followed. */
  transport?: Transport;
  requestTimeoutMs: number;
  /** The token server's answer is cut off beyond this (bitrix24:maxResponseBytes). */
  maxResponseBytes?: number;
  /** Defaults to the store named by the settings. */
  store?: TokenStore;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Where a loud warning goes (a pair that could not be saved); defaults to stderr. */
  warn?: (message: string) => void;
}

/** An access token this close to its end counts as expired: a call must not die on the way. */
const EXPIRY_MARGIN_SEC = 30;
/** Conflicts (exit status 3 of a command store) tolerated in one rotation before giving up. */
const MAX_CONFLICTS = 3;
/** A save that failed is tried again on token use, at most this often. */
const RESAVE_EVERY_MS = 5_000;

const REAUTHORIZE =
  "re-authorize: run `npx bitrix24-biconnector login` (or configure a new bitrix24:refreshToken)";

/**
 * The OAuth application's tokens for one portal, shared by every process through the token store.
 * A refresh happens only on `expired_token` (or when no usable access token is known), under the
 * store entry's cross-process lock: lock → re-read → use a pair another process already rotated →
 * else prove the store takes a write → refresh → save → release. An access token is reused until
 * it expires, across processes.
 */
export class OAuthSession {
  private accessToken?: string;
  private refreshToken?: string;
  private expires?: number;
  private origin?: string;
  private loading?: Promise<void>;
  private refreshing?: Promise<void>;
  private unsaved?: { tokens: StoredTokens; lastTry: number };
  readonly store: TokenStore;
  readonly key: string;
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly warn: (message: string) => void;

  constructor(
    private readonly settings: OAuthSettings,
    private readonly options: OAuthSessionOptions,
  ) {
    this.transport = options.transport ?? axiosTransport();
    this.now = options.now ?? Date.now;
    this.warn = options.warn ?? ((m) => process.stderr.write(`${m}\n`));
    this.store = options.store ?? openTokenStore(settings.tokenStore, options.requestTimeoutMs);
    this.key = tokenKey(settings.portalUrl, settings.clientId ?? "-");
    registerSecret(settings.accessToken);
    registerSecret(settings.refreshToken);
    registerSecret(settings.clientSecret);
  }

  /** True while a refreshed pair could not be saved and lives only in this process. */
  get unsavedPair(): boolean {
    return this.unsaved !== undefined;
  }

  /** A usable access token: the known one until it expires, else a rotated or refreshed one. */
  async token(): Promise<string> {
    if (this.unsaved) await this.resave();
    if (!this.loading)
      // A store that failed to answer is asked again by the next call.
      this.loading = this.load().catch((e: unknown) => {
        this.loading = undefined;
        throw e;
      });
    await this.loading;
    if (!this.accessToken || this.expired(this.expires)) await this.refresh(this.accessToken);
    return this.accessToken as string;
  }

  /** Refreshes unless the token was already replaced since `stale` was handed out. */
  refresh(stale: string | undefined): Promise<void> {
    if (this.accessToken !== stale) return Promise.resolve();
    if (!this.refreshing)
      this.refreshing = this.rotate(stale).finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private expired(expires: number | undefined): boolean {
    return expires !== undefined && expires - EXPIRY_MARGIN_SEC <= this.now() / 1000;
  }

  /** The stored pair if it belongs to the configured refresh token's chain (or none is configured). */
  private ours(entry: StoredTokens | undefined): StoredTokens | undefined {
    const configured = this.settings.refreshToken;
    if (!entry || configured === undefined) return entry;
    const f = fingerprint(configured);
    return entry.origin === f || fingerprint(entry.refreshToken) === f ? entry : undefined;
  }

  private adopt(t: {
    accessToken: string;
    refreshToken: string;
    expires?: number;
    origin?: string;
  }) {
    registerSecret(t.accessToken);
    registerSecret(t.refreshToken);
    this.accessToken = t.accessToken;
    this.refreshToken = t.refreshToken;
    this.expires = t.expires;
    this.origin = t.origin;
  }

  private async load(): Promise<void> {
    const stored = this.ours(await this.store.read(this.key));
    if (stored) return this.adopt(stored);
    const { accessToken, refreshToken } = this.settings;
    this.accessToken = accessToken;
    this.refreshToken = refreshToken;
    this.origin = refreshToken ? fingerprint(refreshToken) : undefined;
  }

  private async rotate(stale: string | undefined): Promise<void> {
    // Long enough for a holder to finish one rotation: two token-server calls and the store's work.
    const waitMs = 4 * this.options.requestTimeoutMs + 5_000;
    await this.store.withEntry(this.key, waitMs, async (entry) => {
      for (let conflicts = 0; ; conflicts++) {
        try {
          return await this.rotateLocked(entry, stale);
        } catch (e) {
          if (!(e instanceof TokenStoreConflictError) || conflicts >= MAX_CONFLICTS) throw e;
        }
      }
    });
  }

  /** True when `entry` holds a pair another process rotated and it is still good to use. */
  private rotatedElsewhere(entry: StoredTokens | undefined, stale: string | undefined) {
    return entry !== undefined && entry.accessToken !== stale && !this.expired(entry.expires);
  }

  private async rotateLocked(entry: LockedEntry, stale: string | undefined): Promise<void> {
    const stored = this.ours(await entry.read());
    if (this.rotatedElsewhere(stored, stale)) return this.adopt(stored as StoredTokens);
    // A pair only this process holds (its save failed) is newer than anything stored.
    const known = this.unsaved?.tokens ?? stored;
    const refreshToken = known?.refreshToken ?? this.refreshToken;
    const origin = known?.origin ?? this.origin;
    this.checkRefreshable(refreshToken);
    // Nothing is spent until the store has shown it takes a write.
    await entry.proveWritable();
    let answer: TokenAnswer;
    let chainOrigin = origin ?? fingerprint(refreshToken as string);
    try {
      answer = await this.grant(refreshToken as string);
    } catch (e) {
      if (!(e instanceof Bitrix24Error) || e.code !== "invalid_grant") throw e;
      // Maybe another process (one without our lock: another machine) rotated meanwhile.
      const newer = this.ours(await entry.read());
      if (!newer || newer.refreshToken === refreshToken) throw this.reauthorize(e);
      if (this.rotatedElsewhere(newer, stale)) return this.adopt(newer);
      await entry.proveWritable();
      chainOrigin = newer.origin;
      try {
        answer = await this.grant(newer.refreshToken);
      } catch (again) {
        if (again instanceof Bitrix24Error && again.code === "invalid_grant")
          throw this.reauthorize(again);
        throw again;
      }
    }
    const tokens = this.stored(answer, chainOrigin);
    this.adopt(tokens);
    await this.save(entry, tokens);
  }

  private checkRefreshable(refreshToken: string | undefined): void {
    const { clientId, clientSecret } = this.settings;
    if (refreshToken && clientId && clientSecret) return;
    if (!refreshToken && clientId && clientSecret)
      throw new Bitrix24ConfigError(
        `No Bitrix24 token pair for ${this.settings.portalUrl} in token store ${this.store.description} ` +
          `(entry ${this.key}) and none configured: run \`npx bitrix24-biconnector login\`.`,
      );
    throw new Bitrix24ConfigError(
      "The Bitrix24 access token expired and cannot be refreshed: set bitrix24:refreshToken, " +
        "bitrix24:clientId and bitrix24:clientSecret (or their BITRIX24_* variables), or run " +
        "`npx bitrix24-biconnector login` with clientId and clientSecret set.",
    );
  }

  private reauthorize(e: Bitrix24Error): Bitrix24Error {
    return new Bitrix24Error(
      e.method,
      e.code,
      `${e.description || "the refresh token was refused"}; token store ${this.store.description} ` +
        `holds no newer pair — ${REAUTHORIZE}`,
      e.httpStatus,
    );
  }

  private stored(answer: TokenAnswer, origin: string): StoredTokens {
    return storedPair(
      this.settings.portalUrl,
      this.settings.clientId ?? "",
      answer,
      origin,
      this.now(),
    );
  }

  private async grant(refreshToken: string): Promise<TokenAnswer> {
    return requestTokens(
      this.transport,
      {
        oauthUrl: this.settings.oauthUrl,
        clientId: this.settings.clientId as string,
        clientSecret: this.settings.clientSecret as string,
      },
      { grant_type: "refresh_token", refresh_token: refreshToken },
      { timeoutMs: this.options.requestTimeoutMs, maxBytes: this.options.maxResponseBytes },
      this.now,
    );
  }

  /** Saves after a refresh; a conflict means someone stored first: re-read and store ours on top. */
  private async save(entry: LockedEntry, tokens: StoredTokens): Promise<void> {
    for (let conflicts = 0; ; conflicts++) {
      try {
        await entry.write(tokens);
        this.unsaved = undefined;
        return;
      } catch (e) {
        // Ours was issued a moment ago and is certainly valid: it is the newest pair.
        if (e instanceof TokenStoreConflictError && conflicts < MAX_CONFLICTS) {
          await entry.read().catch(() => undefined);
          continue;
        }
        if (!this.unsaved)
          // Said again as the process ends, unless a later try saved it.
          process.once("exit", () => {
            if (this.unsaved) this.warn(this.unsavedMessage(e));
          });
        this.unsaved = { tokens, lastTry: this.now() };
        this.warn(this.unsavedMessage(e));
        return;
      }
    }
  }

  private unsavedMessage(e: unknown): string {
    return (
      `ERROR: Bitrix24 token store ${this.store.description} did not save the token pair that a ` +
      `refresh just issued (${describeError(e)}). The previous refresh token is now spent. This ` +
      `process keeps the new pair in memory, finishes its work with it and tries the save again ` +
      `on each use. To recover: fix the store while this process runs; once it has ended without ` +
      `a successful save, ${REAUTHORIZE}.`
    );
  }

  private async resave(): Promise<void> {
    const pending = this.unsaved;
    if (!pending || this.now() - pending.lastTry < RESAVE_EVERY_MS) return;
    pending.lastTry = this.now();
    try {
      await this.store.withEntry(this.key, 4 * this.options.requestTimeoutMs, (entry) =>
        entry.write(pending.tokens),
      );
      this.unsaved = undefined;
      this.warn(`Bitrix24 token store ${this.store.description} saved the pending token pair.`);
    } catch (e) {
      if (!(e instanceof TokenStoreError)) throw e;
    }
  }
}
