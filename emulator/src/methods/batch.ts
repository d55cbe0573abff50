import * as qs from "qs";
import { JsonObject, JsonValue, isPhpArray } from "../json";
import { ApiError, systemError } from "../apiError";
import { Faults } from "../faults";
import { MAX_BATCH_COMMANDS } from "../limits";
import { OperatingMeter, timeBlock } from "../time";
import { CallContext, Handler } from "./context";
import { invoke } from "./dispatch";
import { expandMacros } from "./batchMacros";

/**
 * A PHP array as PHP's json_encode writes it: empty → `[]`, keys 0..n-1 in order → a list,
 * anything else → an object.
 */
function phpJson(entries: Map<string, JsonValue>): JsonValue {
  const keys = [...entries.keys()];
  if (keys.every((k, i) => k === String(i))) return [...entries.values()];
  return Object.fromEntries(entries);
}

/** PHP truthiness of a request flag: `true`, 1, "1", "Y"… but not false, 0, "0" or "". */
export const truthy = (v: JsonValue | undefined): boolean =>
  v === true ||
  (typeof v === "number" && v !== 0) ||
  (typeof v === "string" && v !== "" && v !== "0");

/**
 * `batch`: `{halt, cmd}` where cmd maps keys (or list indexes) to `"method?query"`, at most 50,
 * counted as one request. Answers `{result, result_error, result_total, result_next, result_time}`
 * as the real REST layer does:
 * - a biconnector module error is the method's result, so it is data: `result[key] = {error: {…}}`;
 * - only errors raised outside the module go to `result_error[key]`: method not found, not allowed
 *   in batch (ERROR_BATCH_METHOD_NOT_ALLOWED: one command's error, the request still answers 200),
 *   missing scope;
 * - with `halt` set, the first `result_error` entry stops the commands after it (module errors are
 *   data and do not halt);
 * - `result_time[key]` times each command that ran, with the method's operating fields;
 * - `$result[key][field]` in a command's parameters is an earlier command's result (batchMacros.ts).
 * `refused` lists methods this portal will not run inside a batch.
 */
export function batchHandler(
  methods: Record<string, Handler>,
  refused: readonly string[],
  faults?: Faults,
  meter?: OperatingMeter,
): Handler {
  return async (ctx: CallContext) => {
    const cmd = ctx.params.cmd;
    if (!isPhpArray(cmd))
      throw systemError(400, "ERROR_ARGUMENT", 'Parameter "cmd" must be an array of commands.');
    const commands: [string, JsonValue][] = Array.isArray(cmd)
      ? cmd.map((line, i) => [String(i), line])
      : Object.entries(cmd);
    if (commands.length > MAX_BATCH_COMMANDS)
      throw systemError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded");
    const halt = truthy(ctx.params.halt);
    const result = new Map<string, JsonValue>();
    const errors = new Map<string, JsonValue>();
    const times = new Map<string, JsonValue>();
    for (const [key, line] of commands) {
      const started = Date.now();
      const text = String(line);
      const q = text.indexOf("?");
      // Method names are case-insensitive, as on real portals.
      const method = (q < 0 ? text : text.slice(0, q)).toLowerCase();
      try {
        if (method === "batch" || refused.some((r) => r.toLowerCase() === method))
          throw systemError(405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method not allowed by batch");
        const parsed = qs.parse(q < 0 ? "" : text.slice(q + 1), {
          depth: 10,
          arrayLimit: 1000,
        }) as JsonObject;
        const params = expandMacros(parsed, result) as JsonObject;
        // An injected error for this command (a test's "the portal refuses the third add").
        const fault = faults?.takeCommandError(method);
        if (fault)
          throw new ApiError(
            fault.code ?? "BX_ERROR",
            fault.description ?? "Injected error",
            fault.status ?? 200,
            (fault.status ?? 200) !== 200,
          );
        result.set(key, await invoke(methods, method, { ...ctx, params }));
      } catch (e) {
        if (e instanceof ApiError && !e.root)
          result.set(key, { error: { error: e.code, error_description: e.description } });
        else {
          const err =
            e instanceof ApiError
              ? e
              : systemError(500, "INTERNAL_SERVER_ERROR", "Internal server error");
          errors.set(key, { error: err.code, error_description: err.description });
        }
      }
      // `operating` (the method's execution time in the current window) and `operating_reset_at`,
      // as in a single call's answer: the official JS SDK reads them so, and its tests record both
      // from a live portal's batch answers.
      meter?.record(method, (Date.now() - started) / 1000);
      times.set(key, timeBlock(started, meter ? meter.fields(method) : {}));
      if (halt && errors.has(key)) break;
    }
    return {
      result: phpJson(result),
      result_error: phpJson(errors),
      result_total: [],
      result_next: [],
      result_time: phpJson(times),
    };
  };
}
