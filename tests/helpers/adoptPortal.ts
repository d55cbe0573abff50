import { Emulator } from "bitrix24-biconnector-emulator";
import { Bitrix24Client } from "../../provider/core/client/client";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { DatasetProvider } from "../../provider/core/lifecycle/datasetProvider";
import { SourceProvider } from "../../provider/core/lifecycle/sourceProvider";
import { JsonObject } from "../../provider/core/schema/spec";
import { checked, sampleConnector } from "./portal";

/**
 * A portal as users meet it before `adopt` (issue 34): 3 connectors, 5 sources whose settings hold
 * a password and a token, 8 datasets with columns (one column hidden), titles with quotes,
 * non-Latin letters and emoji, two sources sharing a title. Made through the providers, as
 * earlier scripts would have made them.
 */
export interface SeededPortal {
  connectors: string[];
  sources: string[];
  datasets: string[];
  /** Every source setting value: none may appear in anything adopt writes or prints. */
  secrets: string[];
}

export const CONNECTOR_TITLES = ['Sales "DB"', "Продажи 🚀", "Warehouse"];
const SOURCES: [connector: number, title: string][] = [
  [0, "Main"],
  [0, "Main"],
  [1, "Склад"],
  [2, "Backup ✨"],
  [0, "Reports"],
];

export async function seedAdoptPortal(
  emu: Emulator,
  client: Bitrix24Client,
): Promise<SeededPortal> {
  const connectors = new ConnectorProvider(() => client);
  const sources = new SourceProvider(() => client);
  const datasets = new DatasetProvider(() => client);
  const seeded: SeededPortal = { connectors: [], sources: [], datasets: [], secrets: [] };
  for (const title of CONNECTOR_TITLES) {
    const c = await connectors.create(
      await checked(connectors, {
        ...sampleConnector(emu, title),
        description: `Adopted "as is"\nsecond line`,
        settings: [
          { name: "Login", code: "login", type: "STRING" },
          { name: "Password", code: "password", type: "STRING" },
          { name: "API token", code: "token", type: "STRING" },
        ],
      }),
    );
    seeded.connectors.push(c.id);
  }
  for (const [i, [connector, title]] of SOURCES.entries()) {
    const token = `tok-${i}-9f2d41c6+b7a8/e5d3`;
    const s = await sources.create(
      await checked(sources, {
        connectorId: seeded.connectors[connector],
        title,
        settings: { ...emu.sampleConnectorCredentials, token },
      }),
    );
    seeded.sources.push(s.id);
    seeded.secrets.push(token);
  }
  seeded.secrets.push(emu.sampleConnectorCredentials.password);
  for (let i = 0; i < 8; i++)
    seeded.datasets.push(await addDataset(datasets, seeded.sources[i % 5], i));
  return seeded;
}

/** A dataset of the sample connector's `deals` table; the first one's `amount` column hidden. */
export async function addDataset(p: DatasetProvider, sourceId: string, i: number): Promise<string> {
  const d = await p.create(
    await checked(p, {
      sourceId,
      name: `deals_${i}`,
      externalCode: "deals",
      externalName: "Deals",
      description: i === 0 ? "Сделки «все»" : "",
      fields: [
        { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
        { name: "AMOUNT", type: "double", externalCode: "amount", visible: i !== 0 },
      ],
    } as JsonObject),
  );
  return d.id;
}

/** The emulator's application as a user's shell gives it to `adopt` (BITRIX24_* variables). */
export function adoptEnv(emu: Emulator, store: string): NodeJS.ProcessEnv {
  const s = emu.providerSettings(store);
  return {
    BITRIX24_PORTAL_URL: s.portalUrl,
    BITRIX24_OAUTH_URL: s.oauthUrl,
    BITRIX24_CLIENT_ID: s.clientId,
    BITRIX24_CLIENT_SECRET: s.clientSecret,
    BITRIX24_ACCESS_TOKEN: s.accessToken,
    BITRIX24_REFRESH_TOKEN: s.refreshToken,
    BITRIX24_TOKEN_STORE: store,
  };
}

/**
 * What a user does with the `pulumi config set --secret KEY '<code of source NAME>'` lines adopt
 * printed: each key with the value the portal holds, the source found by its block in the written
 * program (any language: the block naming it, and its id in adoptId or the import option).
 */
export function printedSettings(
  printed: string[],
  emu: Emulator,
  program: string,
): { key: string; value: string }[] {
  const sources = [...emu.state.sources.values()];
  const blocks = program.split(/\n\s*\n/);
  return printed.flatMap((line) => {
    const m = /pulumi config set --secret (\S+) '<(\w+) of source (\S+)>'/.exec(line);
    if (!m) return [];
    const block = blocks.find(
      (b) => b.includes(JSON.stringify(m[3])) && /\b(New)?Source\b|bitrix24:index:Source/.test(b),
    );
    const id = /(?:adoptId: |import: "|import_="|Import\(pulumi\.ID\(")(\d+)/.exec(
      block ?? "",
    )?.[1];
    const source = sources.find((x) => x.id === Number(id));
    return [{ key: m[1], value: (source?.fields.settings as Record<string, string>)[m[2]] }];
  });
}
