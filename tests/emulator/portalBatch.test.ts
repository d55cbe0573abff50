/**
 * `batch` answered as the real REST layer does (no provider; raw HTTP over loopback): module
 * errors are data in `result[key]`, only errors raised outside the module go to `result_error`.
 */
import axios from "axios";
import * as qs from "qs";
import { Emulator, EmulatorOptions, startEmulator } from "bitrix24-biconnector-emulator";

const client = axios.create({ validateStatus: () => true, timeout: 10_000 });

describe("batch answers", () => {
  let emu: Emulator;
  afterEach(() => emu.close());
  async function start(options: EmulatorOptions = {}) {
    emu = await startEmulator({ rateLimit: false, ...options });
    // One connector of this app, id 1.
    emu.state.connectors.set(1, { id: 1, owner: emu.app.clientId, fields: { title: "one" } });
  }
  const batch = (cmd: unknown, halt = 0) =>
    client.post(`${emu.portalUrl}rest/batch`, { auth: emu.tokens.accessToken, halt, cmd });

  test("a module error is data in result[key]; result_error stays empty", async () => {
    await start();
    const res = await batch({
      ok: "biconnector.connector.get?id=1",
      gone: "biconnector.connector.get?id=999",
    });
    expect(res.status).toBe(200);
    const { result, result_error } = res.data.result;
    expect(result.ok.item.title).toBe("one");
    expect(result.gone).toEqual({
      error: { error: "CONNECTOR_NOT_FOUND", error_description: "Connector was not found." },
    });
    expect(result_error).toEqual([]);
  });

  test("method not found, not allowed in batch, nested batch, missing scope: result_error[key]; the request is 200", async () => {
    await start({ batchRefused: ["biconnector.connector.list"] });
    const res = await batch({
      a: "no.such.method",
      b: "biconnector.connector.list",
      c: "batch?cmd[x]=scope",
      d: "biconnector.connector.get?id=1",
    });
    expect(res.status).toBe(200);
    const { result, result_error } = res.data.result;
    expect(result_error.a.error).toBe("ERROR_METHOD_NOT_FOUND");
    expect(result_error.b.error).toBe("ERROR_BATCH_METHOD_NOT_ALLOWED");
    expect(result_error.c.error).toBe("ERROR_BATCH_METHOD_NOT_ALLOWED");
    expect(Object.keys(result)).toEqual(["d"]);
    expect(emu.calls.map((c) => `${c.method}:${c.status}`)).toEqual(["batch:200"]);

    await emu.close();
    await start({ scope: "crm" });
    const scoped = await batch({ s: "scope", l: "biconnector.connector.list" });
    expect(scoped.data.result.result.s).toEqual(["crm"]);
    expect(scoped.data.result.result_error.l.error).toBe("insufficient_scope");
  });

  test("cmd as a list: numeric keys, results as a list; result_time per command", async () => {
    await start();
    const res = await batch(["biconnector.connector.get?id=1", "scope"]);
    expect(res.status).toBe(200);
    const { result, result_error, result_time } = res.data.result;
    expect(Array.isArray(result)).toBe(true);
    expect(result[0].item.id).toBe(1);
    expect(result[1]).toEqual(["biconnector"]);
    expect(result_error).toEqual([]);
    expect(result_time).toHaveLength(2);
    for (const t of result_time) {
      expect(t.finish).toBeGreaterThanOrEqual(t.start);
      expect(t.duration).toBeGreaterThanOrEqual(0);
      expect(typeof t.date_start).toBe("string");
    }
  });

  test("halt: the first result_error stops the rest; a module error (data) does not", async () => {
    await start();
    const cmd = {
      a: "biconnector.connector.get?id=999", // module error: data, no halt
      b: "biconnector.connector.get?id=1",
      c: "no.such.method", // transport-level: halts
      d: "biconnector.connector.get?id=1",
    };
    const halted = (await batch(cmd, 1)).data.result;
    expect(Object.keys(halted.result)).toEqual(["a", "b"]);
    expect(Object.keys(halted.result_error)).toEqual(["c"]);
    expect(Object.keys(halted.result_time)).toEqual(["a", "b", "c"]);
    const full = (await batch(cmd, 0)).data.result;
    expect(Object.keys(full.result)).toEqual(["a", "b", "d"]);
  });

  test("more than 50 commands: the whole request is refused (400 ERROR_BATCH_LENGTH_EXCEEDED)", async () => {
    await start();
    const res = await batch(Array.from({ length: 51 }, () => "scope"));
    expect(res.status).toBe(400);
    expect(res.data.error).toBe("ERROR_BATCH_LENGTH_EXCEEDED");
    expect((await batch(Array.from({ length: 50 }, () => "scope"))).status).toBe(200);
  });
});

