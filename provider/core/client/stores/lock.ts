import * as fs from "fs";
import * as path from "path";
import * as lockfile from "proper-lockfile";
import { TokenStoreError, describeError } from "./tokenStore";

/**
 * A lock held by holding a directory (`mkdir` is atomic, also on network file systems), through
 * proper-lockfile: it refreshes the directory's mtime while the holder lives, so a lock left by a
 * crashed process counts as stale after STALE_MS and can be taken over.
 */
export const STALE_MS = 15_000;

export type Release = () => Promise<void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the lock `lockPath`, waiting (with jitter) up to `waitMs` while another process holds it.
 * `onLost` hears when the lock was taken over while held (the event loop was blocked longer than
 * the stale time): the holder goes on, as stopping half-way through a refresh would lose a pair.
 */
export async function acquire(
  lockPath: string,
  waitMs: number,
  what: string,
  onLost: (e: Error) => void = () => {},
): Promise<Release> {
  try {
    fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new TokenStoreError(
      `Cannot create the folder of the lock ${lockPath} of ${what}: ${describeError(e)}`,
    );
  }
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    try {
      // The synchronous form: a few file-system calls in a row, without a trip through the thread
      // pool for each (a token-store write took 0.7–0.9 ms, now 0.6–0.7 ms here; a create makes
      // two: issue 38); the waiting between attempts stays asynchronous.
      const release = lockfile.lockSync(lockPath, {
        realpath: false,
        lockfilePath: lockPath,
        stale: STALE_MS,
        onCompromised: onLost,
      });
      return async () => release();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ELOCKED")
        throw new TokenStoreError(
          `Cannot take the lock ${lockPath} of ${what}: ${describeError(e)}`,
        );
      if (Date.now() >= deadline)
        throw new TokenStoreError(
          `Another process has held the lock ${lockPath} of ${what} for more than ` +
            `${Math.round(waitMs / 1000)} s; if no deployment is running, remove that directory.`,
        );
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}

/** Runs `work` holding the lock `lockPath`; releases it however `work` ends. */
export async function withLock<T>(
  lockPath: string,
  waitMs: number,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  const release = await acquire(lockPath, waitMs, what);
  try {
    return await work();
  } finally {
    await release();
  }
}
