import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
  LockedEntry,
  StoredTokens,
  TokenStore,
  TokenStoreError,
  describeError,
  parseStoredTokens,
} from "./tokenStore";
import { STALE_MS, withLock } from "./lock";

/**
 * How long the whole-file lock may be awaited: it is only held for one read-modify-write, but a
 * holder killed meanwhile (a deployment killed halfway) leaves it until it is stale, so the wait
 * must outlast that (with 10 s, every write after such a kill failed: issue 35's kill tests).
 */
const FILE_LOCK_WAIT_MS = STALE_MS + 5_000;

/**
 * A JSON file of entries keyed by `tokenKey` (mode 0600, replaced atomically by rename). Two
 * locks: one per entry, held across a whole rotation (so processes of other portals are not kept
 * waiting through a token-server call), and one for the file, held for each read-modify-write (so
 * entries of different portals never regress).
 */
export class FileTokenStore implements TokenStore {
  readonly kind = "file";
  readonly description: string;

  constructor(readonly file: string) {
    this.description = `file ${file}`;
  }

  private readAll(): Record<string, unknown> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return {};
      throw new TokenStoreError(`Cannot read the token store ${this.file}: ${describeError(e)}`);
    }
    if (text.trim() === "") return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // A file of another shape is someone's data: never write back over it.
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new TokenStoreError(
        `The token store ${this.file} is not a JSON object of token entries ` +
          `(found ${Array.isArray(parsed) ? "an array" : parsed === undefined ? "text that is not JSON" : typeof parsed}); ` +
          `move it away or point bitrix24:tokenStore (BITRIX24_TOKEN_STORE) at another file.`,
      );
    return parsed as Record<string, unknown>;
  }

  async read(key: string): Promise<StoredTokens | undefined> {
    const entry = this.readAll()[key];
    return entry === undefined
      ? undefined
      : parseStoredTokens(entry, `Entry ${key} of ${this.file}`);
  }

  async readOther(key: string): Promise<unknown> {
    return this.readAll()[key];
  }

  async writeOther(key: string, value: unknown): Promise<void> {
    await this.update(key, { value });
  }

  /**
   * Atomically replaces the file with the entries plus `key` = `change.value` (removed when that
   * is undefined; no change: the entries as they are), under the file lock.
   */
  private async update(key: string, change?: { value: unknown }): Promise<void> {
    const dir = path.dirname(this.file);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw this.writeError(e);
    }
    await withLock(`${this.file}.lock`, FILE_LOCK_WAIT_MS, `token store ${this.file}`, async () => {
      const all = this.readAll();
      if (change && change.value === undefined) delete all[key];
      else if (change) all[key] = change.value;
      const tmp = path.join(dir, `.${path.basename(this.file)}.${randomBytes(6).toString("hex")}`);
      try {
        const fd = fs.openSync(tmp, "wx", 0o600);
        try {
          fs.writeFileSync(fd, JSON.stringify(all, null, 2) + "\n");
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(tmp, this.file);
      } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw this.writeError(e);
      }
    });
  }

  private writeError(e: unknown): TokenStoreError {
    return new TokenStoreError(
      `Cannot write the token store ${this.file}: ${describeError(e)}. Make its folder writable ` +
        `or point bitrix24:tokenStore (BITRIX24_TOKEN_STORE) at a writable file.`,
    );
  }

  async withEntry<T>(
    key: string,
    waitMs: number,
    work: (entry: LockedEntry) => Promise<T>,
  ): Promise<T> {
    return withLock(
      `${this.file}.${key}.lock`,
      waitMs,
      `entry ${key} of token store ${this.file}`,
      () =>
        work({
          read: () => this.read(key),
          // The same write as a save, with the entries as they are: proves folder and file take it.
          proveWritable: () => this.update(key),
          write: (tokens) => this.update(key, { value: tokens }),
        }),
    );
  }
}
