import { answerNumber } from "../transport/answerValues";
import { Bitrix24Error, ResetSource } from "../../errors/errors";
import { JsonObject, isJsonObject } from "../../schema/spec";

/**
 * The portal's operating limit: each method may use so much execution time in a window of ten
 * minutes; beyond it the method answers 429 OPERATION_TIME_LIMIT until `operating_reset_at`
 * (unix seconds), which successful answers carry in their `time` block (a batch: per command in
 * `result_time[key]`). The error answer itself carries no timings (the portal's error answers
 * have no `time` block; the official JS SDK derives the wait the same way), so this remembers
 * the last reset each method's answers named. Without one, the wait is the whole window: after
 * it the method's used time has left it for certain.
 */
export const OPERATING_WINDOW_SEC = 600;

/** `operating_reset_at` of a `time` block (unix seconds), unless missing or implausible. */
export const resetOf = (time: unknown): number | undefined => {
  if (!isJsonObject(time)) return undefined;
  const at = answerNumber(time.operating_reset_at);
  return Number.isFinite(at) && at > 0 && at < 1e11 ? at : undefined;
};

export class OperatingBudget {
  private readonly resets = new Map<string, number>();

  constructor(private readonly nowSec: () => number = () => Date.now() / 1000) {}

  /** Remembers the resets an answer names: its own method's, and a batch's commands'. */
  learn(method: string, params: JsonObject, data: unknown): void {
    if (!isJsonObject(data)) return;
    const own = resetOf(data.time);
    if (own !== undefined) this.resets.set(method, own);
    const result = data.result;
    const cmd = params.cmd;
    if (method !== "batch" || !isJsonObject(result) || !isJsonObject(result.result_time)) return;
    if (!isJsonObject(cmd) && !Array.isArray(cmd)) return;
    for (const [key, time] of Object.entries(result.result_time)) {
      const line = (cmd as Record<string, unknown>)[key];
      const at = resetOf(time);
      if (typeof line === "string" && at !== undefined) this.resets.set(line.split("?")[0], at);
    }
  }

  /**
   * The error of an OPERATION_TIME_LIMIT answer with its reset time: the answer's own, else the
   * last one this method's answers named (if still ahead), else the end of a whole window.
   */
  withReset(e: Bitrix24Error): Bitrix24Error {
    if (e.code !== "OPERATION_TIME_LIMIT" || e.operatingResetAt !== undefined) return e;
    const now = this.nowSec();
    const last = this.resets.get(e.method);
    const [at, source]: [number, ResetSource] =
      last !== undefined && last > now
        ? [last, "last answer"]
        : [Math.ceil(now + OPERATING_WINDOW_SEC), "window"];
    return new Bitrix24Error(e.method, e.code, e.description, e.httpStatus, at, source);
  }
}
