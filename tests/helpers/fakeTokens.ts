import { randomBytes } from "crypto";
import { Transport } from "../../provider/core/client/transport/transport";
import {
  LockedEntry,
  StoredTokens,
  TokenStore,
  TokenStoreConflictError,
  TokenStoreError,
} from "../../provider/core/client/stores/tokenStore";

const token = () => randomBytes(12).toString("hex");

/** A token server in memory: single-use refresh tokens, like Bitrix24's. */
export class FakeTokenServer {
  readonly live = new Set<string>();
  grants = 0;
  requests: { url: string; form: Record<string, string> }[] = [];
  /** Runs before a grant is answered (a test lets "another machine" act here). */
  beforeAnswer?: (refreshToken: string) => void | Promise<void>;
  constructor(
    readonly clientId = "local.app",
    readonly clientSecret = "client-secret-value",
  ) {}

  issue(): { accessToken: string; refreshToken: string } {
    const pair = { accessToken: `at-${token()}`, refreshToken: `rt-${token()}` };
    this.live.add(pair.refreshToken);
    return pair;
  }

  readonly transport: Transport = async ({ url, form = {} }) => {
    this.requests.push({ url, form });
    await this.beforeAnswer?.(form.refresh_token);
    if (form.client_id !== this.clientId || form.client_secret !== this.clientSecret)
      return { status: 401, data: { error: "invalid_client", error_description: "bad client" } };
    if (!this.live.delete(form.refresh_token))
      return {
        status: 400,
        data: { error: "invalid_grant", error_description: "Invalid refresh token" },
      };
    this.grants++;
    const pair = this.issue();
    return {
      status: 200,
      data: { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: 3600 },
    };
  };
}

/** A store in memory with a real mutual exclusion per entry and switches for failures. */
export class FakeStore implements TokenStore {
  readonly kind = "file";
  readonly description = "file /fake/tokens.json";
  readonly entries = new Map<string, StoredTokens>();
  /** Entries of another kind (the record of creates in flight). */
  readonly others = new Map<string, unknown>();
  refuseWrites = false;
  /** The proof passes, the real write fails (a disk that fills up in between). */
  failRealWrites = false;
  conflictsLeft = 0;
  writes = 0;
  private queue: Promise<void> = Promise.resolve();

  async readOther(key: string): Promise<unknown> {
    return this.others.get(key);
  }

  async writeOther(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.others.delete(key);
    else this.others.set(key, value);
  }

  async read(key: string) {
    const e = this.entries.get(key);
    return e && { ...e };
  }

  withEntry<T>(key: string, _waitMs: number, work: (e: LockedEntry) => Promise<T>): Promise<T> {
    const run = this.queue.then(() =>
      work({
        read: () => this.read(key),
        proveWritable: async () => {
          if (this.conflictsLeft > 0) {
            this.conflictsLeft--;
            throw new TokenStoreConflictError(this.description);
          }
          if (this.refuseWrites) throw new TokenStoreError(`Cannot write ${this.description}`);
        },
        write: async (t) => {
          if (this.refuseWrites || this.failRealWrites)
            throw new TokenStoreError(`Cannot write ${this.description}: ENOSPC`);
          this.writes++;
          this.entries.set(key, { ...t });
        },
      }),
    );
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
