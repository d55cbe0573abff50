import { JsonValue } from "../json";
import { systemError } from "../apiError";
import { CallContext, Handler } from "./context";

/** The scope a method needs; methods of the basic scope (scope, app.info, batch) need none. */
export function scopeOf(method: string): string | undefined {
  return method.startsWith("biconnector.") ? "biconnector" : undefined;
}

/**
 * Runs one method as the REST layer does before the module sees the call: an unknown method is
 * ERROR_METHOD_NOT_FOUND (404), a method outside the caller's scopes insufficient_scope (401).
 * Both are root errors, so inside `batch` they land in `result_error`.
 */
export async function invoke(
  methods: Record<string, Handler>,
  method: string,
  ctx: CallContext,
): Promise<JsonValue> {
  const handler = methods[method];
  if (!handler) throw systemError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
  const scope = scopeOf(method);
  if (scope && !ctx.scopes.includes(scope))
    throw systemError(
      401,
      "insufficient_scope",
      "The request requires higher privileges than provided by the access token",
    );
  return handler(ctx);
}
