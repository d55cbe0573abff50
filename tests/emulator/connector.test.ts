import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { Bitrix24Error } from "../../provider/core/errors/errors";
import { JsonObject } from "../../provider/core/schema/spec";
import { Emulator } from "bitrix24-biconnector-emulator";
import { portal, seedConnector, testClient } from "../helpers/portal";

/** check → create, as the engine does: create receives the checked inputs. */
async function createChecked(p: ConnectorProvider, news: JsonObject) {
  const checked = await p.check({}, news);
  expect(checked.failures ?? []).toEqual([]);
  return {
    inputs: checked.inputs as JsonObject,
    ...(await p.create(checked.inputs as JsonObject)),
  };
}

describe("Connector provider against the emulator", () => {
  let emu: Emulator;
  const p = new ConnectorProvider(testClient);
  beforeEach(async () => {
    ({ emu } = await portal());
  });
  afterEach(() => emu.close());

  test("create stores the connector and returns its id and server fields", async () => {
    const { id, outs } = await createChecked(p, seedConnector);
    expect(id).toMatch(/^\d+$/);
    const stored = emu.state.connectors.get(Number(id));
    expect(stored?.fields.title).toBe("Sales DB");
    expect(stored?.owner).toBe(emu.app.clientId);
    expect(outs).toMatchObject({
      ...seedConnector,
      sort: 100,
      description: "",
      supportMapping: false,
      sourceCode: "",
    });
    expect(outs.dateCreate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // One request: the add and, right after it in the same batch, the list page that reads the
    // new connector back (server fields such as dateCreate).
    expect(emu.calls.map((c) => [c.method, c.commands])).toEqual([
      ["batch", ["biconnector.connector.add", "biconnector.connector.list"]],
    ]);
  });

  test("refresh right after create shows no drift", async () => {
    const { id, outs, inputs } = await createChecked(p, seedConnector);
    const read = await p.read(id, outs);
    expect(read.id).toBe(id);
    expect(read.props).toEqual(outs);
    const d = await p.diff(id, read.props as JsonObject, inputs);
    expect(d.changes).toBe(false);
  });

  test("an edit in the portal is seen by read and repaired by update (same id)", async () => {
    const { id, outs, inputs } = await createChecked(p, seedConnector);
    emu.state.connectors.get(Number(id))!.fields.title = "Renamed in the UI";
    const read = await p.read(id, outs);
    expect(read.props?.title).toBe("Renamed in the UI");
    expect(read.inputs?.title).toBe("Renamed in the UI");
    const d = await p.diff(id, read.props as JsonObject, inputs);
    expect(d).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const before = emu.calls.length;
    const up = await p.update(id, read.props as JsonObject, inputs);
    expect(up.outs?.title).toBe("Sales DB");
    expect(emu.state.connectors.get(Number(id))!.fields.title).toBe("Sales DB");
    expect(emu.calls.slice(before).map((c) => c.method)).toEqual(["biconnector.connector.update"]);
  });

  test("update sends only the changed fields and replaces settings whole", async () => {
    const { id, outs } = await createChecked(p, seedConnector);
    const news = (
      await p.check(outs, {
        ...seedConnector,
        settings: [{ name: "Token", code: "token", type: "STRING" }],
        supportMapping: true,
      })
    ).inputs as JsonObject;
    await p.update(id, outs, news);
    const stored = emu.state.connectors.get(Number(id))!.fields;
    expect(stored.settings).toEqual([{ name: "Token", code: "token", type: "STRING" }]);
    expect(stored.supportMapping).toBe(true);
  });

  test("a connector deleted in the portal: read returns no id; delete is idempotent", async () => {
    const { id, outs } = await createChecked(p, seedConnector);
    emu.state.connectors.delete(Number(id));
    expect(await p.read(id, outs)).toEqual({});
    await expect(p.delete(id, outs)).resolves.toBeUndefined();
    await expect(p.delete(id, outs)).resolves.toBeUndefined();
  });

  test("delete removes it; a second delete succeeds", async () => {
    const { id, outs } = await createChecked(p, seedConnector);
    await p.delete(id, outs);
    expect(emu.state.connectors.size).toBe(0);
    await p.delete(id, outs);
  });

  test("CONNECTOR_DELETE_RESTRICTED is explained", async () => {
    const { id, outs } = await createChecked(p, seedConnector);
    emu.state.sources.set(99, {
      id: 99,
      owner: emu.app.clientId,
      fields: { connectorId: Number(id) },
    });
    await expect(p.delete(id, outs)).rejects.toThrow(
      /CONNECTOR_DELETE_RESTRICTED.*still has sources/s,
    );
  });

  test("a Bitrix24 error names its code and the method", async () => {
    emu.faults.inject({
      kind: "error",
      method: "biconnector.connector.list",
      code: "ACCESS_DENIED",
      description: "Access denied.",
    });
    const err = await p.read("1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Bitrix24Error);
    expect((err as Error).message).toMatch(/biconnector\.connector\.list.*ACCESS_DENIED/);
  });

  test("the portal's own validation runs too (provider check skipped); its error names the add", async () => {
    const err = await p
      .create({ ...seedConnector, settings: [{ name: "x", code: "y", type: "string" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Bitrix24Error);
    expect((err as Bitrix24Error).code).toBe("VALIDATION_SETTINGS_INVALID_TYPE");
    // the add travelled in a batch: its error is still its own; it is not sent again, and one
    // look finds that it made nothing
    expect(emu.calls.map((c) => c.method)).toEqual(["batch", "biconnector.connector.list"]);
    expect((err as Error).message).toMatch(
      /biconnector\.connector\.add.*VALIDATION_SETTINGS_INVALID_TYPE/,
    );
  });

  test("503 QUERY_LIMIT_EXCEEDED on a batch with an add and 500 on a read are retried; each repeat of the add comes after a look", async () => {
    emu.faults.inject({ kind: "rateLimit", method: "batch", times: 2 });
    emu.faults.inject({ kind: "serverError", method: "biconnector.connector.list", times: 2 });
    const { id } = await createChecked(p, seedConnector);
    expect(emu.state.connectors.size).toBe(1);
    // A portal may apply an add and still answer 503: before the add is sent again, the create
    // looks for what it may have made (the look's own 500s are retried: it is a read).
    expect(emu.calls.map((c) => `${c.method}:${c.status}`)).toEqual([
      "batch:503",
      "biconnector.connector.list:500",
      "biconnector.connector.list:500",
      "biconnector.connector.list:200",
      "batch:503",
      "biconnector.connector.list:200",
      "batch:200",
    ]);
    // the create read its connector back in its batch: the read that follows goes to a list page
    emu.calls.length = 0;
    expect(await p.read(id)).toMatchObject({ id });
    expect(emu.calls.map((c) => `${c.method}:${c.status}`)).toEqual([
      "biconnector.connector.list:200",
    ]);
  });

  test("a lost batch answer (committed, then reset) adopts the committed connector: no duplicate", async () => {
    emu.faults.inject({ kind: "commitThenReset", method: "batch" });
    const { id } = await createChecked(p, seedConnector);
    expect(emu.state.connectors.size).toBe(1);
    expect([...emu.state.connectors.keys()]).toEqual([Number(id)]);
    expect(emu.calls[0]).toMatchObject({ method: "batch", fault: "commitThenReset" });
  });

  test("a reset before the batch reached the portal adds again: nothing lost", async () => {
    emu.faults.inject({ kind: "reset", method: "batch" });
    await createChecked(p, seedConnector);
    expect(emu.state.connectors.size).toBe(1);
  });

  test("another application's connector is not found (ownership)", async () => {
    const { id, outs } = await createChecked(p, seedConnector);
    emu.state.connectors.get(Number(id))!.owner = "another.app";
    expect(await p.read(id, outs)).toEqual({});
  });
});
