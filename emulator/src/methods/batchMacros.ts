import { JsonValue } from "../json";

/**
 * The result macros of `batch` (the batch page, and `BX24.callBatch`): in a later command's
 * parameters, `$result[cmd][field]` — deeper `$result[cmd][a][b]`, numeric keys when `cmd` was a
 * list — stands for that field of an earlier command's result in the same request, e.g.
 * `cmd[s]=biconnector.source.add?fields[connectorId]=$result[c][id]`. Replaced in the parsed
 * parameters, so a macro arrives the same whether the command's query encoded it
 * (`%24result%5Bc%5D%5Bid%5D`) or not, in a form-encoded or a JSON `cmd`.
 *
 * Where the docs are silent, this emulator's choice: a macro naming a command that has not run,
 * that failed (its result is an error), or a field its result lacks becomes the empty string, so
 * the later command fails with its own validation error instead of running with a guessed value.
 * A value that is exactly one macro takes the field's value as is (a number stays a number, a
 * list stays a list); a macro inside a longer text is replaced by the field's text.
 */
const MACRO = /\$result((?:\[[^\][]*\])+)/g;

export function expandMacros(
  params: JsonValue,
  results: ReadonlyMap<string, JsonValue>,
): JsonValue {
  if (typeof params === "string") return expandText(params, results);
  if (Array.isArray(params)) return params.map((v) => expandMacros(v, results));
  if (params && typeof params === "object")
    return Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, expandMacros(v, results)]),
    );
  return params;
}

function expandText(text: string, results: ReadonlyMap<string, JsonValue>): JsonValue {
  const whole = new RegExp(`^${MACRO.source}$`).exec(text);
  if (whole) return lookup(whole[1], results) ?? "";
  return text.replace(MACRO, (_m, path: string) => textOf(lookup(path, results)));
}

/** The value at `[cmd][a][b]…`, or undefined when the command did not succeed or lacks it. */
function lookup(path: string, results: ReadonlyMap<string, JsonValue>): JsonValue | undefined {
  const keys = [...path.matchAll(/\[([^\][]*)\]/g)].map((m) => m[1]);
  const [cmd, ...fields] = keys;
  let v: JsonValue | undefined = results.get(cmd);
  if (isError(v)) return undefined;
  for (const k of fields) {
    if (v === null || typeof v !== "object") return undefined;
    v = Array.isArray(v) ? v[Number(k)] : v[k];
  }
  return v;
}

/** A module error is a command's result in the answer (`{error: {…}}`), not a value to use. */
function isError(v: JsonValue | undefined): boolean {
  return (
    !!v && typeof v === "object" && !Array.isArray(v) && "error" in v && Object.keys(v).length === 1
  );
}

function textOf(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
