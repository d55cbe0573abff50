/** JSON values as the emulated portal receives and answers them. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * What PHP calls an array: a JSON list or a JSON object. The portal's "array" type check
 * (is_array) lets both through, so the emulator does too.
 */
export function isPhpArray(v: unknown): v is JsonValue[] | JsonObject {
  return Array.isArray(v) || isJsonObject(v);
}

/** The values of a PHP array in order, whichever JSON form it came in. */
export function phpArrayValues(v: JsonValue[] | JsonObject): JsonValue[] {
  return Array.isArray(v) ? v : Object.values(v);
}
