import * as pulumi from "@pulumi/pulumi";
import {
  getConnector,
  getDataset,
  getSource,
  listConnectors,
  listDatasets,
  listSources,
} from "../../provider";
import { Emulator } from "bitrix24-biconnector-emulator";
import { JsonObject } from "../../provider/core/schema/spec";
import { oauthSettings, portal, sampleConnector, testClient } from "../helpers/portal";
import { layeredSource, resolveSettings } from "../../provider/core/client/settings";
import { createClient } from "../../provider/core/client/processWide";
import { Transport, axiosTransport } from "../../provider/core/client/transport/transport";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";

describe("lookups read existing objects as typed plain data, with the program's stack config", () => {
  let emu: Emulator;
  beforeAll(async () => {
    let tokenStore: string;
    ({ emu, tokenStore } = await portal());
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(oauthSettings(emu, tokenStore)))
      if (v !== undefined) config[`bitrix24:${k}`] = v;
    pulumi.runtime.setAllConfig(config, [
      "bitrix24:clientSecret",
      "bitrix24:accessToken",
      "bitrix24:refreshToken",
    ]);
  });
  afterAll(() => emu.close());

  test("get and list connectors, sources and datasets", async () => {
    const c = testClient();
    const connector = (await c.call("biconnector.connector.add", {
      fields: sampleConnector(emu, "Found by lookup"),
    })) as JsonObject;
    const source = (await c.call("biconnector.source.add", {
      fields: {
        connectorId: connector.id,
        title: "Looked up",
        settings: { ...emu.sampleConnectorCredentials },
      },
    })) as JsonObject;
    const dataset = (await c.call("biconnector.table.add", {
      fields: {
        sourceId: source.id,
        name: "looked_up",
        externalCode: "deals",
        externalName: "Deals",
        fields: [{ name: "A", type: "int", externalCode: "a" }],
      },
    })) as JsonObject;

    const got = await getConnector(Number(connector.id));
    expect(got).toMatchObject({
      id: connector.id,
      title: "Found by lookup",
      sort: 100,
      settings: [{ code: "login", name: "Login", type: "STRING" }, expect.anything()],
    });
    expect(await getConnector(9999)).toBeUndefined();
    expect((await listConnectors({ "%title": "lookup" })).map((x) => x.id)).toEqual([connector.id]);
    expect(await listConnectors({ title: "nothing like it" })).toEqual([]);

    expect(await getSource(Number(source.id))).toMatchObject({
      id: source.id,
      connectorId: connector.id,
      title: "Looked up",
      active: true,
      settings: { login: "demo" },
    });
    expect((await listSources({ connectorId: Number(connector.id) })).map((x) => x.title)).toEqual([
      "Looked up",
    ]);

    const ds = await getDataset(Number(dataset.id));
    expect(ds).toMatchObject({
      id: dataset.id,
      sourceId: source.id,
      name: "looked_up",
      fields: [
        { name: "A", type: "int", externalCode: "a", visible: true, id: expect.any(Number) },
      ],
    });
    const listed = await listDatasets({ sourceId: Number(source.id) });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: "looked_up", sourceId: source.id });
    expect(listed[0].fields).toBeUndefined();
  });
});

describe("list lookups page by id", () => {
  test("an object deleted between two pages makes none skipped (page numbers would skip one)", async () => {
    const { emu, tokenStore } = await portal();
    try {
      const c = testClient();
      // 120 connectors: three pages of 50.
      for (let i = 0; i < 120; i++)
        await c.call("biconnector.connector.add", { fields: sampleConnector(emu, `Paged ${i}`) });
      const ids = () => [...emu.state.connectors.keys()].sort((a, b) => a - b);
      let pages = 0;
      let gone = 0;
      const base = axiosTransport();
      const transport: Transport = async (req) => {
        const res = await base(req);
        // Someone deletes an object of the first page right after that page was read.
        const listing = `${req.url} ${JSON.stringify(req.json)}`.includes("connector.list");
        if (listing && ++pages === 1) emu.state.connectors.delete(gone);
        return res;
      };
      const values = oauthSettings(emu, tokenStore);
      const client = createClient(resolveSettings(layeredSource((k) => values[k], {})), {
        transport,
      });

      // Page numbers: the list shifts under the reader, and page 2 starts one object late.
      let before = ids();
      gone = before[9];
      const byNumber = await client
        .operation()
        .listAll("biconnector.connector.list", { order: { id: "ASC" } });
      expect(byNumber.map((x) => Number(x.id))).not.toContain(before[50]);
      expect(emu.state.connectors.has(before[50])).toBe(true);

      // By id: every object that existed when its page was read, none skipped.
      pages = 0;
      before = ids();
      gone = before[9];
      const listed = await new ConnectorProvider().lookupAll(client, { "%title": "Paged" });
      expect(pages).toBe(3);
      expect(listed.map((x) => x.id)).toEqual(before);
    } finally {
      await emu.close();
    }
  });
});
