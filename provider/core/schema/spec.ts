/**
 * The one description of a Bitrix24 object that every layer reads: the provider's check (validation),
 * diff, the mapping to and from API payloads, and the emulator's server-side validation.
 * A field is named the same in Pulumi inputs/outputs and in the biconnector API.
 */
export type FieldType = "string" | "integer" | "boolean" | "array" | "map";

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Required by `add` (the API answers VALIDATION_REQUIRED_FIELD_MISSING without it). */
  readonly required?: boolean;
  /** Set by the server; an output only (the API answers VALIDATION_READ_ONLY_FIELD). */
  readonly readOnly?: boolean;
  /** Cannot change after add (VALIDATION_IMMUTABLE_FIELD): a change replaces the resource. */
  readonly immutable?: boolean;
  /** Unique portal-wide: a replacement must delete the old object first. */
  readonly unique?: boolean;
  /** Credential-like: kept secret in state and never logged. */
  readonly secret?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly enum?: readonly string[];
  readonly format?: "url" | "image";
  /** A regular expression the whole string must match (`pattern.source` is shown to users). */
  readonly pattern?: RegExp;
  /** The value the API stores when the field is omitted on add. */
  readonly default?: string | number | boolean;
  /**
   * Only newer portals know this field: it is sent only when it differs from the default, so that
   * an older portal never sees an unknown parameter for a user who did not set it.
   */
  readonly sendOnlyIfSet?: boolean;
  /** For arrays of objects: the item fields. */
  readonly items?: readonly FieldSpec[];
  /** For arrays of objects: the item type's name in the SDKs (`DatasetColumn`, `ConnectorSetting`). */
  readonly itemTypeName?: string;
  /** For arrays of objects: the items form a set keyed by this field (their order is not compared). */
  readonly itemKey?: string;
  /** For arrays of objects: item fields whose values must differ between items. */
  readonly uniqueItemKeys?: readonly string[];
  /**
   * For maps: the API merges updates by key, so a key can be added or changed but not removed;
   * only the declared keys are compared.
   */
  readonly mergedByKey?: boolean;
  /** With readOnly: the portal accepts the key in `fields` and ignores it (source `active`). */
  readonly ignoredOnWrite?: boolean;
  /** Read by the provider only (e.g. adoptId): never sent to the API, never a change. */
  readonly providerOnly?: boolean;
  /** Free text that may span lines: tab, CR and LF allowed (other strings refuse every control character). */
  readonly multiline?: boolean;
  /** The API answers null until the server first sets it (`dateUpdate` of a never-updated object). */
  readonly nullable?: boolean;
  /**
   * The id of another object (e.g. `"connector"`): programs pass that resource's `id`, a string
   * output, so the typed args take a number or a string (check turns it into a number).
   */
  readonly idOf?: string;
  /** `list` answers do not carry it (dataset columns): only `get` does, so lookups may lack it. */
  readonly absentFromList?: boolean;
  /** Documentation shown in error messages and the README. */
  readonly doc?: string;
}

export interface ResourceSchema {
  /** The biconnector object name: `connector` → biconnector.connector.* */
  readonly object: string;
  readonly fields: readonly FieldSpec[];
}

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Fields a user declares (everything the API lets a client write, plus provider-only ones). */
export function inputFields(schema: ResourceSchema): FieldSpec[] {
  return schema.fields.filter((f) => !f.readOnly);
}

/** Fields that exist in the Bitrix24 API (what the portal validates). */
export function apiFields(schema: ResourceSchema): FieldSpec[] {
  return schema.fields.filter((f) => !f.providerOnly);
}

/** Fields that are sent to the API and compared by diff. */
export function writableApiFields(schema: ResourceSchema): FieldSpec[] {
  return schema.fields.filter((f) => !f.readOnly && !f.providerOnly);
}

export function fieldByName(fields: readonly FieldSpec[], name: string): FieldSpec | undefined {
  return fields.find((f) => f.name === name);
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
