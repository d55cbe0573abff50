import { ConnectorProvider } from "../../provider/resources/connectorProvider";
import { Emulator } from "bitrix24-biconnector-emulator";
import { JsonObject } from "../../provider/schema/spec";
import { portal, seedConnector, testClient } from "../helpers/portal";

const p = new ConnectorProvider(testClient);

async function createMany(emu: Emulator, n: number): Promise<string[]> {
  const inputs = (await p.check({}, seedConnector)).inputs as JsonObject;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await p.create({ ...inputs, title: `c${i}` })).id);
  emu.calls.length = 0;
  return ids;
}

describe("reads and deletes that arrive together travel in one batch", () => {
  let emu: Emulator;
  afterEach(() => emu.close());

  test("30 concurrent reads: one HTTP call; a connector gone meanwhile fails only its own read", async () => {
    ({ emu } = await portal());
    const ids = await createMany(emu, 30);
    emu.state.connectors.delete(Number(ids[7]));
    const reads = await Promise.all(ids.map((id) => p.read(id)));
    expect(emu.calls.map((c) => c.method)).toEqual(["batch"]);
    expect(emu.calls[0].commands).toHaveLength(30);
    expect(reads[7]).toEqual({});
    expect(reads.filter((r) => r.id).map((r) => r.props?.title)).toEqual(
      ids.map((_, i) => `c${i}`).filter((t) => t !== "c7"),
    );
  });

  test("more than 50 at once: several batches of at most 50", async () => {
    ({ emu } = await portal());
    const ids = await createMany(emu, 120);
    await Promise.all(ids.map((id) => p.read(id)));
    // Batches travel concurrently: their order of arrival is not part of the claim.
    expect(emu.calls.map((c) => c.commands?.length).sort()).toEqual([20, 50, 50]);
  });

  test("concurrent deletes are batched; one already deleted is still a success", async () => {
    ({ emu } = await portal());
    const ids = await createMany(emu, 10);
    emu.state.connectors.delete(Number(ids[3]));
    await Promise.all(ids.map((id) => p.delete(id, {})));
    expect(emu.state.connectors.size).toBe(0);
    expect(emu.calls.map((c) => c.method)).toEqual(["batch"]);
    expect(emu.writeCalls()).toHaveLength(1);
  });

  test("a portal that refuses these methods in batch: falls back to single calls, remembers it", async () => {
    ({ emu } = await portal({ batchRefused: ["biconnector.connector.get"] }));
    const ids = await createMany(emu, 5);
    const reads = await Promise.all(ids.map((id) => p.read(id)));
    expect(reads.every((r) => r.id)).toBe(true);
    expect(emu.calls.map((c) => `${c.method}:${c.status}`)).toEqual([
      "batch:200", // ERROR_BATCH_METHOD_NOT_ALLOWED is each command's error, not the request's
      ...ids.map(() => "biconnector.connector.get:200"),
    ]);
    emu.calls.length = 0;
    await Promise.all(ids.map((id) => p.read(id)));
    expect(emu.calls.every((c) => c.method === "biconnector.connector.get")).toBe(true);
  });

  test("a failed batch request (503, reset) is retried as a whole", async () => {
    ({ emu } = await portal());
    const ids = await createMany(emu, 8);
    emu.faults.inject({ kind: "rateLimit", method: "batch" });
    emu.faults.inject({ kind: "reset", method: "batch" });
    const reads = await Promise.all(ids.map((id) => p.read(id)));
    expect(reads.every((r) => r.id)).toBe(true);
    expect(testClient().batches).toBeGreaterThanOrEqual(1);
    expect(emu.calls.map((c) => c.status)).toEqual([503, 0, 200]);
  });
});
