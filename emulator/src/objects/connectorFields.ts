import { FieldRow } from "./fieldTable";

/**
 * biconnector.connector, read from the connector overview page and the `connector.fields` answer:
 * the documented `fields` answer lists id, title, logo, description, sort, the four endpoint URLs,
 * settings and dateCreate in that order; supportMapping and sourceCode came later (newer portals
 * accept and return them) and follow. No field is immutable: everything updates in place.
 * Limits: title 512 characters, each URL 2048, sourceCode 64; the logo has none.
 */
export const CONNECTOR_FIELDS: readonly FieldRow[] = [
  { name: "id", type: "integer", readOnly: true },
  { name: "title", type: "string", required: true, maxLength: 512 },
  { name: "logo", type: "string", required: true },
  { name: "description", type: "string", default: "" },
  { name: "sort", type: "integer", default: 100 },
  { name: "urlCheck", type: "string", required: true, maxLength: 2048 },
  { name: "urlData", type: "string", required: true, maxLength: 2048 },
  { name: "urlTableList", type: "string", required: true, maxLength: 2048 },
  { name: "urlTableDescription", type: "string", required: true, maxLength: 2048 },
  { name: "settings", type: "array", required: true },
  { name: "dateCreate", type: "datetime", readOnly: true },
  // A strict JSON boolean: form-encoded "true" is a string and fails the type check.
  { name: "supportMapping", type: "boolean", default: false },
  { name: "sourceCode", type: "string", maxLength: 64, default: "" },
];

/**
 * One entry of a connector's `settings`: `{code, name, type}`; code and name up to 512 characters
 * (the message says "less than 512", yet 512 itself passes); type STRING or INT, case-sensitive.
 * Duplicate codes are not checked by the portal.
 */
export const SETTING_LIMITS = { nameMax: 512, codeMax: 512, types: ["STRING", "INT"] } as const;
