import { FieldRow } from "./fieldTable";

/**
 * biconnector.source, from the source overview page and the `source.fields` answer (schema order).
 * `title` is required by add and by update. `active` is writable in the schema but both methods
 * ignore it (a source is always created active). `connectorId` cannot change. `settings` comes in
 * as `{code: value}` and goes out as a list of `{id, code, name, type, value}`.
 */
export const SOURCE_FIELDS: readonly FieldRow[] = [
  { name: "id", type: "integer", readOnly: true },
  { name: "title", type: "string", required: true },
  { name: "type", type: "string", readOnly: true },
  { name: "code", type: "string", readOnly: true },
  { name: "description", type: "string", default: "" },
  { name: "active", type: "boolean", ignoredByMethods: true },
  { name: "dateCreate", type: "datetime", readOnly: true },
  { name: "dateUpdate", type: "datetime", readOnly: true },
  { name: "createdById", type: "integer", readOnly: true },
  { name: "updatedById", type: "integer", readOnly: true },
  { name: "connectorId", type: "integer", required: true, immutable: true },
  { name: "settings", type: "array", required: true },
];
