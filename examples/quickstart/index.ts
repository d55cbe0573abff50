import * as pulumi from "@pulumi/pulumi";
import { Connector } from "pulumi-bitrix24-biconnector";

// Where the connector's endpoints live (your service implementing the connector contract).
const config = new pulumi.Config();
// A loopback or private-network endpoint (the emulator's sample connector, an on-premise portal's
// neighbour) is refused at preview unless `pulumi config set bitrix24:allowPrivateEndpoints true`.
const endpoint = config.get("endpointBaseUrl") || "https://connector.example.com";

const sales = new Connector("sales", {
  title: config.get("title") || "Sales DB",
  logo: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
  description: "Sales tables from the warehouse",
  urlCheck: `${endpoint}/check`,
  urlTableList: `${endpoint}/table_list`,
  urlTableDescription: `${endpoint}/table_description`,
  urlData: `${endpoint}/data`,
  settings: [
    { name: "Login", code: "login", type: "STRING" },
    { name: "Password", code: "password", type: "STRING" },
  ],
});

export const connectorId = sales.id;
export const createdAt = sales.dateCreate;
