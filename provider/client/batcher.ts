import * as qs from "qs";
import { MAX_BATCH_COMMANDS } from "./apiLimits";
import { Bitrix24Error } from "./errors";
import { JsonObject, JsonValue, isJsonObject } from "../schema/spec";

/** Sends one call through the client's layers under the given deadline. */
export type Send = (method: string, params: JsonObject, deadline: number) => Promise<JsonValue>;

interface Pending {
  method: string;
  params: JsonObject;
  deadline: number;
  resolve: (v: JsonValue) => void;
  reject: (e: unknown) => void;
}

/**
 * Coalesces idempotent calls that arrive together (the engine reads and deletes many resources in
 * parallel) into `batch` requests of up to 50 commands: one request against the rate limit instead
 * of fifty. It waits until the limiter could send a request and only then takes what has queued, so
 * the busier the portal, the fuller the batches. A command's own error fails only that command. A
 * portal that refuses a method inside `batch` gets that method one call at a time from then on.
 */
export class Batcher {
  private queue: Pending[] = [];
  private flushing = false;
  private readonly refused = new Set<string>();
  /** How many `batch` requests were sent (each counts as one request against the limit). */
  batches = 0;

  constructor(
    private readonly send: Send,
    /** Resolves when the rate limiter would let a request through now. */
    private readonly ready: () => Promise<void>,
    private readonly windowMs = 20,
  ) {}

  enqueue(method: string, params: JsonObject, deadline: number): Promise<JsonValue> {
    if (this.refused.has(method)) return this.send(method, params, deadline);
    return new Promise((resolve, reject) => {
      this.queue.push({ method, params, deadline, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      await new Promise((r) => setTimeout(r, this.windowMs));
      while (this.queue.length) {
        await this.ready();
        void this.sendBatch(this.queue.splice(0, MAX_BATCH_COMMANDS));
        // Let that request take its rate token (all in-process steps) before asking again.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.flushing = false;
    }
  }

  private async sendBatch(items: Pending[]): Promise<void> {
    if (items.length === 1) return this.single(items[0]);
    const cmd: JsonObject = {};
    items.forEach((it, i) => (cmd[`c${i}`] = `${it.method}?${qs.stringify(it.params)}`));
    // The batch serves every command: it may take as long as the most patient of them.
    const deadline = Math.max(...items.map((it) => it.deadline));
    let answer: JsonValue;
    try {
      this.batches++;
      answer = await this.send("batch", { halt: 0, cmd }, deadline);
    } catch (e) {
      if (e instanceof Bitrix24Error && e.code === "ERROR_BATCH_METHOD_NOT_ALLOWED") {
        for (const it of items) this.refused.add(it.method);
        await Promise.all(items.map((it) => this.single(it)));
        return;
      }
      for (const it of items) it.reject(e);
      return;
    }
    const results = isJsonObject(answer) && isJsonObject(answer.result) ? answer.result : {};
    const errors =
      isJsonObject(answer) && isJsonObject(answer.result_error) ? answer.result_error : {};
    await Promise.all(
      items.map(async (it, i) => {
        const key = `c${i}`;
        const err =
          errors[key] ??
          (isJsonObject(results[key]) ? (results[key] as JsonObject).error : undefined);
        if (isJsonObject(err)) {
          const code = String(err.error ?? "");
          if (code === "ERROR_BATCH_METHOD_NOT_ALLOWED") {
            this.refused.add(it.method);
            return this.single(it);
          }
          return it.reject(
            new Bitrix24Error(it.method, code, String(err.error_description ?? ""), 200),
          );
        }
        if (!(key in results)) return this.single(it); // not run (e.g. halted): ask again on its own
        it.resolve(results[key]);
      }),
    );
  }

  private async single(it: Pending): Promise<void> {
    try {
      it.resolve(await this.send(it.method, it.params, it.deadline));
    } catch (e) {
      it.reject(e);
    }
  }
}
