import * as pulumi from "@pulumi/pulumi";
import { Connector, listConnectors } from "pulumi-bitrix24-biconnector";

// One deployment, two processes using the same OAuth tokens: this program (through the lookup)
// and the dynamic-provider process (through the connector).
const config = new pulumi.Config();
const endpoint = config.require("endpointBaseUrl");

const existing = listConnectors();

const connector = new Connector("shared-tokens", {
  title: "Shared tokens",
  logo: "https://connector.example.com/logo.svg",
  urlCheck: `${endpoint}/check`,
  urlTableList: `${endpoint}/table_list`,
  urlTableDescription: `${endpoint}/table_description`,
  urlData: `${endpoint}/data`,
  settings: [{ name: "Login", code: "login", type: "STRING" }],
});

export const connectorsBefore = pulumi.output(existing).apply((list) => list.length);
export const connectorId = connector.id;
