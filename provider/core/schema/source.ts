import { ResourceSchema } from "./spec";

/**
 * biconnector.source (docs/bitrix24-api.md#source): a working connection of a connector, holding
 * the values of its settings — credentials, so secret. Fields in the API's schema order.
 */
export const sourceSchema = {
  object: "source",
  fields: [
    { name: "id", type: "integer", readOnly: true },
    { name: "title", type: "string", required: true, minLength: 1 },
    { name: "type", type: "string", readOnly: true },
    { name: "code", type: "string", readOnly: true },
    { name: "description", type: "string", default: "", multiline: true },
    // Writable in the schema, ignored by add and update: always created active (docs/bitrix24-api.md#ambiguity-source-active).
    { name: "active", type: "boolean", readOnly: true, ignoredOnWrite: true },
    { name: "dateCreate", type: "string", readOnly: true },
    { name: "dateUpdate", type: "string", readOnly: true, nullable: true },
    { name: "createdById", type: "integer", readOnly: true },
    { name: "updatedById", type: "integer", readOnly: true },
    { name: "connectorId", type: "integer", required: true, immutable: true, idOf: "connector" },
    // Values per connector setting code; updates merge by key (a key cannot be removed).
    { name: "settings", type: "map", required: true, secret: true, mergedByKey: true },
    { name: "adoptId", type: "integer", providerOnly: true },
  ],
} as const satisfies ResourceSchema;
