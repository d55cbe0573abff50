import { JsonObject, JsonValue, isJsonObject, isPhpArray } from "./json";
import { ApiError } from "./apiError";
import { FieldRow } from "./objects/fieldTable";

/** PHP is_numeric, the portal's integer check: "100" passes like 100. */
export function isNumeric(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  return typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v));
}

function hasType(row: FieldRow, v: unknown): boolean {
  switch (row.type) {
    case "integer":
      return isNumeric(v);
    case "boolean":
      return typeof v === "boolean"; // strict is_bool: form-encoded "true" fails
    case "array":
      return isPhpArray(v);
    case "string":
    case "datetime":
      return typeof v === "string";
  }
}

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
 * The generic check of `fields` for add/update, in the documented order: fields missing or not an
 * object; keys outside the schema; then per field in schema order — required on add, read-only,
 * immutable on update, type. Fields the methods ignore are dropped after their type check.
 */
export function validateFields(
  rows: readonly FieldRow[],
  raw: JsonValue | undefined,
  op: "add" | "update",
): JsonObject {
  if (!isJsonObject(raw) || Object.keys(raw).length === 0)
    throw new ApiError("VALIDATION_FIELDS_NOT_PROVIDED", "Fields not provided.");
  const known = new Set(rows.map((f) => f.name));
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length)
    throw new ApiError(
      "VALIDATION_UNKNOWN_PARAMETERS",
      `Unknown parameters: ${unknown.join(", ")}`,
    );
  const out: JsonObject = {};
  for (const f of rows) {
    const value = raw[f.name];
    if (value === undefined) {
      if (op === "add" && f.required && !f.readOnly)
        throw new ApiError("VALIDATION_REQUIRED_FIELD_MISSING", `Field "${f.name}" is required.`);
      continue;
    }
    if (f.readOnly)
      throw new ApiError("VALIDATION_READ_ONLY_FIELD", `Field "${f.name}" is read only.`);
    if (op === "update" && f.immutable)
      throw new ApiError("VALIDATION_IMMUTABLE_FIELD", `Field "${f.name}" is immutable.`);
    if (!hasType(f, value))
      throw new ApiError(
        "VALIDATION_INVALID_FIELD_TYPE",
        `Field "${f.name}" must be of type ${f.type}.`,
      );
    if (!f.ignoredByMethods) out[f.name] = value;
  }
  return out;
}

/**
 * Limits the storage enforces only when it writes (the portal's ORM, an undocumented error code):
 * strings over their length, and an empty title.
 */
export function checkStorageLimits(rows: readonly FieldRow[], fields: JsonObject): void {
  for (const f of rows) {
    const v = fields[f.name];
    if (typeof v === "string" && f.maxLength !== undefined && v.length > f.maxLength)
      throw new ApiError("BX_INVALID_VALUE", `The value of "${f.name}" is too long.`);
  }
  if (typeof fields.title === "string" && fields.title.trim() === "")
    throw new ApiError("BX_INVALID_VALUE", 'The value of "title" cannot be empty.');
}
