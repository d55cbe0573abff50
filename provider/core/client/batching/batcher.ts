import * as qs from "qs";
import { MAX_BATCH_COMMANDS } from "../limits/apiLimits";
import { ApiRequest, traces } from "../request";
import { Bitrix24Error, Bitrix24TransportError } from "../../errors/errors";
import { pageParams } from "./pageCache";
import {
  BATCH_UNAVAILABLE,
  CALLS_URL_CHECK,
  MAX_URL_CHECKS_PER_BATCH,
  NOT_ALLOWED,
  Pending,
  ReadBack,
  asCommandError,
  commandFailure,
  commandsOf,
  hasBoolean,
  isRead,
  isWrite,
  mergeReadBacks,
  readBackKey,
  reasonOf,
  requestOf,
  statusOf,
  unreadable,
} from "./batchCommands";
import { classify } from "../retry/verdicts";
import { Pacing } from "./pacing";
import { JsonObject, JsonValue, isJsonObject } from "../../schema/spec";

/** Sends one call through the client's layers (retry → auth → limiter → HTTP). */
export type Send = (req: ApiRequest) => Promise<JsonValue>;

/**
 * How long the batcher waits for company before sending. The engine starts the operations of one
 * wave together (its gRPC calls arrive within a millisecond or two), so a short window is enough
 * to share requests; a lone call pays at most this on top of its HTTP time.
 */
export const COALESCE_WINDOW_MS = 2;

export interface BatcherHooks {
  /** Sends one call (or a whole `batch`) through the client's layers. */
  readonly send: Send;
  /** Resolves when the rate limiter would let a request through now. */
  readonly ready: () => Promise<void>;
  /** A batch with writes is about to be sent, or was answered (or lost). */
  readonly onWrite: () => void;
  readonly windowMs?: number;
  /**
   * The sustained interval between requests (1000 / the deployment's rate). While a stream of
   * calls goes on, batches leave at most this often, each carrying what arrived meanwhile.
   */
  readonly spacingMs?: () => number;
  /**
   * Let adds, updates and fields.updates travel in batches too (default). Without it only reads
   * and deletes do, as in release 0.1 (kept for the benchmark's comparison).
   */
  readonly batchWrites?: boolean;
}

/**
 * Coalesces the calls that the engine's operations make together — reads, and the writes `add`,
 * `update`, `delete` and `fields.update` — into `batch` requests of up to 50 commands: one request
 * against the rate limit instead of fifty. After a short window it waits until the limiter could
 * send a request and only then takes what has queued, so the busier the portal, the fuller the
 * batches. Each command gets its own result or error, exactly as a single call would:
 * - a command's error fails only that command (its caller's retry policy decides about it);
 * - a method the portal refuses inside `batch` goes alone from then on;
 * - a batch with an `add` is not repeated after an ambiguous failure (lost answer, 5xx): each
 *   `add` in it reports the ambiguity (the caller reconciles, never adding twice), and the other
 *   commands are retried by their own policy;
 * - calls with booleans never travel in a batch (see hasBoolean);
 * - at most MAX_URL_CHECKS_PER_BATCH source adds/updates share one batch.
 */
export class Batcher {
  private queue: Pending[] = [];
  /** What calls wait on before they join the queue (see enqueue's `after`). */
  private readonly gates = new Set<Promise<void>>();
  private flushing = false;
  private readonly pacing = new Pacing();
  /**
   * Ends the pacing wait early: set while the flush waits for the pacing rule. A call that
   * arrives (it may make the engine's wave whole) or an answer (nothing of ours on its way may
   * make the engine calm) can let the queue leave now; a wait that ran its course instead cost
   * up to a pacing step per wave (~30 ms a wave at --parallel 8).
   */
  private wake?: () => void;
  private readonly refused = new Set<string>();
  private unavailable = false;
  /** How many `batch` requests were sent (each counts as one request against the limit). */
  batches = 0;

  constructor(private readonly hooks: BatcherHooks) {}

  /** Can this call travel in a batch? */
  accepts(method: string, params: JsonObject): boolean {
    if (this.hooks.batchWrites === false && isWrite(method) && !/\.delete$/.test(method))
      return false;
    return (
      !this.unavailable && method !== "batch" && !this.refused.has(method) && !hasBoolean(params)
    );
  }

