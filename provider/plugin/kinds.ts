import { connectorSchema } from "../core/schema/connector";
import { datasetSchema } from "../core/schema/dataset";
import { sourceSchema } from "../core/schema/source";
import { FieldSpec, ResourceSchema } from "../core/schema/spec";

/** The Pulumi package name: tokens are `bitrix24:index:<Name>`, config keys `bitrix24:<key>`. */
export const PACKAGE = "bitrix24";
const MODULE = "index";

/** One biconnector object as the plugin serves it: a resource and two lookups. */
export interface Kind {
  /** "Connector": the resource token's name, and the object in messages. */
  readonly name: "Connector" | "Source" | "Dataset";
  readonly schema: ResourceSchema;
  readonly description: string;
  /** Names of the object types of array items (e.g. the dataset's `fields` are DatasetColumn). */
  readonly itemTypeNames: Readonly<Record<string, string>>;
}

/** The SDK type names of a schema's object lists, as the schema declares them. */
function itemTypeNamesOf(schema: ResourceSchema): Record<string, string> {
  const named = schema.fields.filter((f: FieldSpec) => f.itemTypeName !== undefined);
  return Object.fromEntries(named.map((f) => [f.name, f.itemTypeName as string]));
}

export const KINDS: readonly Kind[] = [
  {
    name: "Connector",
    schema: connectorSchema,
    description:
      "A BI Builder connector (biconnector.connector): the endpoints Bitrix24 calls to list, describe and read the tables of an external data system, and the settings a connection to it needs.",
    itemTypeNames: itemTypeNamesOf(connectorSchema),
  },
  {
    name: "Source",
    schema: sourceSchema,
    description:
      "A BI Builder source (biconnector.source): a working connection of a connector, holding the values of its settings (credentials, kept secret). Bitrix24 checks it against the connector's urlCheck endpoint on create and update.",
    itemTypeNames: itemTypeNamesOf(sourceSchema),
  },
  {
    name: "Dataset",
    schema: datasetSchema,
    description:
      "A BI Builder dataset (biconnector.table, biconnector.dataset on older portals): a table of a source offered to reports, with its columns. The name is unique on the portal.",
    itemTypeNames: itemTypeNamesOf(datasetSchema),
  },
];

export const resourceToken = (k: Kind): string => `${PACKAGE}:${MODULE}:${k.name}`;
export const typeToken = (name: string): string => `${PACKAGE}:${MODULE}:${name}`;
export const getToken = (k: Kind): string => `${PACKAGE}:${MODULE}:get${k.name}`;
export const listToken = (k: Kind): string => `${PACKAGE}:${MODULE}:list${k.name}s`;

/**
 * Integer inputs naming another object (connectorId, sourceId) are strings in the package schema:
 * Pulumi ids are strings, and a typed language (YAML's `${sales.id}`) refuses a string id where
 * the schema says integer. The adapter turns them back into numbers for the providers.
 */
export function isReferenceId(f: FieldSpec): boolean {
  return f.type === "integer" && !f.readOnly && !f.providerOnly && /.Id$/.test(f.name);
}

/** The kind behind a resource type token, e.g. from a URN's type. */
export function kindOfType(type: string): Kind | undefined {
  return KINDS.find((k) => resourceToken(k) === type);
}

/**
 * The resource type in a URN (`urn:pulumi:stack::project::[parent$]type::name`): requests made by
 * older engines carry only the URN.
 */
export function typeFromUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}
