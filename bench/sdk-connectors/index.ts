import * as pulumi from "@pulumi/pulumi";
import * as bitrix24 from "pulumi-bitrix24-biconnector-sdk";

// examples/connectors-from-config on the SDK generated from schema.json (sdk/nodejs), served by the
// native plugin: the same Node program as the dynamic provider's, so the bench can tell the
// provider's cost per resource from the program language's.
const declared = new pulumi.Config().requireObject<Record<string, bitrix24.ConnectorArgs>>(
  "connectors",
);

export const connectorIds = Object.fromEntries(
  Object.entries(declared).map(([name, args]) => [name, new bitrix24.Connector(name, args).id]),
);
