import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { DatasetProvider } from "../../provider/core/lifecycle/datasetProvider";
import { SourceProvider } from "../../provider/core/lifecycle/sourceProvider";
import { Emulator, EmulatorOptions } from "bitrix24-biconnector-emulator";
import { JsonObject } from "../../provider/core/schema/spec";
import { checked, portal, sampleSource, testClient } from "../helpers/portal";

const connectors = new ConnectorProvider(testClient);
const sources = new SourceProvider(testClient);
const datasets = new DatasetProvider(testClient);

const columns = [
  { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
  { name: "AMOUNT", type: "double", externalCode: "amount" },
];

describe("Dataset provider against the emulator", () => {
  let emu: Emulator;
  let declared: JsonObject;
  async function pipeline(options: EmulatorOptions = {}) {
    ({ emu } = await portal(options));
    const { connectorId, sourceId } = await sampleSource(emu, connectors, sources);
    declared = {
      sourceId,
      name: "deals",
      externalCode: "deals",
      externalName: "Deals",
      fields: columns,
    };
    emu.calls.length = 0;
    return { connectorId, sourceId };
  }
  afterEach(() => emu.close());

  test("create with table.*; columns get ids; refresh shows no drift", async () => {
    await pipeline();
    const inputs = await checked(datasets, declared);
    const { id, outs } = await datasets.create(inputs);
    expect(emu.calls.map((c) => c.method)).toEqual([
      "biconnector.table.fields",
      "biconnector.table.add",
      "biconnector.table.get",
    ]);
    expect(outs).toMatchObject({
      name: "deals",
      sourceId: Number(declared.sourceId),
      externalId: 0,
      description: "",
    });
    expect((outs as { fields: { id: number }[] }).fields.every((c) => c.id > 0)).toBe(true);
    const read = await datasets.read(id, outs);
    expect(read.props).toEqual(outs);
    expect((await datasets.diff(id, read.props as JsonObject, inputs)).changes).toBe(false);
    // column order does not matter
    const reordered = await checked(datasets, { ...declared, fields: [...columns].reverse() });
    expect((await datasets.diff(id, outs as JsonObject, reordered)).changes).toBe(false);
  });

  test("columns change in place: add, hide, retype (delete sent before the add of the same name)", async () => {
    await pipeline();
    const { id, outs } = await datasets.create(await checked(datasets, declared));
    const news = await checked(datasets, {
      ...declared,
      description: "closed deals",
      fields: [
        { name: "DEAL_ID", type: "string", externalCode: "deal_id" },
        { name: "AMOUNT", type: "double", externalCode: "amount", visible: false },
        { name: "CLOSED_AT", type: "datetime", externalCode: "closed_at" },
      ],
    });
    expect(await datasets.diff(id, outs as JsonObject, news)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    emu.calls.length = 0;
    const up = await datasets.update(id, outs as JsonObject, news);
    expect(emu.calls.map((c) => c.method)).toEqual([
      "biconnector.table.update",
      "biconnector.table.fields.update",
      "biconnector.table.fields.update",
      "biconnector.table.get",
    ]);
    const stored = emu.state.datasets.get(Number(id))!.fields;
    expect(stored.description).toBe("closed deals");
    expect(
      (stored.columns as JsonObject[]).map((c) => `${c.name}:${c.type}:${c.visible}`).sort(),
    ).toEqual(["AMOUNT:double:false", "CLOSED_AT:datetime:true", "DEAL_ID:string:true"]);
    expect((await datasets.diff(id, up.outs as JsonObject, news)).changes).toBe(false);
  });

  test("hidden columns declared at create are hidden right after the add", async () => {
    await pipeline();
    const { id } = await datasets.create(
      await checked(datasets, {
        ...declared,
        fields: [columns[0], { ...columns[1], visible: false }],
      }),
    );
    const stored = emu.state.datasets.get(Number(id))!.fields.columns as JsonObject[];
    expect(stored.find((c) => c.name === "AMOUNT")?.visible).toBe(false);
  });

  test("replacement: a new sourceId with the same (portal-unique) name deletes first; a new name does not", async () => {
    const { connectorId } = await pipeline();
    const { id, outs } = await datasets.create(await checked(datasets, declared));
    const other = await sources.create(
      await checked(sources, {
        connectorId,
        title: "Other",
        settings: { ...emu.sampleConnectorCredentials },
      }),
    );
    expect(
      await datasets.diff(
        id,
        outs as JsonObject,
        await checked(datasets, { ...declared, sourceId: other.id }),
      ),
    ).toEqual({
      changes: true,
      replaces: ["sourceId"],
      deleteBeforeReplace: true,
    });
    expect(
      await datasets.diff(
        id,
        outs as JsonObject,
        await checked(datasets, { ...declared, name: "deals_v2" }),
      ),
    ).toEqual({
      changes: true,
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
  });

  test("check: name and column formats, unique column names and codes, column types", async () => {
    await pipeline();
    const r = await datasets.check(
      {},
      {
        ...declared,
        name: "Deals",
        fields: [
          { name: "deal_id", type: "int", externalCode: "a" },
          { name: "X", type: "integer", externalCode: "a" },
          { name: "X", type: "int", externalCode: "b", id: 5 },
        ],
      },
    );
    expect(r.failures?.map((f) => f.property).sort()).toEqual(
      [
        "name",
        "fields[0].name",
        "fields[1].type",
        "fields[2].id",
        "fields[2].name",
        "fields[1].externalCode",
      ].sort(),
    );
    expect(r.failures?.find((f) => f.property === "name")?.reason).toMatch(
      /matching \^\[a-z\]\[a-z0-9_\]\*\$/,
    );
  });

  test("a source with a dataset cannot be deleted: explained", async () => {
    const { sourceId } = await pipeline();
    await datasets.create(await checked(datasets, declared));
    await expect(sources.delete(sourceId, {})).rejects.toThrow(/BX_ERROR.*still has datasets/);
  });

  test("NAME_EXISTS is explained (names are unique on the whole portal)", async () => {
    await pipeline();
    await datasets.create(await checked(datasets, declared));
    await expect(datasets.create(await checked(datasets, declared))).rejects.toThrow(
      /NAME_EXISTS.*adoptId/,
    );
  });

  test("adopt: matching table taken over (description and columns updated); a conflicting one refused", async () => {
    await pipeline();
    const existing = (await testClient().call("biconnector.table.add", {
      fields: { ...declared, fields: [columns[0]] },
    })) as JsonObject;
    const { id, outs } = await datasets.create(
      await checked(datasets, { ...declared, description: "adopted", adoptId: existing.id }),
    );
    expect(id).toBe(String(existing.id));
    expect(outs).toMatchObject({ description: "adopted", sourceId: Number(declared.sourceId) });
    expect(
      (emu.state.datasets.get(Number(id))!.fields.columns as JsonObject[])
        .map((c) => c.name)
        .sort(),
    ).toEqual(["AMOUNT", "DEAL_ID"]);
    await expect(
      datasets.create(
        await checked(datasets, { ...declared, externalCode: "other", adoptId: existing.id }),
      ),
    ).rejects.toThrow(/Cannot adopt dataset .*externalCode is "deals", declared "other"/);
  });

  test("an older portal without table.*: dataset.* is used, delete included", async () => {
    await pipeline({ tableMethods: false });
    const { id, outs } = await datasets.create(await checked(datasets, declared));
    expect(outs).toMatchObject({ externalId: expect.any(Number) });
    await datasets.delete(id, outs as JsonObject);
    expect(emu.state.datasets.size).toBe(0);
    expect(emu.calls.map((c) => c.method)).toContain("biconnector.dataset.delete");
  });

  test("a newer portal: dataset.delete (broken there) is never called", async () => {
    await pipeline();
    const { id, outs } = await datasets.create(await checked(datasets, declared));
    await datasets.delete(id, outs as JsonObject);
    expect(emu.state.datasets.size).toBe(0);
    expect(emu.calls.some((c) => c.method === "biconnector.dataset.delete")).toBe(false);
  });
});
