import * as pulumi from "@pulumi/pulumi";
import * as bitrix24 from "pulumi-bitrix24-biconnector-sdk";

// The whole BI Builder pipeline on the SDK generated from schema.json (sdk/nodejs), served by the
// native plugin (pulumi-resource-bitrix24) rather than the dynamic provider.
const config = new pulumi.Config();
const endpoint = config.require("endpointBaseUrl");

const connector = new bitrix24.Connector("warehouse", {
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

const source = new bitrix24.Source("warehouse-db", {
  connectorId: connector.id,
  title: "Warehouse DB",
  settings: { login: config.require("dbLogin"), password: config.requireSecret("dbPassword") },
});

const deals = new bitrix24.Dataset("deals", {
  sourceId: source.id,
  name: "warehouse_deals",
  externalCode: "deals",
  externalName: "Deals",
  fields: [
    { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
    { name: "AMOUNT", type: "double", externalCode: "amount" },
  ],
});

// A lookup, typed from the schema: the connector as the portal has it after this deployment.
const lookedUp = bitrix24.getConnectorOutput({ id: connector.id });

export const connectorId = connector.id;
export const lookedUpTitle = lookedUp.title;
export const sourceId = source.id;
export const datasetId = deals.id;
