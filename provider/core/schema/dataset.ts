import { ResourceSchema } from "./spec";

export const COLUMN_TYPES = [
  "int",
  "string",
  "double",
  "date",
  "datetime",
  "money",
  "timezone",
] as const;

/**
 * biconnector.table (formerly biconnector.dataset; docs/bitrix24-api.md#table): a table of a source offered to BI Builder
 * reports, with its columns. Only the description and the columns change in place; sourceId, name,
 * externalCode and externalName replace it, and the name is unique portal-wide.
 */
export const datasetSchema = {
  object: "dataset",
  fields: [
    { name: "id", type: "integer", readOnly: true },
    { name: "sourceId", type: "integer", required: true, immutable: true, idOf: "source" },
    { name: "type", type: "string", readOnly: true },
    {
      name: "name",
      type: "string",
      required: true,
      immutable: true,
      unique: true,
      pattern: /^[a-z][a-z0-9_]*$/,
      maxLength: 230,
    },
    { name: "description", type: "string", default: "", multiline: true },
    {
      name: "externalCode",
      type: "string",
      required: true,
      immutable: true,
      minLength: 1,
      maxLength: 512,
    },
    {
      name: "externalName",
      type: "string",
      required: true,
      immutable: true,
      minLength: 1,
      maxLength: 512,
    },
    { name: "dateCreate", type: "string", readOnly: true },
    { name: "dateUpdate", type: "string", readOnly: true, nullable: true },
    { name: "createdById", type: "integer", readOnly: true },
    { name: "updatedById", type: "integer", readOnly: true },
    { name: "externalId", type: "integer", readOnly: true },
    {
      name: "fields",
      type: "array",
      required: true,
      itemTypeName: "DatasetColumn",
      absentFromList: true,
      itemKey: "name",
      uniqueItemKeys: ["name", "externalCode"],
      items: [
        { name: "id", type: "integer", readOnly: true },
        { name: "type", type: "string", required: true, enum: COLUMN_TYPES },
        {
          name: "name",
          type: "string",
          required: true,
          pattern: /^[A-Z][A-Z0-9_]*$/,
          maxLength: 32,
        },
        { name: "externalCode", type: "string", required: true, minLength: 1, maxLength: 512 },
        { name: "visible", type: "boolean", default: true },
      ],
    },
    { name: "adoptId", type: "integer", providerOnly: true },
  ],
} as const satisfies ResourceSchema;
