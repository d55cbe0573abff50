import { JsonValue } from "../json";

/**
 * One row of an object's field table, as the biconnector docs describe it (the `*.fields` answer
 * plus the field tables of each object's overview page). The rows are kept in the portal's schema
 * order, which is the order in which it validates `fields` and reports the first problem.
 */
export interface FieldRow {
  readonly name: string;
  /** The schema type: "array" is a PHP array (a JSON list or object); "datetime" is a string. */
  readonly type: "integer" | "string" | "boolean" | "array" | "datetime";
  /** `add` refuses a request without it (VALIDATION_REQUIRED_FIELD_MISSING). */
  readonly required?: boolean;
  /** Set by the portal; passing it is VALIDATION_READ_ONLY_FIELD. */
  readonly readOnly?: boolean;
  /** Passing it to `update` is VALIDATION_IMMUTABLE_FIELD. */
  readonly immutable?: boolean;
  /** Writable in the schema (type-checked) but ignored by add and update. */
  readonly ignoredByMethods?: boolean;
  /** Longest string the storage takes; longer is a storage error (BX_INVALID_VALUE). */
  readonly maxLength?: number;
  /** Stored when `add` omits the field. */
  readonly default?: JsonValue;
}

/** `*.fields`: the static description, each item titled with the field's name. */
export function describeFields(rows: readonly FieldRow[]): JsonValue {
  return {
    fields: rows.map((f) => ({
      title: f.name,
      type: f.type,
      // The documented answers mark read-only fields as required too.
      isRequired: Boolean(f.required || f.readOnly),
      isReadOnly: Boolean(f.readOnly),
      isImmutable: Boolean(f.immutable),
      isMultiple: f.type === "array",
    })),
  };
}

export const rowNamed = (rows: readonly FieldRow[], name: string): FieldRow | undefined =>
  rows.find((r) => r.name === name);
