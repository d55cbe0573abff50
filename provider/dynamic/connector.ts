import * as pulumi from "@pulumi/pulumi";
import { connectorSchema } from "../core/schema/connector";
import {
  Assert,
  DeclaredItem,
  Doc,
  Documented,
  FieldNamed,
  ItemsOf,
  Same,
  StoredItem,
  StoredValue,
} from "../core/schema/types";
import { ArgsOf, OutputsOf } from "./resourceProps";
import { hostedResource } from "./providerText";

type SettingFields = ItemsOf<FieldNamed<typeof connectorSchema.fields, "settings">>;

export type ConnectorSettingType = StoredValue<FieldNamed<SettingFields, "type">>;

/** TSDoc of ConnectorSetting; its names and types come from the schema's `settings` items. */
interface ConnectorSettingDocs {
  /** Label in the BI Builder UI (≤ 512 characters). */
  name: Doc;
  /** Key sent to the endpoints as `connection[<code>]` (≤ 512 characters, unique). */
  code: Doc;
  /** `STRING` or `INT`. */
  type: Doc;
}

/** One connection parameter the connector asks for; its `code` keys `connection[...]` at the endpoints. */
export interface ConnectorSetting extends Documented<
  DeclaredItem<SettingFields>,
  ConnectorSettingDocs
> {}
// Settings have no server-set or defaulted fields: declared and stored ones are the same type.
type _SettingStoredAsDeclared = Assert<Same<ConnectorSetting, StoredItem<SettingFields>>>;

type Items = { settings: ConnectorSetting };

/** TSDoc of ConnectorArgs; names, optionality and types come from the schema. */
interface ConnectorArgDocs {
  /** Name shown in BI Builder (1–512 characters). */
  title: Doc;
  /** An http(s) image URL or a `data:image/...;base64,` URI. */
  logo: Doc;
  /** Default "". */
  description: Doc;
  /** Position in lists (default 100). */
  sort: Doc;
  /** Endpoint Bitrix24 calls to test a connection (http(s), ≤ 2048). */
  urlCheck: Doc;
  /** Endpoint that returns the list of tables. */
  urlTableList: Doc;
  /** Endpoint that describes one table's columns. */
  urlTableDescription: Doc;
  /** Endpoint that returns the rows. */
  urlData: Doc;
  /** Connection parameters users fill in when they create a source. */
  settings: Doc;
  /** The endpoints support field mapping (newer portals; default false). */
  supportMapping: Doc;
  /** `mysql`/`pgsql` hide the built-in DBMS tile (newer portals; ≤ 64, default ""). */
  sourceCode: Doc;
  /**
   * Take over an existing connector of this application instead of creating one: it is read,
   * updated to the declared state and keeps its id (`pulumi import` does not work for dynamic
   * providers). Only used on create.
   */
  adoptId: Doc;
}

export interface ConnectorArgs extends Documented<
  ArgsOf<typeof connectorSchema, Items>,
  ConnectorArgDocs
> {}

/** TSDoc of the Connector's outputs. */
interface ConnectorOutputDocs extends Omit<ConnectorArgDocs, "adoptId"> {
  /** When the portal created it (`Y-m-d H:i:s`, portal time). */
  dateCreate: Doc;
}

/** The outputs of a Connector, from the schema (declared on the class below by interface merging). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- types only: the class declares no fields, the engine sets them
export interface Connector extends Readonly<
  Documented<OutputsOf<typeof connectorSchema, Items>, ConnectorOutputDocs>
> {}

/** A Bitrix24 BI Builder connector (biconnector.connector.*); its id is the connector id. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class Connector extends pulumi.CustomResource {
  constructor(name: string, args: ConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super(...hostedResource("Connector", connectorSchema, name, args, opts));
  }
}