  /**
   * One attempt of a call: resolves with its result, rejects with its error (see isCommandError).
   * `after`: it joins the queue once that resolved (rejected: it fails with that error, unsent),
   * but the window starts now: a create's record is written while the add waits for company.
   */
  enqueue(req: ApiRequest, readBack?: ReadBack, after?: Promise<void>): Promise<JsonValue> {
    if (!this.accepts(req.method, req.params))
      return after ? after.then(() => this.hooks.send(req)) : this.hooks.send(req);
    if (after) {
      this.gates.add(after);
      if (!this.flushing) void this.flush();
      // Queued in the gate's first reaction, before the flush waiting on it resumes.
      const ungated = () => this.gates.delete(after);
      return after.then(
        () => (ungated(), this.enqueue(req, readBack)),
        (e: unknown) => (ungated(), Promise.reject(e)),
      );
    }
    return new Promise((resolve, reject) => {
      const line = `${req.method}?${qs.stringify(req.params)}`;
      const now = Date.now();
      this.queue.push({ ...req, queuedAt: now, readBack, line, resolve, reject });
      this.pacing.arrived(now, this.spacing(), isWrite(req.method));
      this.wake?.();
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      await new Promise((r) => setTimeout(r, this.hooks.windowMs ?? COALESCE_WINDOW_MS));
      while (this.gates.size) await Promise.allSettled([...this.gates]); // handed over meanwhile
      while (this.queue.length) {
        await this.hooks.ready();
        await this.paced();
        const items = this.take();
        this.pacing.sent(Date.now(), items.length);
        // Not awaited (the next batch may leave meanwhile), so nothing it throws may float away
        // (that ends a Node process): every call it carried gets an error of ours.
        this.sendBatch(items)
          .catch((e: unknown) => unreadable(items, e))
          .finally(() => {
            this.pacing.answered(Date.now(), items.length);
            this.wake?.();
          });
        // Let that request take its rate token (all in-process steps) before asking again.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Waits until the pacing rule lets what is queued leave (see Pacing.sendNow). */
  private async paced(): Promise<void> {
    const spacing = this.spacing();
    for (;;) {
      const q = { queued: this.queue.length, oldestAt: this.queue[0].queuedAt, spacing };
      const wait = this.pacing.sendNow(Date.now(), q);
      if (wait === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.wake?.(), wait);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  private spacing(): number {
    return this.hooks.spacingMs?.() ?? 0;
  }

  /** The next batch: queue order, ≤ 50 commands with read-backs, ≤ 5 urlCheck calls. */
  private take(): Pending[] {
    const taken: Pending[] = [];
    const left: Pending[] = [];
    const reads = new Set<string>();
    const readBacks = new Set<string>();
    let commands = 0;
    let urlChecks = 0;
    for (const it of this.queue) {
      const newCommand = !(isRead(it.method) && reads.has(it.line));
      const rbKey = it.readBack && readBackKey(it.readBack);
      const newReadBack = rbKey !== undefined && !readBacks.has(rbKey);
      const checks = CALLS_URL_CHECK.test(it.method) ? 1 : 0;
      const size = commands + readBacks.size + (newCommand ? 1 : 0) + (newReadBack ? 1 : 0);
      if (size > MAX_BATCH_COMMANDS || urlChecks + checks > MAX_URL_CHECKS_PER_BATCH) {
        left.push(it);
        continue;
      }
      taken.push(it);
      if (newCommand) commands++;
      if (isRead(it.method)) reads.add(it.line);
      if (rbKey !== undefined) readBacks.add(rbKey);
      urlChecks += checks;
    }
    this.queue = left;
    return taken;
  }

  private async sendBatch(items: Pending[]): Promise<void> {
    const groups = commandsOf(items);
    const readBacks = mergeReadBacks(items);
    if (groups.length === 1 && readBacks.length === 0) {
      const it = groups[0][0];
      return this.single(groups[0], requestOf(it));
    }
    const cmd: JsonObject = {};
    groups.forEach((g, i) => (cmd[`c${i}`] = g[0].line));
    readBacks.forEach(
      (rb, i) => (cmd[`r${i}`] = `${rb.list}?${qs.stringify(pageParams(rb.query))}`),
    );
    const writes = items.some((it) => isWrite(it.method));
    // Repeating a batch after a lost answer would repeat its adds: only idempotent batches are.
    const idempotent = items.every((it) => it.idempotent);
    // The batch serves every command: it may take as long as the most patient of them.
    const deadline = Math.max(...items.map((it) => it.deadline));
    if (writes) this.hooks.onWrite();
    let answer: JsonValue;
    try {
      this.batches++;
      answer = await this.hooks.send({
        method: "batch",
        params: { halt: 0, cmd },
        deadline,
        idempotent,
        trace: traces(items.map((it) => it.trace)),
      });
    } catch (e) {
      if (writes) this.hooks.onWrite();
      return this.batchFailed(items, e, idempotent);
    }
    if (writes) this.hooks.onWrite();
    const body = isJsonObject(answer) ? answer : {};
    const results = isJsonObject(body.result) ? body.result : {};
    const errors = isJsonObject(body.result_error) ? body.result_error : {};
    readBacks.forEach((rb, i) => {
      const key = `r${i}`;
      if (key in results && !commandFailure(rb.list, key, results, errors))
        for (const asked of rb.askedBy) asked.deliver?.(results[key]);
    });
    await Promise.all(
      groups.map(async (mine, i) => {
        const key = `c${i}`;
        const { method, idempotent: safe } = mine[0];
        const failure = commandFailure(method, key, results, errors);
        if (failure?.code === NOT_ALLOWED) this.refused.add(method);
        if (failure ? failure.code === NOT_ALLOWED : !(key in results)) {
          // Refused in a batch, or not run (a halted batch, or an answer without it): asked again
          // on its own — but an add only by its caller, after looking for what it may have made
          // (a portal may answer both a result and an error for one command). A batch that lost
          // an add's result is not trusted with that method again: its repeat goes alone.
          if (!safe) {
            this.refused.add(method);
            const why = failure
              ? `refused inside a batch (${failure.code})`
              : "its batch answer has no result for it";
            // The portal answered the batch (an envelope): what it did with the add, it did.
            return mine.forEach((it) => it.reject(new Bitrix24TransportError(method, why, 200)));
          }
          return this.single(mine, {
            ...requestOf(mine[0]),
            trace: traces(mine.map((it) => it.trace)),
          });
        }
        if (failure) return mine.forEach((it) => it.reject(asCommandError(failure)));
        mine.forEach((it) => it.resolve(results[key]));
      }),
    );
  }

  private async batchFailed(items: Pending[], e: unknown, idempotent: boolean): Promise<void> {
    const refusedWhole = e instanceof Bitrix24Error && e.code === NOT_ALLOWED;
    const noBatch = e instanceof Bitrix24Error && BATCH_UNAVAILABLE.has(e.code);
    if (refusedWhole || noBatch) {
      // A portal that refuses the whole batch for one of its methods: all of them go alone; one
      // without `batch` at all (method not found, no scope): every call goes alone from now on.
      if (noBatch) this.unavailable = true;
      else for (const it of items) this.refused.add(it.method);
      await Promise.all(
        items.map((it) =>
          it.idempotent
            ? this.single([it], requestOf(it))
            : // an add goes again only through its caller, which looks for what it made first
              it.reject(
                new Bitrix24TransportError(it.method, `its batch ${reasonOf(e)}`, statusOf(e)),
              ),
        ),
      );
      return;
    }
    const ambiguous = !idempotent && classify(e) === "retry-if-idempotent";
    for (const it of items) {
      // The batch's error is each command's: it names the command's method, as a single call would.
      const own =
        e instanceof Bitrix24Error
          ? new Bitrix24Error(it.method, e.code, e.description, e.httpStatus)
          : e;
      if (!it.idempotent)
        // The add may or may not have been applied: its caller must look before adding again.
        it.reject(
          ambiguous
            ? new Bitrix24TransportError(it.method, `its batch ${reasonOf(e)}`, statusOf(e))
            : own,
        );
      // A batch carrying an add is sent once (see retry.ts): the other calls it carried are
      // repeated by their own policy, as after any command error.
      else if (ambiguous)
        it.reject(asCommandError(new Bitrix24TransportError(it.method, reasonOf(e))));
      else it.reject(!idempotent && own instanceof Error ? asCommandError(own) : own);
    }
  }

  /** Sends `req` on its own; its answer or error is that of every call in `items`. */
  private async single(items: Pending[], req: ApiRequest): Promise<void> {
    try {
      const r = await this.hooks.send(req);
      items.forEach((it) => it.resolve(r));
    } catch (e) {
      items.forEach((it) => it.reject(e));
    }
  }
}
