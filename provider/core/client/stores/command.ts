import { spawn } from "child_process";
import { createHash } from "crypto";
import * as os from "os";
import * as path from "path";
import { redact } from "../../errors/redact";
import {
  LockedEntry,
  StoredTokens,
  TokenStore,
  TokenStoreConflictError,
  TokenStoreError,
  parseStoredTokens,
} from "./tokenStore";
import { withLock } from "./lock";

/** Exit status of `store` meaning "someone stored first": get again. */
export const CONFLICT_EXIT = 3;
const MAX_OUTPUT = 1 << 20;
const STDERR_SHOWN = 400;

interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Any secret manager through a small protocol in the manner of git credential helpers: the shell
 * command runs with `get` (prints the stored text for BITRIX24_TOKEN_KEY, nothing when there is
 * none) or `store` (reads the new text on stdin; BITRIX24_TOKEN_EXPECTED_SHA256 holds the sha256
 * hex of the exact text `get` printed, or is empty when it printed nothing, so the store can refuse
 * a stale write with exit status 3). Processes on one machine also share a local lock per entry;
 * across machines the check-and-set is the store's own.
 */
export class CommandTokenStore implements TokenStore {
  readonly kind = "command";
  readonly description: string;

  constructor(
    readonly command: string,
    private readonly timeoutMs: number,
    private readonly lockDir = path.join(os.homedir(), ".pulumi-bitrix24", "locks"),
  ) {
    this.description = `command ${JSON.stringify(command)}`;
  }

  private run(action: "get" | "store", key: string, input = "", expected = ""): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        "/bin/sh",
        ["-c", `${this.command} "$@"`, "bitrix24-token-store", action],
        {
          env: {
            ...process.env,
            BITRIX24_TOKEN_KEY: key,
            ...(action === "store" ? { BITRIX24_TOKEN_EXPECTED_SHA256: expected } : {}),
          },
          stdio: ["pipe", "pipe", "pipe"],
          // Its own process group, so a timeout ends the command and everything it started.
          detached: true,
        },
      );
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_OUTPUT) into.push(chunk);
      };
      child.stdout.on("data", collect(out));
      child.stderr.on("data", collect(err));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }, this.timeoutMs);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(new TokenStoreError(`Token store ${this.description} could not run: ${e.message}`));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        if (timedOut)
          return reject(
            new TokenStoreError(
              `Token store ${this.description} (${action}) did not finish within ${this.timeoutMs} ms ` +
                `(bitrix24:requestTimeoutMs) and was stopped.`,
            ),
          );
        resolve({
          status: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        });
      });
      child.stdin.on("error", () => {
        // A command that does not read its stdin closes it early; its exit status tells the rest.
      });
      child.stdin.end(input);
    });
  }

  private failure(action: string, r: RunResult): TokenStoreError {
    const stderr = redact(r.stderr.trim()).slice(0, STDERR_SHOWN);
    return new TokenStoreError(
      `Token store ${this.description} failed on \`${action}\` with exit status ${r.status}` +
        (stderr ? `: ${stderr}` : " and no message") +
        `. Check the command by hand (BITRIX24_TOKEN_KEY=<key> <command> ${action}).`,
    );
  }

  /** The exact text `get` printed ("" when none) and the pair it holds. */
  private async get(key: string): Promise<{ text: string; tokens?: StoredTokens }> {
    const r = await this.run("get", key);
    if (r.status !== 0) throw this.failure("get", r);
    if (r.stdout.trim() === "") return { text: r.stdout };
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.stdout);
    } catch {
      parsed = undefined;
    }
    return {
      text: r.stdout,
      tokens: parseStoredTokens(parsed, `What token store ${this.description} printed for ${key}`),
    };
  }

  private async store(key: string, text: string, afterGet: string): Promise<void> {
    // The hash of exactly what `get` printed; empty (not the hash of "") when it printed nothing.
    const expected = afterGet === "" ? "" : createHash("sha256").update(afterGet).digest("hex");
    const r = await this.run("store", key, text, expected);
    if (r.status === CONFLICT_EXIT) throw new TokenStoreConflictError(this.description);
    if (r.status !== 0) throw this.failure("store", r);
  }

  /** What `get` printed last for each entry of another kind: the expected text of its next store. */
  private readonly otherTexts = new Map<string, string>();

  async readOther(key: string): Promise<unknown> {
    const r = await this.run("get", key);
    if (r.status !== 0) throw this.failure("get", r);
    this.otherTexts.set(key, r.stdout);
    if (r.stdout.trim() === "") return undefined;
    try {
      return JSON.parse(r.stdout) as unknown;
    } catch {
      throw new TokenStoreError(
        `What token store ${this.description} printed for ${key} is not JSON; remove that entry.`,
      );
    }
  }

  /** A removed entry is stored as empty text, which `get` prints back as "none". */
  async writeOther(key: string, value: unknown): Promise<void> {
    const text = value === undefined ? "" : JSON.stringify(value);
    let expected = this.otherTexts.get(key);
    if (expected === undefined) await this.readOther(key);
    expected = this.otherTexts.get(key) as string;
    try {
      await this.store(key, text, expected);
    } catch (e) {
      // Only this stack's run writes this entry (Pulumi's stack lock): a conflict means an entry
      // changed by hand meanwhile; what this process knows replaces it.
      if (!(e instanceof TokenStoreConflictError)) throw e;
      await this.readOther(key);
      await this.store(key, text, this.otherTexts.get(key) as string);
    }
    this.otherTexts.set(key, text);
  }

  async read(key: string): Promise<StoredTokens | undefined> {
    return (await this.get(key)).tokens;
  }

  async withEntry<T>(
    key: string,
    waitMs: number,
    work: (entry: LockedEntry) => Promise<T>,
  ): Promise<T> {
    let lastGet: string | undefined;
    const read = async () => {
      const got = await this.get(key);
      lastGet = got.text;
      return got.tokens;
    };
    return withLock(
      path.join(this.lockDir, `${key}.lock`),
      waitMs,
      `entry ${key} of token store ${this.description}`,
      () =>
        work({
          read,
          proveWritable: async () => {
            if (lastGet === undefined) await read();
            await this.store(key, lastGet as string, lastGet as string);
          },
          write: async (tokens) => {
            if (lastGet === undefined) await read();
            const text = JSON.stringify(tokens);
            await this.store(key, text, lastGet as string);
            lastGet = text;
          },
        }),
    );
  }
}
