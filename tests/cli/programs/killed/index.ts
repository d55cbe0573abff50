import { Connector, Dataset, Source } from "pulumi-bitrix24-biconnector";

// The same objects as killHalfway.test.ts's YAML program. The sample connector's endpoint and
// credentials come from the test's environment; the portal's credentials are BITRIX24_*.
const endpoint = process.env.KILLED_ENDPOINT as string;
const logo = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=";
const endpoints = {
  urlCheck: `${endpoint}/check`,
  urlTableList: `${endpoint}/table_list`,
  urlTableDescription: `${endpoint}/table_description`,
  urlData: `${endpoint}/data`,
};

for (let i = 1; i <= 40; i++)
  new Connector(`c${i}`, {
    title: `Killed ${i}`,
    logo,
    ...endpoints,
    settings: [{ name: "Login", code: "login", type: "STRING" }],
  });

const warehouse = new Connector("warehouse", {
  title: "Killed warehouse",
  logo,
  ...endpoints,
  settings: [
    { name: "Login", code: "login", type: "STRING" },
    { name: "Password", code: "password", type: "STRING" },
  ],
});
for (let s = 1; s <= 3; s++) {
  const source = new Source(`s${s}`, {
    connectorId: warehouse.id,
    title: `Killed source ${s}`,
    settings: {
      login: process.env.KILLED_LOGIN as string,
      password: process.env.KILLED_PASSWORD as string,
    },
  });
  for (let d = 1; d <= 2; d++)
    new Dataset(`s${s}d${d}`, {
      sourceId: source.id,
      name: `killed_${s}_${d}`,
      externalCode: "deals",
      externalName: "Deals",
      fields: [
        { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
        { name: "AMOUNT", type: "double", externalCode: "amount", visible: d === 1 },
      ],
    });
}
