import * as pulumi from "@pulumi/pulumi";
import * as bitrix24 from "pulumi-bitrix24-biconnector-sdk";

// Two portals in one program: an explicit provider for each (its settings from stack config, the
// credentials as secrets), and each connector on its own portal through `{ provider }`.
const config = new pulumi.Config();

interface PortalSettings {
  portalUrl: string;
  oauthUrl?: string;
  clientId: string;
  tokenStore: string;
  /** Typed settings stay typed: a share of the portal's budget, a flag. */
  rateLimitShare?: number;
  allowPrivateEndpoints?: boolean;
}

function portal(name: string): bitrix24.Provider {
  const s = config.requireObject<PortalSettings>(name);
  return new bitrix24.Provider(name, {
    ...s,
    clientSecret: config.requireSecret(`${name}ClientSecret`),
    refreshToken: config.requireSecret(`${name}RefreshToken`),
  });
}

const endpoint = "https://connector.example.com";
export const connectorIds: Record<string, pulumi.Output<string>> = {};
for (const name of ["sales", "crm"]) {
  const provider = portal(`${name}Portal`);
  const connector = new bitrix24.Connector(
    name,
    {
      title: `${name} connector`,
      logo: `${endpoint}/logo.svg`,
      urlCheck: `${endpoint}/check`,
      urlTableList: `${endpoint}/table_list`,
      urlTableDescription: `${endpoint}/table_description`,
      urlData: `${endpoint}/data`,
      settings: [{ name: "Login", code: "login", type: "STRING" }],
    },
    { provider },
  );
  connectorIds[name] = connector.id;
}
