import * as pulumi from "@pulumi/pulumi";
import { Connector, Dataset, Source } from "pulumi-bitrix24-biconnector";

// The whole BI Builder pipeline: connector → source (a working connection with credentials) →
// dataset (the table offered to reports). Pulumi orders create and destroy by these references.
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

const source = new Source("warehouse-db", {
  connectorId: connector.id,
  title: config.get("sourceTitle") || "Warehouse DB",
  // `pulumi config set --secret dbPassword …`; the Source keeps all settings secret anyway.
  settings: { login: config.require("dbLogin"), password: config.requireSecret("dbPassword") },
});

const deals = new Dataset("deals", {
  sourceId: source.id,
  name: config.get("datasetName") || "warehouse_deals",
  externalCode: "deals",
  externalName: "Deals",
  fields: [
    { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
    { name: "AMOUNT", type: "double", externalCode: "amount" },
    {
      name: "CLOSED_AT",
      type: "datetime",
      externalCode: "closed_at",
      visible: config.getBoolean("showClosedAt") ?? true,
    },
  ],
});

export const connectorId = connector.id;
export const sourceId = source.id;
export const datasetId = deals.id;
