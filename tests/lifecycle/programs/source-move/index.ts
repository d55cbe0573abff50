import * as pulumi from "@pulumi/pulumi";
import { Connector, Source } from "pulumi-bitrix24-biconnector";

const config = new pulumi.Config();
const endpoint = config.require("endpointBaseUrl");

const make = (name: string) =>
  new Connector(name, {
    title: `Connector ${name}`,
    logo: "https://connector.example.com/logo.svg",
    urlCheck: `${endpoint}/check`,
    urlTableList: `${endpoint}/table_list`,
    urlTableDescription: `${endpoint}/table_description`,
    urlData: `${endpoint}/data`,
    settings: [
      { name: "Login", code: "login", type: "STRING" },
      { name: "Password", code: "password", type: "STRING" },
    ],
  });
const connectors: Record<string, Connector> = { a: make("a"), b: make("b") };

const source = new Source("moving", {
  connectorId: connectors[config.require("useConnector")].id,
  title: "Moving source",
  settings: { login: config.require("login"), password: config.requireSecret("password") },
});

export const sourceId = source.id;
