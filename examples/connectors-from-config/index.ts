import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Connector, ConnectorArgs } from "pulumi-bitrix24-biconnector";

// The connectors, resource name → connector fields: adding an entry creates a connector, editing
// one updates it in place, removing one deletes it. Either a map in stack config (`connectors`), or
// the same map in a JSON file (`connectorsFile`, a path relative to the project folder, where
// `pulumi` runs the program). Prefer the file for many connectors: the engine hands a dynamic
// provider the whole stack config and keeps it in the state as that provider's inputs and outputs,
// and it rewrites the state after every step — 100 connectors in config add ~80 KB to every write.
const config = new pulumi.Config();
const file = config.get("connectorsFile");
const declared = file
  ? fromFile(file)
  : config.requireObject<Record<string, ConnectorArgs>>("connectors");

function fromFile(name: string): Record<string, ConnectorArgs> {
  const parsed: unknown = JSON.parse(fs.readFileSync(path.resolve(name), "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(`connectorsFile ${name}: expected a JSON object of name → connector fields`);
  return parsed as Record<string, ConnectorArgs>;
}

const ids: Record<string, pulumi.Output<string>> = {};
for (const name of Object.keys(declared)) {
  ids[name] = new Connector(name, declared[name]).id;
}

export const connectorIds = ids;
