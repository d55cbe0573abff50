import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { SourceProvider } from "../../provider/core/lifecycle/sourceProvider";
import { Emulator } from "bitrix24-biconnector-emulator";
import { JsonObject } from "../../provider/core/schema/spec";
import { checked, portal, sampleConnector, testClient } from "../helpers/portal";

const connectors = new ConnectorProvider(testClient);
const sources = new SourceProvider(testClient);

describe("Source provider against the emulator", () => {
  let emu: Emulator;
  let connectorId: number;
  let good: JsonObject;
  beforeEach(async () => {
    ({ emu } = await portal());
    const c = await connectors.create(await checked(connectors, sampleConnector(emu)));
    connectorId = Number(c.id);
    good = {
      connectorId: c.id,
      title: "Warehouse",
      settings: { ...emu.sampleConnectorCredentials },
    };
    emu.calls.length = 0;
  });
  afterEach(() => emu.close());

  test("create: the portal checks the connection on the connector's endpoint; read shows no drift", async () => {
    const inputs = await checked(sources, good);
    expect(inputs).toEqual({
      connectorId,
      title: "Warehouse",
      description: "",
      settings: { login: "demo", password: "demo-password" },
    });
    const { id, outs } = await sources.create(inputs);
    expect(outs).toMatchObject({
      connectorId,
      title: "Warehouse",
      active: true,
      type: "rest",
      code: `rest_${connectorId}`,
      settings: inputs.settings,
    });
    const read = await sources.read(id, outs);
    expect(read.props).toEqual(outs);
    expect((await sources.diff(id, read.props as JsonObject, inputs)).changes).toBe(false);
  });

  test("check names a setting key the connector does not declare, without echoing the value", async () => {
    const r = await sources.check(
      {},
      { ...good, settings: { login: "demo", passwrd: "hunter2-secret" } },
    );
    expect(r.failures).toEqual([
      {
        property: "settings.passwrd",
        reason: `connector ${connectorId} has no setting with code "passwrd"; its codes: login, password`,
      },
    ]);
    expect(JSON.stringify(r.failures)).not.toContain("hunter2-secret");
    const wrongType = await sources.check({}, { ...good, settings: { login: true } });
    expect(wrongType.failures?.[0]).toEqual({
      property: "settings.login",
      reason: "must be an object of string or number values",
    });
  });

  test("settings the endpoint refuses: explained, retried a few times, nothing created, no secret in the error", async () => {
    const inputs = await checked(sources, {
      ...good,
      settings: { login: "demo", password: "wrong-secret-value" },
    });
    const err = (await sources.create(inputs).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /biconnector\.source\.add failed with SOURCE_CREATE_CONNECTION_ERROR.*urlCheck endpoint/,
    );
    expect(err.message).not.toContain("wrong-secret-value");
    // retried like a single call: three batches, each with this one add (and its read-back)
    const adds = emu.calls.filter((c) => c.commands?.includes("biconnector.source.add"));
    expect(adds).toHaveLength(3);
    expect(emu.state.sources.size).toBe(0);
  });

  test("a portal error that echoes a setting value is redacted", async () => {
    const inputs = await checked(sources, {
      ...good,
      settings: { login: "demo", password: "pa55-w0rd-echoed" },
    });
    emu.faults.inject({
      kind: "error",
      method: "batch", // the add travels in a batch (with its read-back)
      code: "BX_ERROR",
      description: "bad password pa55-w0rd-echoed",
    });
    const err = (await sources.create(inputs).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/BX_ERROR: bad password \*\*\*/);
  });

  test("update sends the title every time, merges settings by key, reads back the server fields", async () => {
    const inputs = await checked(sources, good);
    const { id, outs } = await sources.create(inputs);
    const news = await checked(sources, { ...good, description: "nightly" });
    expect(await sources.diff(id, outs as JsonObject, news)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const up = await sources.update(id, outs as JsonObject, news);
    expect(up.outs).toMatchObject({ description: "nightly", title: "Warehouse" });
    expect(up.outs?.dateUpdate).toMatch(/^\d{4}-/);
    // dropping a key is not a change: the API cannot remove it
    const fewer = await checked(sources, {
      ...good,
      description: "nightly",
      settings: { login: "demo" },
    });
    expect((await sources.diff(id, up.outs as JsonObject, fewer)).changes).toBe(false);
  });

  test("connectorId cannot change: replace", async () => {
    const { id, outs } = await sources.create(await checked(sources, good));
    const other = await connectors.create(await checked(connectors, sampleConnector(emu, "Other")));
    const d = await sources.diff(
      id,
      outs as JsonObject,
      await checked(sources, { ...good, connectorId: other.id }),
    );
    expect(d).toEqual({ changes: true, replaces: ["connectorId"], deleteBeforeReplace: false });
  });

  test("a connector with a source cannot be deleted: CONNECTOR_DELETE_RESTRICTED explained; after the source, it can", async () => {
    const s = await sources.create(await checked(sources, good));
    await expect(connectors.delete(String(connectorId), {})).rejects.toThrow(
      /CONNECTOR_DELETE_RESTRICTED.*still has sources/,
    );
    await sources.delete(s.id, s.outs as JsonObject);
    await connectors.delete(String(connectorId), {});
    expect(emu.state.connectors.size + emu.state.sources.size).toBe(0);
  });

  test("adopt: an existing source is taken over, updated to the declared state, keeps its id", async () => {
    const existing = (await testClient().call("biconnector.source.add", {
      fields: {
        connectorId,
        title: "Made by hand",
        settings: { ...emu.sampleConnectorCredentials },
      },
    })) as JsonObject;
    const inputs = await checked(sources, { ...good, adoptId: existing.id });
    const { id, outs } = await sources.create(inputs);
    expect(id).toBe(String(existing.id));
    expect(emu.state.sources.size).toBe(1);
    expect(emu.state.sources.get(Number(id))?.fields.title).toBe("Warehouse");
    expect(outs).toMatchObject({ title: "Warehouse", adoptId: existing.id });
    // adoptId is never a change afterwards
    expect((await sources.diff(id, outs as JsonObject, await checked(sources, good))).changes).toBe(
      false,
    );
  });

  test("adopting a missing source or one of another connector fails clearly", async () => {
    await expect(sources.create(await checked(sources, { ...good, adoptId: 999 }))).rejects.toThrow(
      /Cannot adopt source 999: SOURCE_NOT_FOUND/,
    );
    const other = await connectors.create(await checked(connectors, sampleConnector(emu, "Other")));
    const s = await sources.create(await checked(sources, { ...good, connectorId: other.id }));
    await expect(
      sources.create(await checked(sources, { ...good, adoptId: Number(s.id) })),
    ).rejects.toThrow(/cannot move to another connector/);
  });

  test("a lost add answer (of its batch) is reconciled: one source, not two", async () => {
    emu.faults.inject({ kind: "commitThenReset", method: "batch" });
    await sources.create(await checked(sources, good));
    expect(emu.state.sources.size).toBe(1);
  });
});
