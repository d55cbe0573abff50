import { z } from "zod";
import {
  FieldSpec,
  JsonObject,
  JsonValue,
  ResourceSchema,
  inputFields,
  isJsonObject,
} from "./spec";
import { UNKNOWN, isUnknown } from "./unknown";
import { privateHostReason } from "./endpoint";
import { INT32_MAX, INT32_MIN, describeAllowed, describeValue } from "./describe";

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface ValidateOptions {
  /**
   * Endpoint URLs may point at loopback, private and link-local hosts (bitrix24:allowPrivateEndpoints):
   * on-premise portals and local development with the emulator. A cloud portal cannot call them.
   */
  allowPrivateEndpoints?: boolean;
}

/**
 * Keys that would change an object's prototype (or shadow its constructor) once parsed by a
 * JavaScript or PHP-to-JS layer: refused with a reason, never silently dropped.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** C0 and C1 control characters and DEL; multi-line fields keep tab, CR and LF. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const httpUrl = (v: string): boolean => {
  try {
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
};
const dataImage = /^data:image\/[a-z0-9.+-]+;base64,[a-z0-9+/=\s]+$/i;

/** Builds the zod type for one field from its spec (the spec is the single source). */
function zodFor(f: FieldSpec): z.ZodType {
  switch (f.type) {
    case "integer":
      // The API takes anything PHP's is_numeric accepts; config files give strings.
      return z.union([
        z.int().min(INT32_MIN).max(INT32_MAX),
        z
          .string()
          .regex(/^-?\d+$/)
          .refine((v) => Number(v) >= INT32_MIN && Number(v) <= INT32_MAX),
      ]);
    case "boolean":
      return z.boolean();
    case "map":
      return z.record(z.string(), z.union([z.string(), z.number()]));
    case "array":
      return f.items ? z.array(z.strictObject(shape(f.items))) : z.array(z.unknown());
    case "string": {
      if (f.enum) return z.enum(f.enum as [string, ...string[]]);
      let s = z.string();
      if (f.minLength) s = s.min(f.minLength);
      if (f.maxLength) s = s.max(f.maxLength);
      if (f.pattern) s = s.regex(f.pattern);
      if (f.format === "url") return s.refine(httpUrl);
      if (f.format === "image") return s.refine((v) => httpUrl(v) || dataImage.test(v));
      return s;
    }
  }
}

function shape(fields: readonly FieldSpec[]): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const f of fields) {
    if (f.readOnly) continue; // server-set item fields (column ids) are not for users to write
    out[f.name] = f.required ? zodFor(f) : zodFor(f).optional();
  }
  return out;
}

function formatPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (isUnknown(v)) return UNKNOWN;
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function specAt(fields: readonly FieldSpec[], path: readonly PropertyKey[]): FieldSpec | undefined {
  let list: readonly FieldSpec[] | undefined = fields;
  let spec: FieldSpec | undefined;
  for (const p of path) {
    if (typeof p === "number") continue;
    if (spec?.type === "map") return spec; // keys below a map are its own
    spec = list?.find((f) => f.name === p);
    list = spec?.items;
  }
  return spec;
}

function uniqueItemFailures(input: JsonObject, fields: readonly FieldSpec[]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const f of fields) {
    const list = input[f.name];
    if (!Array.isArray(list)) continue;
    for (const k of f.uniqueItemKeys ?? []) {
      const seen = new Map<string, number>();
      list.forEach((item, i) => {
        const key = isJsonObject(item) ? item[k] : undefined;
        if (typeof key !== "string" || isUnknown(key)) return;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else
          failures.push({
            property: `${f.name}[${i}].${k}`,
            reason: `duplicates ${f.name}[${first}].${k} (${JSON.stringify(key)}); each ${k} must be unique`,
          });
      });
    }
  }
  return failures;
}

/**
 * Validates user inputs against everything the API enforces, before any API call. Values that are
 * unknown during preview are skipped, never reported. Returns one failure per offending property.
 */
export function validateInputs(
  schema: ResourceSchema,
  input: unknown,
  options: ValidateOptions = {},
): CheckFailure[] {
  const fields = inputFields(schema);
  if (!isJsonObject(input)) return [{ property: "", reason: "inputs must be an object" }];
  const result = z.strictObject(shape(fields)).safeParse(input);
  const failures: CheckFailure[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          const where = formatPath([...issue.path, key]);
          const allowed = issue.path.length
            ? (specAt(fields, issue.path)?.items ?? []).map((f) => f.name)
            : fields.map((f) => f.name);
          failures.push({
            property: where,
            reason: `unknown property; allowed: ${allowed.join(", ")}`,
          });
        }
        continue;
      }
      // zod may report deeper paths for a union branch; report at the field level.
      const path = issue.path;
      const value = valueAt(input, path);
      if (isUnknown(value)) continue;
      const spec = specAt(fields, path);
      const property = formatPath(path);
      if (failures.some((f) => f.property === property)) continue;
      const allowed = spec ? describeAllowed(spec) : "a valid value";
      // A credential's value is never echoed, not even a wrong one.
      const secret = fields.find((f) => f.name === path[0])?.secret;
      const reason =
        value === undefined
          ? `is required: must be ${allowed}`
          : secret
            ? `must be ${allowed}`
            : `must be ${allowed}, got ${describeValue(value)}`;
      failures.push({ property, reason });
    }
  }
  // One failure per property: a forbidden key first (it says the most), then the shape problem.
  const all = [
    ...forbiddenKeyFailures(input, ""),
    ...failures,
    ...contentFailures(input, fields, options),
    ...uniqueItemFailures(input, fields),
  ];
  return all.filter((f, i) => all.findIndex((g) => g.property === f.property) === i);
}

