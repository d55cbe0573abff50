import {
  FieldSpec,
  JsonObject,
  JsonValue,
  ResourceSchema,
  apiFields,
  isJsonObject,
} from "../schema/spec";
import { ApiError } from "./apiError";

/** PHP is_numeric, the portal's integer check. */
function isNumeric(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  return typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v));
}

function hasType(f: FieldSpec, v: unknown): boolean {
  switch (f.type) {
    case "integer":
      return isNumeric(v);
    case "boolean":
      return typeof v === "boolean"; // strict is_bool: form-encoded "true" fails
    case "array":
      return Array.isArray(v);
    case "map":
      return isJsonObject(v); // a PHP array with string keys
    case "string":
      return typeof v === "string";
  }
}

const TYPE_WORD: Record<FieldSpec["type"], string> = {
  integer: "integer",
  boolean: "boolean",
  array: "array",
  map: "array",
  string: "string",
};

/** `id` checks in the portal's order: missing, then not a positive integer. */
export function requireId(params: JsonObject): number {
  const raw = params.id;
  if (raw === undefined || raw === null || raw === "")
    throw new ApiError("VALIDATION_ID_NOT_PROVIDED", "ID is missing.");
  if (!isNumeric(raw) || Number(raw) <= 0 || !Number.isInteger(Number(raw)))
    throw new ApiError("VALIDATION_INVALID_ID_FORMAT", "ID has to be a positive integer.");
  return Number(raw);
}

/**
 * The generic part of the portal's validation of `fields` for add/update, in its documented order
 * (shared/bitrix24-api.md §3.0), driven by the same schema as the provider's check.
 */
export function validateFields(
  schema: ResourceSchema,
  raw: JsonValue | undefined,
  op: "add" | "update",
): JsonObject {
  if (!isJsonObject(raw) || Object.keys(raw).length === 0)
    throw new ApiError("VALIDATION_FIELDS_NOT_PROVIDED", "Fields not provided.");
  const known = new Set(schema.fields.map((f) => f.name));
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length)
    throw new ApiError(
      "VALIDATION_UNKNOWN_PARAMETERS",
      `Unknown parameters: ${unknown.join(", ")}`,
    );
  for (const f of schema.fields) {
    const present = raw[f.name] !== undefined;
    if (op === "add" && f.required && !f.readOnly && !present)
      throw new ApiError("VALIDATION_REQUIRED_FIELD_MISSING", `Field "${f.name}" is required.`);
    if (!present) continue;
    if (f.readOnly && f.ignoredOnWrite) {
      delete raw[f.name];
      continue;
    }
    if (f.readOnly)
      throw new ApiError("VALIDATION_READ_ONLY_FIELD", `Field "${f.name}" is read only.`);
    if (op === "update" && f.immutable)
      throw new ApiError("VALIDATION_IMMUTABLE_FIELD", `Field "${f.name}" is immutable.`);
    if (!hasType(f, raw[f.name]))
      throw new ApiError(
        "VALIDATION_INVALID_FIELD_TYPE",
        `Field "${f.name}" must be of type ${TYPE_WORD[f.type]}.`,
      );
  }
  return raw;
}

/** Storage limits the portal enforces only when it writes (an undocumented ORM error). */
export function checkStorageLimits(schema: ResourceSchema, fields: JsonObject): void {
  for (const f of apiFields(schema)) {
    const v = fields[f.name];
    if (typeof v === "string" && f.maxLength !== undefined && v.length > f.maxLength)
      throw new ApiError("BX_INVALID_VALUE", `The value of "${f.name}" is too long.`);
    if (typeof v === "string" && f.required && !f.readOnly && v.trim() === "")
      throw new ApiError("BX_INVALID_VALUE", `The value of "${f.name}" cannot be empty.`);
  }
}
