/**
 * The emulator's own HTTP surface (no provider): the control endpoints' guard and the JSON shape
 * of every error answer. Over loopback.
 */
import axios from "axios";
import * as http from "http";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";

const client = axios.create({ validateStatus: () => true, timeout: 10_000 });

/** A raw request with a Host header of our choosing (axios/undici would set the real one). */
function rawRequest(
  emu: Emulator,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; contentType: string; text: string }> {
  const { port } = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: Number(port),
        method: opts.method,
        path: opts.path,
        headers: opts.headers,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"]),
            text,
          }),
        );
      },
    );
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.end(opts.body);
  });
}

/** A Bitrix24-shaped JSON error with nothing of the emulator's internals in it. */
function expectBitrixError(
  res: { status: number; contentType: string; text: string },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.contentType).toMatch(/^application\/json/);
  const body = JSON.parse(res.text);
  expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  expect(body.error).toBe(code);
  expect(res.text).not.toMatch(/<html|<pre|\bat \w+ \(|node_modules|\/work\/|\.ts:\d+/i);
}

describe("control endpoints: admin token, loopback Host, no foreign Origin", () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  afterEach(() => emu.close());
  const host = () => new URL(emu.url).host;
  const bearer = () => `Bearer ${emu.adminToken}`;

  test("no token or a wrong one: 401 and nothing happens; the right one: done", async () => {
    const none = await rawRequest(emu, {
      method: "POST",
      path: "/_emulator/expire-tokens",
      headers: { Host: host() },
    });
    expectBitrixError(none, 401, "ADMIN_TOKEN_REQUIRED");
    const wrong = await rawRequest(emu, {
      method: "POST",
      path: "/_emulator/expire-tokens",
      headers: { Host: host(), Authorization: `Bearer ${"0".repeat(emu.adminToken.length)}` },
    });
    expectBitrixError(wrong, 401, "ADMIN_TOKEN_REQUIRED");
    const list = () =>
      client.post(`${emu.portalUrl}rest/biconnector.connector.list`, {
        auth: emu.tokens.accessToken,
      });
    expect((await list()).status).toBe(200); // tokens not expired by the refused calls
    const ok = await rawRequest(emu, {
      method: "POST",
      path: "/_emulator/expire-tokens",
      headers: { Host: host(), Authorization: bearer() },
    });
    expect(ok.status).toBe(200);
    expect((await list()).data.error).toBe("expired_token");
  });

  test("a Host that is not loopback (DNS rebinding) is refused even with the token", async () => {
    for (const h of ["evil.example", `evil.example:${new URL(emu.url).port}`, "192.168.1.5"]) {
      const res = await rawRequest(emu, {
        method: "GET",
        path: "/_emulator/connectors",
        headers: { Host: h, Authorization: bearer() },
      });
      expectBitrixError(res, 403, "FORBIDDEN_HOST");
    }
    for (const h of [host(), `localhost:${new URL(emu.url).port}`]) {
      const res = await rawRequest(emu, {
        method: "GET",
        path: "/_emulator/connectors",
        headers: { Host: h, Authorization: bearer() },
      });
      expect(res.status).toBe(200);
    }
  });

  test("an Origin header that is not loopback (a web page) is refused; a loopback one passes", async () => {
    const evil = await rawRequest(emu, {
      method: "POST",
      path: "/_emulator/expire-tokens",
      headers: { Host: host(), Authorization: bearer(), Origin: "https://evil.example" },
    });
    expectBitrixError(evil, 403, "FORBIDDEN_ORIGIN");
    const nullOrigin = await rawRequest(emu, {
      method: "POST",
      path: "/_emulator/expire-tokens",
      headers: { Host: host(), Authorization: bearer(), Origin: "null" },
    });
    expectBitrixError(nullOrigin, 403, "FORBIDDEN_ORIGIN");
    const local = await rawRequest(emu, {
      method: "GET",
      path: "/_emulator/connectors",
      headers: { Host: host(), Authorization: bearer(), Origin: `http://${host()}` },
    });
    expect(local.status).toBe(200);
  });

  test("emu.control sends the token: out-of-band edit and fault injection over HTTP", async () => {
    const add = await client.post(`${emu.portalUrl}rest/biconnector.connector.add`, {
      auth: emu.tokens.accessToken,
      fields: {
        title: "A",
        logo: "x",
        urlCheck: "https://c.example/check",
        urlData: "https://c.example/data",
        urlTableList: "https://c.example/tables",
        urlTableDescription: "https://c.example/describe",
        settings: [],
      },
    });
    const id = add.data.result.id;
    const patched = await emu.control(`connectors/${id}`, {
      method: "PATCH",
      body: { title: "B" },
    });
    expect(patched.status).toBe(200);
    expect(emu.state.connectors.get(id)?.fields.title).toBe("B");
    const injected = await emu.control("faults", {
      body: { kind: "serverError", method: "scope" },
    });
    expect(injected.data).toEqual({ injected: 1 });
    expect((await emu.control("faults", { body: { nokind: 1 } })).status).toBe(400);
  });
});

describe("every error answer is Bitrix24-shaped JSON, never an HTML page or a stack trace", () => {
  let emu: Emulator;
  afterEach(() => emu.close());

  test("a body that is not JSON", async () => {
    emu = await startEmulator({ rateLimit: false });
    const res = await rawRequest(emu, {
      method: "POST",
      path: "/rest/biconnector.connector.list",
      headers: { "Content-Type": "application/json" },
      body: '{"auth": "x", ',
    });
    expectBitrixError(res, 400, "BAD_REQUEST");
  });

  test("an unknown path, and an unknown method under /rest/", async () => {
    emu = await startEmulator({ rateLimit: false });
    expectBitrixError(
      await rawRequest(emu, { method: "GET", path: "/nothing/here" }),
      404,
      "NOT_FOUND",
    );
    const res = await rawRequest(emu, {
      method: "POST",
      path: "/rest/no.such.method",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ auth: emu.tokens.accessToken }),
    });
    expectBitrixError(res, 404, "ERROR_METHOD_NOT_FOUND");
  });

  test("a body over the limit: 413", async () => {
    emu = await startEmulator({ rateLimit: false, bodyLimit: "1kb" });
    const res = await rawRequest(emu, {
      method: "POST",
      path: "/rest/biconnector.connector.list",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ auth: "x", pad: "y".repeat(4096) }),
    });
    expectBitrixError(res, 413, "PAYLOAD_TOO_LARGE");
  });

  test("a handler that throws (a filter nested past the call stack): 500 JSON, no stack", async () => {
    emu = await startEmulator({ rateLimit: false });
    // One connector, so that the filter is evaluated.
    emu.state.connectors.set(1, { id: 1, owner: emu.app.clientId, fields: { title: "x" } });
    const depth = 100_000;
    const filter = '{"0":'.repeat(depth) + '{"id":1}' + "}".repeat(depth);
    const res = await rawRequest(emu, {
      method: "POST",
      path: "/rest/biconnector.connector.list",
      headers: { "Content-Type": "application/json" },
      body: `{"auth":"${emu.tokens.accessToken}","filter":${filter}}`,
    });
    expectBitrixError(res, 500, "INTERNAL_SERVER_ERROR");
  });
});
