import * as pulumi from "@pulumi/pulumi";
import { Connector, ConnectorArgs } from "pulumi-bitrix24-biconnector";

// `connectors` is a map in stack config: resource name → connector fields. Adding an entry creates
// a connector, editing one updates it in place, removing one deletes it.
const config = new pulumi.Config();
const declared = config.requireObject<Record<string, ConnectorArgs>>("connectors");

const ids: Record<string, pulumi.Output<string>> = {};
for (const name of Object.keys(declared)) {
  ids[name] = new Connector(name, declared[name]).id;
}

export const connectorIds = ids;
