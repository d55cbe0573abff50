import { FieldRow } from "./fieldTable";

/**
 * biconnector.table (and the deprecated biconnector.dataset: same storage), from the table overview
 * page (schema order). Only `description` changes through update; the columns change through
 * `fields.update`. The name is `^[a-z][a-z0-9_]*$`, at most 230 characters, unique portal-wide;
 * externalCode and externalName take at most 512 characters.
 */
export const TABLE_FIELDS: readonly FieldRow[] = [
  { name: "id", type: "integer", readOnly: true },
  { name: "sourceId", type: "integer", required: true, immutable: true },
  { name: "type", type: "string", readOnly: true },
  { name: "name", type: "string", required: true, immutable: true, maxLength: 230 },
  { name: "description", type: "string", default: "" },
  { name: "externalCode", type: "string", required: true, immutable: true, maxLength: 512 },
  { name: "externalName", type: "string", required: true, immutable: true, maxLength: 512 },
  { name: "dateCreate", type: "datetime", readOnly: true },
  { name: "dateUpdate", type: "datetime", readOnly: true },
  { name: "createdById", type: "integer", readOnly: true },
  { name: "updatedById", type: "integer", readOnly: true },
  { name: "externalId", type: "integer", readOnly: true },
  { name: "fields", type: "array", required: true },
];

export const TABLE_NAME = { pattern: /^[a-z][a-z0-9_]*$/, max: 230 } as const;

/**
 * A column: `{type, name, externalCode}` on add, plus `id`, `datasetId`, `visible` (default true)
 * and `description` (always "") when read. Name `^[A-Z][A-Z0-9_]*$`, at most 32 characters; type
 * one of seven lowercase words (the older page lists the first five).
 */
export const COLUMN = {
  namePattern: /^[A-Z][A-Z0-9_]*$/,
  nameMax: 32,
  types: ["int", "string", "double", "date", "datetime", "money", "timezone"],
} as const;
