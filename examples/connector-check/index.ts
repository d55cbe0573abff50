import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Connector } from "pulumi-bitrix24-biconnector";

// A connector, and a deploy-time check that its urlCheck endpoint answers as Bitrix24 requires
// before anyone creates a source on it. The check runs with @pulumi/command (its plugin is fetched
// by the Pulumi CLI at deploy time).
const config = new pulumi.Config();
// A loopback or private-network endpoint (the emulator's sample connector, an on-premise portal's
// neighbour) is refused at preview unless `pulumi config set bitrix24:allowPrivateEndpoints true`.
const endpoint = config.require("endpointBaseUrl");

const connector = new Connector("warehouse", {
  title: "Warehouse",
  logo: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
  urlCheck: `${endpoint}/check`,
  urlTableList: `${endpoint}/table_list`,
  urlTableDescription: `${endpoint}/table_description`,
  urlData: `${endpoint}/data`,
  settings: [
    { name: "Login", code: "login", type: "STRING" },
    { name: "Password", code: "password", type: "STRING" },
  ],
});

// Test credentials for the endpoint: passed as environment, never on the command line.
export const endpointCheck = new command.local.Command(
  "check-urlCheck",
  {
    create: pulumi.interpolate`node ${path.join(__dirname, "check-endpoint.js")} ${connector.urlCheck}`,
    // Re-run the check whenever the endpoint changes.
    triggers: [connector.urlCheck],
    environment: {
      CONNECTION_LOGIN: config.require("checkLogin"),
      CONNECTION_PASSWORD: config.requireSecret("checkPassword"),
    },
  },
  { dependsOn: [connector] },
).stdout;

export const connectorId = connector.id;
