import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { DatasetProvider } from "../../provider/core/lifecycle/datasetProvider";
import { SourceProvider } from "../../provider/core/lifecycle/sourceProvider";
import { Emulator } from "bitrix24-biconnector-emulator";
import { JsonObject } from "../../provider/core/schema/spec";
import {
  oauthSettings,
  portal,
  tempDir,
  sampleConnector,
  sampleSource,
  seedConnector,
  testClient,
  useSettings,
  checked,
} from "../helpers/portal";

/**
 * Issue 10, items 8, 9 and 11: partial creates, column visibility on update, and the source check
 * against the portal — cases that need real objects, so they run against the emulator.
 */
const connectors = new ConnectorProvider(testClient);
const sources = new SourceProvider(testClient);
const datasets = new DatasetProvider(testClient);

let emu: Emulator;
afterEach(() => emu.close());

async function pipeline(): Promise<JsonObject> {
  ({ emu } = await portal());
  const { sourceId } = await sampleSource(emu, connectors, sources);
  return {
    sourceId,
    name: "deals",
    externalCode: "deals",
    externalName: "Deals",
    fields: [
      { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
      { name: "AMOUNT", type: "double", externalCode: "amount", visible: false },
    ],
  };
}

/** A short deadline, so that a step that keeps failing fails the create quickly. */
function shortDeadline(): void {
  useSettings({
    ...oauthSettings(emu, `${tempDir("b24-hostile-")}/tokens.json`),
    operationTimeoutMs: "1500",
  });
}

describe("8. create is all-or-nothing", () => {
  test("connector: the read back after add keeps failing → the connector is removed; the next up creates one", async () => {
    ({ emu } = await portal());
    shortDeadline();
    // supportMapping (a boolean) makes the add go alone, without the list page that reads it back
    // in the same batch: the read back is a request of its own, which keeps failing here.
    const inputs = await checked(connectors, { ...seedConnector, supportMapping: true });
    emu.faults.inject({ kind: "serverError", method: "biconnector.connector.list", times: 1000 });
    await expect(connectors.create(inputs)).rejects.toThrow(/biconnector.connector.list/);
    expect(emu.state.connectors.size).toBe(0);
    emu.faults.clear();
    await connectors.create(inputs);
    expect(emu.state.connectors.size).toBe(1);
  });

  test("dataset: hiding its columns fails → the table is removed; the next up has no NAME_EXISTS", async () => {
    const declared = await pipeline();
    shortDeadline();
    const inputs = await checked(datasets, declared);
    emu.faults.inject({
      kind: "error",
      method: "biconnector.table.fields.update",
      code: "ACCESS_DENIED",
      description: "Access denied.",
    });
    await expect(datasets.create(inputs)).rejects.toThrow(/ACCESS_DENIED/);
    expect(emu.state.datasets.size).toBe(0);
    const { id } = await datasets.create(inputs);
    const stored = emu.state.datasets.get(Number(id))!.fields.columns as JsonObject[];
    expect(stored.find((c) => c.name === "AMOUNT")?.visible).toBe(false);
  });
});

describe("9. columns added or re-created by an update get their declared visibility", () => {
  test("an added hidden column and a re-typed hidden column are hidden after one update", async () => {
    const declared = await pipeline();
    const { id, outs } = await datasets.create(await checked(datasets, declared));
    const news = await checked(datasets, {
      ...declared,
      fields: [
        { name: "DEAL_ID", type: "string", externalCode: "deal_id", visible: false },
        { name: "AMOUNT", type: "double", externalCode: "amount", visible: false },
        { name: "CLOSED_AT", type: "datetime", externalCode: "closed_at", visible: false },
      ],
    });
    const up = await datasets.update(id, outs as JsonObject, news);
    const stored = emu.state.datasets.get(Number(id))!.fields.columns as JsonObject[];
    expect(stored.map((c) => `${c.name}:${c.type}:${c.visible}`).sort()).toEqual([
      "AMOUNT:double:false",
      "CLOSED_AT:datetime:false",
      "DEAL_ID:string:false",
    ]);
    // the next preview shows no diff: no second `up` needed
    expect((await datasets.diff(id, up.outs as JsonObject, news)).changes).toBe(false);
  });
});

describe("11. source check against the portal", () => {
  test("an unknown connectorId fails at preview, on connectorId", async () => {
    ({ emu } = await portal());
    const r = await sources.check({}, {
      connectorId: 9999,
      title: "S",
      settings: { login: "demo" },
    } as never);
    expect(r.failures).toEqual([
      {
        property: "connectorId",
        reason: expect.stringMatching(/connector 9999 does not exist.*another application/),
      },
    ]);
  });

  test("a connector of another application fails the same way", async () => {
    ({ emu } = await portal());
    const c = await connectors.create(await checked(connectors, sampleConnector(emu)));
    emu.state.connectors.get(Number(c.id))!.owner = "another.app";
    const r = await sources.check({}, {
      connectorId: Number(c.id),
      title: "S",
      settings: { login: "demo" },
    } as never);
    expect(r.failures?.map((f) => f.property)).toEqual(["connectorId"]);
  });

  test("ACCESS_DENIED under webhook auth says an OAuth application is needed", async () => {
    ({ emu } = await portal());
    useSettings({ webhookUrl: emu.webhookUrl, retryBaseDelayMs: "10" });
    await expect(connectors.create(await checked(connectors, seedConnector))).rejects.toThrow(
      /ACCESS_DENIED.*OAuth application/,
    );
  });
});

describe("7. OPERATION_TIME_LIMIT from the emulator's operating meter", () => {
  test("blocked for 1 s (the 429 with a time block, an option): the read waits until operating_reset_at, then succeeds with one more call", async () => {
    ({ emu } = await portal({ operationLimitTimings: true }));
    const { id, outs } = await connectors.create(await checked(connectors, seedConnector));
    emu.faults.inject({
      kind: "operationTimeLimit",
      method: "biconnector.connector.list", // reads go to list pages
      resetInSec: 1,
    });
    emu.calls.length = 0;
    const started = Date.now();
    const r = await connectors.read(id, outs as JsonObject);
    expect(r.id).toBe(id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(emu.calls.filter((c) => c.method === "biconnector.connector.list")).toHaveLength(2);
  });

  test("blocked, the 429 without timings (the portal's shape): the reset its last answer named is past the deadline, so it fails at once, saying which budget and when", async () => {
    ({ emu } = await portal());
    const { id, outs } = await connectors.create(await checked(connectors, seedConnector));
    shortDeadline();
    emu.faults.inject({
      kind: "operationTimeLimit",
      method: "biconnector.connector.list", // reads go to list pages
      resetInSec: 600,
    });
    const started = Date.now();
    await expect(connectors.read(id, outs as JsonObject)).rejects.toThrow(
      /OPERATION_TIME_LIMIT.*budget of biconnector.connector.list is spent; it resets at \d{4}-\d{2}-\d{2}T.*as its last answer said/,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
