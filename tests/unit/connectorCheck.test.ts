import { execFile } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

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
    const r = await runCheck("http://127.0.0.1:9/check", {});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/unreachable/);
  });
});

describe("examples/connector-check under mocks (the command plugin is not available here)", () => {
  test("the Command runs after the connector, on its urlCheck, with the password secret", async () => {
    const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const state = args.type.startsWith("command:")
            ? { ...args.inputs, stdout: "checked" }
            : args.inputs;
          return { id: `${args.name}-id`, state };
        },
        call: () => ({}),
      },
      "bitrix24-connector-check",
      "dev",
      false,
    );
    pulumi.runtime.setAllConfig(
      {
        "bitrix24-connector-check:endpointBaseUrl": "https://endpoint.example.com",
        "bitrix24-connector-check:checkLogin": "demo",
        "bitrix24-connector-check:checkPassword": "s3cret-pass",
      },
      ["bitrix24-connector-check:checkPassword"],
    );
    const program = await import(path.join(EXAMPLE, "index.ts"));
    const stdout = await new Promise((resolve) =>
      (program.endpointCheck as pulumi.Output<string>).apply(resolve),
    );
    expect(stdout).toBe("checked");
    expect(registered.map((r) => r.type)).toEqual([
      "pulumi-nodejs:dynamic/bitrix24:Connector",
      "command:local:Command",
    ]);
    const cmd = registered[1].inputs;
    expect(cmd.create).toBe(
      `node ${path.join(EXAMPLE, "check-endpoint.js")} https://endpoint.example.com/check`,
    );
    expect(cmd.triggers).toEqual(["https://endpoint.example.com/check"]);
    // The secret password makes the whole environment a secret (the SDK's secret marker).
    expect(cmd.environment).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: { CONNECTION_LOGIN: "demo", CONNECTION_PASSWORD: "s3cret-pass" },
    });
    expect(String(cmd.create)).not.toContain("s3cret-pass");
  });
});
