import * as qs from "qs";
import { JsonObject, JsonValue, isJsonObject } from "../json";
import { ApiError, systemError } from "../apiError";
import { CallContext, Handler } from "./context";
import { MAX_BATCH_COMMANDS } from "../limits";

/**
 * `batch`: `{halt, cmd: {key: "method?query"}}`, up to 50 commands, one request against the rate
 * limit; answers `{result, result_error, result_total, result_next, result_time}`.
 * `refused` lists methods this portal will not run inside a batch (ERROR_BATCH_METHOD_NOT_ALLOWED).
 */
export function batchHandler(
  methods: Record<string, Handler>,
  refused: readonly string[],
): Handler {
  return async (ctx: CallContext) => {
    const cmd = ctx.params.cmd;
    if (!isJsonObject(cmd)) throw systemError(400, "ERROR_ARGUMENT", "cmd must be an object");
    const entries = Object.entries(cmd);
    if (entries.length > MAX_BATCH_COMMANDS)
      throw systemError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded");
    const parsed = entries.map(([key, line]) => {
      const [method, query = ""] = String(line).split("?", 2);
      if (method === "batch" || refused.includes(method))
        throw systemError(405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method not allowed by batch");
      return {
        key,
        method,
        params: qs.parse(query, { depth: 10, arrayLimit: 1000 }) as JsonObject,
      };
    });
    const halt = Number(ctx.params.halt ?? 0) === 1;
    const result: JsonObject = {};
    const resultError: JsonObject = {};
    for (const { key, method, params } of parsed) {
      const handler = methods[method];
      try {
        if (!handler) throw systemError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
        result[key] = (await handler({ ...ctx, params })) as JsonValue;
      } catch (e) {
        const err =
          e instanceof ApiError ? e : systemError(500, "INTERNAL_SERVER_ERROR", String(e));
        resultError[key] = { error: err.code, error_description: err.description };
        if (halt) break;
      }
    }
    return {
      result,
      result_error: resultError,
      result_total: [],
      result_next: [],
      result_time: {},
    };
  };
}
