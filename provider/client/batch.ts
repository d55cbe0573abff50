import * as qs from "qs";
import { MAX_BATCH_COMMANDS } from "./apiLimits";
import { Bitrix24Error } from "./errors";
import { JsonObject, JsonValue, isJsonObject } from "../schema/spec";

interface Pending {
  method: string;
  params: JsonObject;
  resolve: (v: JsonValue) => void;
  reject: (e: unknown) => void;
}

/** A call whose first attempt may use a rate-limit token the caller already holds. */
export type SingleCall = (
  method: string,
  params: JsonObject,
  tokenHeld: boolean,
) => Promise<JsonValue>;

/**
 * Coalesces idempotent calls that arrive together (the engine reads and deletes many resources in
 * parallel) into `batch` requests of up to 50 commands: one request against the rate limit instead
 * of fifty. The coalescer first waits for a rate-limit token and only then takes what has queued,
 * so the busier the portal, the fuller the batches. A command's own error fails only that command.
 * A portal that refuses these methods in a batch gets them one by one from then on.
 */
export class Coalescer {
  private queue: Pending[] = [];
  private flushing = false;
  private readonly refused = new Set<string>();
  /** How many `batch` requests were sent (each counts as one request against the limit). */
  batches = 0;

  constructor(
    private readonly call: SingleCall,
    /** Waits for a rate-limit token. */
    private readonly acquire: () => Promise<void>,
    private readonly windowMs = 20,
  ) {}

  enqueue(method: string, params: JsonObject): Promise<JsonValue> {
    if (this.refused.has(method)) return this.call(method, params, false);
    return new Promise((resolve, reject) => {
      this.queue.push({ method, params, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      await new Promise((r) => setTimeout(r, this.windowMs));
      while (this.queue.length) {
        await this.acquire();
        void this.send(this.queue.splice(0, MAX_BATCH_COMMANDS));
      }
    } finally {
      this.flushing = false;
    }
  }

  private async send(items: Pending[]): Promise<void> {
    if (items.length === 1) return this.single(items[0], true);
    const cmd: JsonObject = {};
    items.forEach((it, i) => (cmd[`c${i}`] = `${it.method}?${qs.stringify(it.params)}`));
    let answer: JsonValue;
    try {
      this.batches++;
      answer = await this.call("batch", { halt: 0, cmd }, true);
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

  private async single(it: Pending, tokenHeld = false): Promise<void> {
    try {
      it.resolve(await this.call(it.method, it.params, tokenHeld));
    } catch (e) {
      it.reject(e);
    }
  }
}