function join(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** The keys of a plain object that would be refused as prototype machinery. */
export function forbiddenKeysOf(v: object): string[] {
  return Object.keys(v).filter((k) => FORBIDDEN_KEYS.has(k));
}

function forbiddenKeyFailures(v: unknown, path: string): CheckFailure[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => forbiddenKeyFailures(x, join(path, i)));
  if (typeof v !== "object" || v === null) return [];
  return Object.keys(v).flatMap((k) =>
    FORBIDDEN_KEYS.has(k)
      ? [
          {
            property: join(path, k),
            reason: `${JSON.stringify(k)} is not allowed as a key (it names a JavaScript object's prototype machinery)`,
          },
        ]
      : forbiddenKeyFailures((v as Record<string, unknown>)[k], join(path, k)),
  );
}

/** What a string may not hold beyond its type and length: control characters, URL hazards. */
function contentFailures(
  input: JsonObject,
  fields: readonly FieldSpec[],
  options: ValidateOptions,
): CheckFailure[] {
  const out: CheckFailure[] = [];
  const visit = (f: FieldSpec, v: unknown, path: string): void => {
    if (isUnknown(v)) return;
    if (f.type === "string" && typeof v === "string") {
      const reason = stringProblem(f, v, options);
      if (reason) out.push({ property: path, reason });
    } else if (f.type === "map" && isJsonObject(v)) {
      for (const [k, x] of Object.entries(v))
        if (typeof x === "string" && !isUnknown(x) && CONTROL.test(x))
          out.push({ property: join(path, k), reason: "must not contain control characters" });
    } else if (f.type === "array" && f.items && Array.isArray(v)) {
      const items = f.items;
      v.forEach((item, i) => {
        if (!isJsonObject(item)) return;
        for (const spec of items)
          if (!spec.readOnly) visit(spec, item[spec.name], join(join(path, i), spec.name));
      });
    }
  };
  for (const f of fields) visit(f, input[f.name], f.name);
  return out;
}

function stringProblem(f: FieldSpec, v: string, options: ValidateOptions): string | undefined {
  // Base64 in a data URI is often wrapped at 76 characters: line breaks there are harmless.
  const lines = f.multiline || (f.format === "image" && v.startsWith("data:"));
  const control = lines ? CONTROL_EXCEPT_LINES : CONTROL;
  if (control.test(v))
    return lines
      ? "must not contain control characters other than tab and line breaks"
      : "must not contain control characters (CR, LF, tab, NUL…)";
  if (!(f.format === "url" || f.format === "image") || !httpUrl(v)) return undefined;
  if (/\s/.test(v)) return "must not contain spaces or other whitespace (encode them as %20)";
  const url = new URL(v);
  if (url.username || url.password)
    return "must not contain credentials (user:password@): they would be stored in plain text in Pulumi state; use the connector settings for credentials";
  if (f.format === "url" && !options.allowPrivateEndpoints) {
    const why = privateHostReason(url.hostname);
    if (why)
      return (
        `host ${url.hostname} ${why}: a cloud Bitrix24 portal cannot call it. For an on-premise ` +
        "portal or local development (the emulator), set bitrix24:allowPrivateEndpoints true " +
        "(BITRIX24_ALLOW_PRIVATE_ENDPOINTS=true)"
      );
  }
  return undefined;
}

/**
 * The inputs as the API will store them: defaults applied for omitted fields (so that a refresh
 * right after create shows no drift) and integers as numbers.
 */
export function normalizeInputs(schema: ResourceSchema, input: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const f of inputFields(schema)) {
    const v = input[f.name];
    if (v === undefined || v === null) {
      if (f.default !== undefined) out[f.name] = f.default;
      continue;
    }
    out[f.name] = normalizeValue(f, v);
  }
  return out;
}

export function normalizeValue(f: FieldSpec, v: JsonValue): JsonValue {
  if (isUnknown(v)) return v;
  if (f.type === "integer" && typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  if (f.type === "map" && isJsonObject(v)) {
    // The API stores and returns setting values as strings; keys in a stable order.
    const o: JsonObject = {};
    for (const k of Object.keys(v).sort())
      o[k] = isUnknown(v[k]) || v[k] === null ? v[k] : String(v[k]);
    return o;
  }
  if (f.type === "array" && f.items && Array.isArray(v)) {
    const items = f.items;
    return v.map((item) => {
      if (!isJsonObject(item)) return item;
      const o: JsonObject = {};
      // Fixed key order, so equal items serialize equally.
      for (const i of items) {
        if (item[i.name] !== undefined && item[i.name] !== null)
          o[i.name] = normalizeValue(i, item[i.name]);
        else if (i.default !== undefined) o[i.name] = i.default;
      }
      return o;
    });
  }
  return v;
}
