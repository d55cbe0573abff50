import { execFile } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

const EXAMPLE = path.resolve(__dirname, "..", "..", "examples", "connector-check");
const SCRIPT = path.join(EXAMPLE, "check-endpoint.js");

function runCheck(
  url: string,
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, url],
      { env: { PATH: process.env.PATH, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
    );
  });
}

describe("examples/connector-check: check-endpoint.js against a real local endpoint", () => {
  let server: http.Server;
  let base: string;
  let answer: { status: number; body: string } = { status: 200, body: "ok" };
  let received = "";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        received = `${req.method} ${req.headers["content-type"]} ${body}`;
        res.writeHead(answer.status).end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test("HTTP 200 with a body passes; settings go as connection[code] form fields", async () => {
    answer = { status: 200, body: '{"ok":true}' };
    const r = await runCheck(`${base}/check`, {
      CONNECTION_LOGIN: "demo",
      CONNECTION_PASSWORD: "p@ss word",
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/answers as the connector contract requires/);
    expect(received).toBe(
      "POST application/x-www-form-urlencoded connection%5Blogin%5D=demo&connection%5Bpassword%5D=p%40ss+word",
    );
    expect(r.out).not.toContain("p@ss word");
  });

  test.each([
    [{ status: 500, body: "boom" }, /HTTP 500; Bitrix24 needs 200/],
    [{ status: 200, body: "" }, /empty body/],
  ])("%j fails the deployment", async (a, message) => {
    answer = a;
    const r = await runCheck(`${base}/check`, { CONNECTION_LOGIN: "demo" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(message);
  });

  test("an unreachable endpoint fails clearly", async () => {
    // A port that was just free: nothing listens there now.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await runCheck(`http://127.0.0.1:${port}/check`, {});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/unreachable/);
  });
});
