import { createHash } from "crypto";
import { redact } from "../../errors/redact";

/**
 * Bitrix24 refresh tokens are single use: the answer to a refresh carries the next one and the old
 * one dies. Whoever refreshes must save the new pair where every other process (and the next run,
 * maybe on another machine) finds it: a token store (docs/bitrix24-api.md, "A refresh token works
 * once"). This file holds what every store shares; the kinds of store live beside it (file.ts,
 * command.ts). A store also keeps the record of creates in flight (client/journal/): entries of
 * another kind, through readOther/writeOther.
 *
 * The stored text of one entry is this JSON object (the file store keeps an object of them, keyed
 * by `tokenKey`; a command store keeps one per key):
 *   { "version": 1, "portal": "https://example.bitrix24.com", "clientId": "local.abc",
 *     "accessToken": "...", "refreshToken": "...", "expires": 1764337200,
 *     "origin": "<sha256 hex>", "updatedAt": "2026-11-28T13:00:00.000Z" }
 * `expires` is the access token's end in unix seconds; `origin` is the sha256 of the configured
 * refresh token the chain descends from (or of the chain's first refresh token after `login`),
 * so a refresh token configured later (a re-authorization) is never overridden by an older chain.
 */
export interface StoredTokens {
  version: 1;
  portal: string;
  clientId: string;
  accessToken: string;
  refreshToken: string;
  expires: number;
  origin: string;
  updatedAt: string;
}

/** What a store offers while the caller holds the lock of one entry. */
export interface LockedEntry {
  /** (Re-)reads the entry; undefined when there is none. */
  read(): Promise<StoredTokens | undefined>;
  /** Proves the store takes a write, without changing what it holds; call before spending a token. */
  proveWritable(): Promise<void>;
  write(tokens: StoredTokens): Promise<void>;
}

export interface TokenStore {
  readonly kind: "file" | "command";
  /** Names the store for messages (never a secret): `file /path` or `command "…"`. */
  readonly description: string;
  /** Reads the entry without taking its lock. */
  read(key: string): Promise<StoredTokens | undefined>;
  /**
   * Entries of another kind kept in the same store (the record of creates in flight, see
   * client/journal/): any JSON value; undefined when there is none.
   */
  readOther(key: string): Promise<unknown>;
  /** Replaces such an entry (undefined: removes it). */
  writeOther(key: string, value: unknown): Promise<void>;
  /** Runs `work` holding the cross-process lock of the entry; gives up after `waitMs`. */
  withEntry<T>(key: string, waitMs: number, work: (entry: LockedEntry) => Promise<T>): Promise<T>;
}

/** The store could not be read or written; the message names the store and what to do. */
export class TokenStoreError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = "TokenStoreError";
  }
}

/** A command store answered 3: someone stored first. Get again and use the newer pair. */
export class TokenStoreConflictError extends TokenStoreError {
  constructor(store: string) {
    super(`Token store ${store} refused a stale write (exit status 3: someone stored first).`);
    this.name = "TokenStoreConflictError";
  }
}

export function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** One entry per portal and OAuth application; safe as a file key, env value or secret name. */
export function tokenKey(portal: string, clientId: string): string {
  const digest = fingerprint(`${new URL(portal).origin}|${clientId}`);
  return `BITRIX24_TOKENS_${digest.slice(0, 20).toUpperCase()}`;
}

const isString = (v: unknown): v is string => typeof v === "string" && v !== "";

/** The entry if `value` has the stored shape; `what` names it in the error otherwise. */
export function parseStoredTokens(value: unknown, what: string): StoredTokens {
  const v = value as Partial<Record<keyof StoredTokens, unknown>> | null;
  if (
    typeof v !== "object" ||
    v === null ||
    Array.isArray(v) ||
    !isString(v.accessToken) ||
    !isString(v.refreshToken) ||
    typeof v.expires !== "number" ||
    !isString(v.origin)
  )
    throw new TokenStoreError(
      `${what} is not a stored token pair (a JSON object with accessToken, refreshToken, ` +
        `expires and origin); fix or remove it, then run \`npx bitrix24-biconnector login\`.`,
    );
  return {
    version: 1,
    portal: String(v.portal ?? ""),
    clientId: String(v.clientId ?? ""),
    accessToken: v.accessToken,
    refreshToken: v.refreshToken,
    expires: v.expires,
    origin: v.origin,
    updatedAt: String(v.updatedAt ?? ""),
  };
}

export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return redact(code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message);
  }
  return redact(String(e));
}
