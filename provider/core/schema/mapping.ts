import {
  FieldSpec,
  JsonObject,
  JsonValue,
  ResourceSchema,
  inputFields,
  isJsonObject,
  writableApiFields,
} from "./spec";
import { ItemValues } from "./types";
import { normalizeValue } from "./validate";
import { checkApiItem } from "./answer";

function wanted(schema: ResourceSchema, inputs: JsonObject, names: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const f of writableApiFields(schema)) {
    if (!names.includes(f.name)) continue;
    const v = inputs[f.name];
    if (v === undefined || v === null) continue;
    out[f.name] = normalizeValue(f, v);
  }
  return out;
}

/** `fields` for `add`: every declared field, leaving out newer-portal fields left at their default. */
export function toAddFields(schema: ResourceSchema, inputs: JsonObject): JsonObject {
  const names = writableApiFields(schema)
    .filter((f) => {
      const v = inputs[f.name];
      if (v === undefined || v === null) return false;
      return !(f.sendOnlyIfSet && normalizeValue(f, v) === f.default);
    })
    .map((f) => f.name);
  return wanted(schema, inputs, names);
}

/** `fields` for `update`: only the changed ones (updates are partial; arrays replace whole). */
export function toUpdateFields(
  schema: ResourceSchema,
  inputs: JsonObject,
  changed: readonly string[],
): JsonObject {
  return wanted(schema, inputs, changed);
}

/**
 * Outputs from an API item: every schema field but `id`, normalized; unknown keys ignored. The
 * item is checked first (checkApiItem): no object, or a field of the wrong type, is an error that
 * names `method` — never an empty or coerced state. Typed from the schema: normalizeValue gives
 * each field its schema type (ids as numbers, map values as strings, defaults filled), which is
 * what the one cast at the end states.
 */
export function fromApiItem<S extends ResourceSchema>(
  schema: S,
  raw: unknown,
  method = `biconnector.${schema.object}`,
): ItemValues<S["fields"]> & JsonObject {
  const item = checkApiItem(schema, raw, method);
  const out: JsonObject = {};
  for (const f of schema.fields) {
    if (f.name === "id" || f.providerOnly) continue;
    const v = item[f.name];
    if (v === undefined || v === null) {
      if (f.default !== undefined) out[f.name] = f.default;
      else if (v === null) out[f.name] = null;
      continue;
    }
    out[f.name] = normalizeValue(f, v);
  }
  return out as ItemValues<S["fields"]> & JsonObject;
}

/** An item of a list of objects without its server-set fields (a column's `id`). */
function withoutReadOnlyItemFields(f: FieldSpec, v: JsonValue): JsonValue {
  if (!f.items || !Array.isArray(v)) return v;
  const serverSet = f.items.filter((i) => i.readOnly).map((i) => i.name);
  return v.map((item) =>
    isJsonObject(item)
      ? Object.fromEntries(Object.entries(item).filter(([k]) => !serverSet.includes(k)))
      : item,
  );
}

/**
 * The input view of outputs: what `read` returns as `inputs`, so that a refresh leaves no phantom
 * diff and an import (a read with only an id) yields inputs that check accepts as they are.
 */
export function inputsFromOutputs(schema: ResourceSchema, outputs: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const f of inputFields(schema))
    if (outputs[f.name] !== undefined) out[f.name] = withoutReadOnlyItemFields(f, outputs[f.name]);
  return out;
}
