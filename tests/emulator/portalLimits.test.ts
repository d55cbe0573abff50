/**
 * The portal's operating limit (OPERATION_TIME_LIMIT, the `time` block's operating fields) and its
 * refusal to call connector endpoints on local networks. Raw HTTP over loopback, no provider.
 */
import axios from "axios";
import {
  Emulator,
  EmulatorOptions,
  isLocalAddress,
  startEmulator,
} from "bitrix24-biconnector-emulator";

const client = axios.create({ validateStatus: () => true, timeout: 10_000 });

describe("operating limit", () => {
  let emu: Emulator;
  let clock: number;
  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 1, 12);
    emu = await startEmulator({ rateLimit: false, now: () => clock });
  });
  afterEach(() => emu.close());
  const call = (method: string) =>
    client.post(`${emu.portalUrl}rest/${method}`, { auth: emu.tokens.accessToken });

  test("every answer's time block carries operating; after use, operating_reset_at too", async () => {
    const first = await call("biconnector.connector.list");
    expect(first.status).toBe(200);
    const t = first.data.time;
    expect(typeof t.operating).toBe("number");
    expect(t.operating_reset_at).toBe(Math.ceil((clock + 600_000) / 1000));
    for (const k of ["start", "finish", "duration", "processing", "date_start", "date_finish"])
      expect(t).toHaveProperty(k);
    expect(t.date_start).toMatch(/\+00:00$/);
  });

  test("injected OPERATION_TIME_LIMIT: 429 root error without a time block (the portal's error answers have none); blocked until then", async () => {
    emu.faults.inject({
      kind: "operationTimeLimit",
      method: "biconnector.connector.list",
      resetInSec: 90,
    });
    const blocked = await call("biconnector.connector.list");
    expect(blocked.status).toBe(429);
    expect(blocked.data).toEqual({
      error: "OPERATION_TIME_LIMIT",
      error_description: "Method is blocked due to operation time limit",
    });
    expect((await call("scope")).status).toBe(200); // other methods are not blocked
    clock += 89_000;
    expect((await call("biconnector.connector.list")).status).toBe(429);
    clock += 1_000;
    expect((await call("biconnector.connector.list")).status).toBe(200);
    expect(emu.calls.map((c) => c.fault ?? "-")).toEqual([
      "operationTimeLimit",
      "-",
      "operationTimeLimit",
      "-",
    ]);
  });

  test("operationLimitTimings: the 429 carries a time block saying when", async () => {
    await emu.close();
    emu = await startEmulator({ rateLimit: false, now: () => clock, operationLimitTimings: true });
    emu.faults.inject({
      kind: "operationTimeLimit",
      method: "biconnector.connector.list",
      resetInSec: 90,
    });
    const blocked = await call("biconnector.connector.list");
    expect(blocked.status).toBe(429);
    expect(blocked.data.time.operating_reset_at).toBe(Math.ceil((clock + 90_000) / 1000));
  });
});

describe("connector endpoints on local networks", () => {
  let emu: Emulator;
  afterEach(() => emu.close());

  async function addSource(options: EmulatorOptions, base?: string) {
    emu = await startEmulator({ rateLimit: false, ...options });
    const url = base ?? emu.sampleConnectorUrl;
    const rest = (method: string, body: object) =>
      client.post(`${emu.portalUrl}rest/${method}`, { ...body, auth: emu.tokens.accessToken });
    const connector = await rest("biconnector.connector.add", {
      fields: {
        title: "Sample",
        logo: "x",
        urlCheck: `${url}/check`,
        urlData: `${url}/data`,
        urlTableList: `${url}/table_list`,
        urlTableDescription: `${url}/table_description`,
        settings: [
          { name: "Login", code: "login", type: "STRING" },
          { name: "Password", code: "password", type: "STRING" },
        ],
      },
    });
    emu.requestLines.length = 0;
    return rest("biconnector.source.add", {
      fields: {
        title: "S",
        connectorId: connector.data.result.id,
        settings: { login: "demo", password: "demo-password" },
      },
    });
  }

  test("by default (as a cloud portal) a loopback urlCheck is not called: SOURCE_CREATE_CONNECTION_ERROR", async () => {
    const res = await addSource({});
    expect(res.data.result.error.error).toBe("SOURCE_CREATE_CONNECTION_ERROR");
    expect(emu.requestLines.filter((l) => l.includes("/sample-connector/"))).toEqual([]);
    expect(emu.state.sources.size).toBe(0);
  });

  test("a name that resolves to loopback (localhost) is refused the same way", async () => {
    const res = await addSource({}, "http://localhost:1/sample-connector");
    expect(res.data.result.error.error).toBe("SOURCE_CREATE_CONNECTION_ERROR");
  });

  test("allowPrivateEndpoints: the urlCheck is called and the source created", async () => {
    const res = await addSource({ allowPrivateEndpoints: true });
    expect(res.data.result.id).toBeGreaterThan(0);
    expect(emu.requestLines).toContain("POST /sample-connector/check");
  });

  test("which addresses count as local: loopback, private, link-local, unspecified; public ones not", () => {
    for (const a of [
      "127.0.0.1",
      "127.9.9.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.10",
      "169.254.169.254",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd12:3456::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
    ])
      expect([a, isLocalAddress(a)]).toEqual([a, true]);
    for (const a of [
      "8.8.8.8",
      "172.32.0.1",
      "192.169.0.1",
      "2001:db8::1",
      "::ffff:8.8.8.8",
      "not-an-ip",
    ])
      expect([a, isLocalAddress(a)]).toEqual([a, false]);
  });
});