describe("batch result macros ($result[cmd][field]) and method names in any case", () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
  });
  afterEach(() => emu.close());

  const connector = () => ({
    title: "Chained",
    logo: "data:image/svg+xml;base64,PHN2Zy8+",
    urlCheck: `${emu.sampleConnectorUrl}/check`,
    urlTableList: `${emu.sampleConnectorUrl}/table_list`,
    urlTableDescription: `${emu.sampleConnectorUrl}/table_description`,
    urlData: `${emu.sampleConnectorUrl}/data`,
    settings: [
      { name: "Login", code: "login", type: "STRING" },
      { name: "Password", code: "password", type: "STRING" },
    ],
  });
  const source = (connectorId: string) => ({
    connectorId,
    title: "Chained source",
    settings: { ...emu.sampleConnectorCredentials },
  });
  const table = (sourceId: string) => ({
    sourceId,
    name: "chained_deals",
    externalCode: "deals",
    externalName: "Deals",
    fields: [{ name: "DEAL_ID", type: "int", externalCode: "deal_id" }],
  });
  /** A command as `BX24.callBatch` writes it: the method, `?`, the parameters query-encoded. */
  const command = (method: string, fields: object) =>
    `${method}?${qs.stringify({ fields }, { encodeValuesOnly: false })}`;

  function expectChain(answer: { result: Record<string, unknown>; result_error: unknown }) {
    expect(answer.result_error).toEqual([]);
    const c = emu.state.connectors.get(Number((answer.result.c as { id: unknown }).id));
    const [s] = [...emu.state.sources.values()];
    expect(Number(s.fields.connectorId)).toBe(c?.id);
    const [t] = [...emu.state.datasets.values()];
    expect(Number(t.fields.sourceId)).toBe(s.id);
  }

  test("JSON cmd, encoded queries: connector → source → table chained in one request", async () => {
    const res = await client.post(`${emu.portalUrl}rest/batch`, {
      auth: emu.tokens.accessToken,
      halt: 0,
      cmd: {
        c: command("biconnector.connector.add", connector()),
        s: command("biconnector.source.add", source("$result[c][id]")),
        t: command("biconnector.table.add", table("$result[s][id]")),
      },
    });
    expect(res.status).toBe(200);
    expectChain(res.data.result);
    expect(emu.calls.filter((x) => x.method === "batch")).toHaveLength(1);
  });

  test("form-encoded cmd, macros written literally, cmd as a list (numeric keys)", async () => {
    const body = qs.stringify({
      auth: emu.tokens.accessToken,
      cmd: [
        command("biconnector.connector.add", connector()),
        `biconnector.source.add?fields[connectorId]=$result[0][id]&${qs.stringify({ fields: { title: "S", settings: emu.sampleConnectorCredentials } })}`,
        `biconnector.table.add?fields[sourceId]=$result[1][id]&${qs.stringify({ fields: { ...table(""), sourceId: undefined } })}`,
      ],
    });
    const res = await client.post(`${emu.portalUrl}rest/batch`, body, {
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(200);
    const answer = res.data.result as { result: unknown[]; result_error: unknown };
    expectChain({ result: { c: answer.result[0] }, result_error: answer.result_error });
  });

  test("a macro naming a failed command, a missing one or a missing field becomes empty: the command fails with its own error", async () => {
    const res = await client.post(`${emu.portalUrl}rest/batch`, {
      auth: emu.tokens.accessToken,
      cmd: {
        gone: "biconnector.connector.get?id=999",
        a: command("biconnector.source.add", source("$result[gone][item][id]")),
        b: command("biconnector.source.add", source("$result[nosuch][id]")),
        c: command("biconnector.connector.add", connector()),
        d: command("biconnector.source.add", source("$result[c][nosuchfield]")),
      },
    });
    const { result } = res.data.result;
    expect(result.gone.error.error).toBe("CONNECTOR_NOT_FOUND");
    for (const k of ["a", "b", "d"]) expect(result[k].error.error).toMatch(/\S/);
    expect(emu.state.sources.size).toBe(0);
    expect(emu.state.connectors.size).toBe(1);
  });

  test("method names in any case: BICONNECTOR.CONNECTOR.LIST alone and inside a batch", async () => {
    const alone = await client.post(`${emu.portalUrl}rest/BICONNECTOR.CONNECTOR.LIST`, {
      auth: emu.tokens.accessToken,
    });
    expect(alone.status).toBe(200);
    expect(alone.data.result).toEqual([]);
    const inBatch = await client.post(`${emu.portalUrl}rest/Batch`, {
      auth: emu.tokens.accessToken,
      cmd: { l: "Biconnector.Connector.List" },
    });
    expect(inBatch.data.result.result.l).toEqual([]);
    expect(inBatch.data.result.result_error).toEqual([]);
  });
});
