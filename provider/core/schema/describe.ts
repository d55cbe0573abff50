import { FieldSpec } from "./spec";

/** Integers are stored as signed 32-bit numbers by the portal; larger ones would be sent as 1e20. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Plain-words description of what a field allows, used in every failure about it. */
export function describeAllowed(f: FieldSpec): string {
  switch (f.type) {
    case "integer":
      return `an integer from ${INT32_MIN} to ${INT32_MAX}`;
    case "boolean":
      return "true or false";
    case "map":
      return "an object of string or number values";
    case "array":
      return f.items ? `a list of objects with ${f.items.map((i) => i.name).join(", ")}` : "a list";
    case "string": {
      if (f.enum) return `one of ${f.enum.join(", ")} (case-sensitive)`;
      const len = f.maxLength ? ` of at most ${f.maxLength} characters` : "";
      if (f.pattern) return `a string matching ${f.pattern.source}${len}`;
      if (f.format === "url") return `an http(s) URL${len}`;
      if (f.format === "image")
        return `an http(s) image URL or a data URI "data:image/<type>;base64,<data>"${len}`;
      return f.minLength ? `a non-empty string${len}` : `a string${len}`;
    }
  }
}

/** A value as shown in a failure: short strings quoted, long ones by their length. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "an empty value";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string")
    return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === "object") return "an object";
  if (typeof v === "number" && !Number.isFinite(v)) return "a number out of range";
  return `${typeof v} ${String(v)}`;
}
