import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * Bitrix24 rotates refresh tokens: once used, the configured one is dead. The new pair is kept in
 * a per-user file (mode 0600, written atomically) and preferred by later processes — but only
 * while the configured refresh token is still the one it descends from, so a user who configures
 * a fresh token (after re-authorizing) is never overridden by a stale file.
 */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** sha256 of the configured refresh token this pair descends from (never the token itself). */
  origin: string;
  updatedAt: string;
}

type StoreFile = Record<string, StoredTokens>;

export function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export class TokenStore {
  constructor(readonly file: string) {}

  private readAll(): StoreFile {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, "utf8"));
      return typeof parsed === "object" && parsed !== null ? (parsed as StoreFile) : {};
    } catch {
      return {};
    }
  }

  /** The stored pair for this app and portal if it descends from the configured refresh token. */
  load(key: string, configuredRefreshToken: string | undefined): StoredTokens | undefined {
    const entry = this.readAll()[key];
    if (!entry || typeof entry.refreshToken !== "string") return undefined;
    if (configuredRefreshToken === undefined) return entry;
    const configured = fingerprint(configuredRefreshToken);
    return entry.origin === configured || fingerprint(entry.refreshToken) === configured
      ? entry
      : undefined;
  }

  save(key: string, tokens: StoredTokens): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const all = this.readAll();
    all[key] = tokens;
    const tmp = path.join(
      dir,
      `.${path.basename(this.file)}.${process.pid}.${randomBytes(4).toString("hex")}`,
    );
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
      fs.writeFileSync(fd, JSON.stringify(all, null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}
