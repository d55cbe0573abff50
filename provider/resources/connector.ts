import * as pulumi from "@pulumi/pulumi";
import { ConnectorInputName, connectorSchema } from "../schema/connector";
import { SameNames, resourceProps } from "./resourceProps";
import { providerShim } from "./shim";

export type ConnectorSettingType = "STRING" | "INT";

/** One connection parameter the connector asks for; its `code` keys `connection[...]` at the endpoints. */
export interface ConnectorSetting {
  /** Label in the BI Builder UI (≤ 512 characters). */
  name: string;
  /** Key sent to the endpoints as `connection[<code>]` (≤ 512 characters, unique). */
  code: string;
  type: ConnectorSettingType;
}

export interface ConnectorArgs {
  /** Name shown in BI Builder (1–512 characters). */
  title: pulumi.Input<string>;
  /** An http(s) image URL or a `data:image/...;base64,` URI. */
  logo: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** Position in lists (default 100). */
  sort?: pulumi.Input<number>;
  /** Endpoint Bitrix24 calls to test a connection (http(s), ≤ 2048). */
  urlCheck: pulumi.Input<string>;
  /** Endpoint that returns the list of tables. */
  urlTableList: pulumi.Input<string>;
  /** Endpoint that describes one table's columns. */
  urlTableDescription: pulumi.Input<string>;
  /** Endpoint that returns the rows. */
  urlData: pulumi.Input<string>;
  /** Connection parameters users fill in when they create a source. */
  settings: pulumi.Input<pulumi.Input<ConnectorSetting>[]>;
  /** The endpoints support field mapping (newer portals; default false). */
  supportMapping?: pulumi.Input<boolean>;
  /** `mysql`/`pgsql` hide the built-in DBMS tile (newer portals; ≤ 64, default ""). */
  sourceCode?: pulumi.Input<string>;
  /**
   * Take over an existing connector of this application instead of creating one: it is read,
   * updated to the declared state and keeps its id (`pulumi import` does not work for dynamic
   * providers). Only used on create.
   */
  adoptId?: pulumi.Input<number>;
}

// Compile-time guard: the typed args and the schema name the same fields, no more, no less.
const argsMatchSchema: SameNames<keyof ConnectorArgs, ConnectorInputName> = true;
void argsMatchSchema;

/** A Bitrix24 BI Builder connector (biconnector.connector.*); its id is the connector id. */
export class Connector extends pulumi.dynamic.Resource {
  declare public readonly title: pulumi.Output<string>;
  declare public readonly logo: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly sort: pulumi.Output<number>;
  declare public readonly urlCheck: pulumi.Output<string>;
  declare public readonly urlTableList: pulumi.Output<string>;
  declare public readonly urlTableDescription: pulumi.Output<string>;
  declare public readonly urlData: pulumi.Output<string>;
  declare public readonly settings: pulumi.Output<ConnectorSetting[]>;
  declare public readonly supportMapping: pulumi.Output<boolean>;
  declare public readonly sourceCode: pulumi.Output<string>;
  /** When the portal created it (`Y-m-d H:i:s`, portal time). */
  declare public readonly dateCreate: pulumi.Output<string>;

  constructor(name: string, args: ConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerShim("connector"),
      name,
      resourceProps(connectorSchema, args),
      opts,
      "bitrix24",
      "Connector",
    );
  }
}
