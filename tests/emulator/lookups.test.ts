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
import { JsonObject } from "../../provider/schema/spec";
import { oauthSettings, portal, sampleConnector, testClient } from "../helpers/portal";

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
