import { execFile } from "child_process";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import {
  CLI_BIN,
  Deployment,
  cliMissing,
  deployment,
  emulatorConfig,
  expectOk,
  eventsOf,
  projectCopy,
  runCli,
  runInline,
} from "./cliRun";

/**
 * examples/quickstart (the program itself) under the real Pulumi CLI against the emulator, as an
 * Automation API inline program: preview, up, a second up, drift in the portal, refresh, repair,
 * an out-of-band delete, a bad input, destroy.
 */
const PROGRAM = "examples/quickstart";
const missing = cliMissing();
let emu: Emulator;
let d: Deployment;

beforeAll(async () => {
  if (missing) throw new Error(missing);
  emu = await startEmulator({ rateLimit: false });
  d = deployment();
});
afterAll(() => emu?.close());

describe("examples/quickstart under the real Pulumi CLI (Automation API inline program)", () => {
  const connectorOf = () => [...emu.state.connectors.values()];

  test("preview: one create, no write to the portal", async () => {
    const r = await runInline(
      d,
      PROGRAM,
      "preview",
      emulatorConfig(emu, `${d.workDir}/tokens.json`),
    );
    expectOk(r);
    expect(eventsOf(r, "sales").map((e) => e.op)).toEqual(["create"]);
    expect(emu.writeCalls()).toEqual([]);
  });

  test("up creates it; connectorId is the portal's id; a second up changes and writes nothing", async () => {
    const r = await runInline(d, PROGRAM, "up");
    expectOk(r);
    expect(connectorOf()).toHaveLength(1);
    expect(r.outputs?.connectorId).toBe(String(connectorOf()[0].id));
    const writes = emu.writeCalls().length;
    const again = await runInline(d, PROGRAM, "up");
    expectOk(again);
    expect(eventsOf(again, "sales").every((e) => e.op === "same")).toBe(true);
    expect(again.summary).not.toHaveProperty("create");
    expect(again.summary).not.toHaveProperty("update");
    expect(emu.writeCalls()).toHaveLength(writes);
    // The package is installed in the program's node_modules: the state names the shim's module
    // (~100 bytes, issue 38), and the resource's source position is the program's line, not our
    // class's constructor.
    const state = await runInline(d, PROGRAM, "export");
    expectOk(state);
    const sales = state.exported?.deployment?.resources?.find((r) => r.urn.endsWith("::sales"));
    const text =
      'exports.handler=()=>require("pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/connector.js")';
    expect([sales?.inputs?.__provider, sales?.outputs?.__provider]).toEqual([text, text]);
    expect(sales?.sourcePosition).toMatch(/^project:\/\/\/program\.js#\d+,\d+$/);
  });

  test("a title edited in the portal: refresh reports title, the state holds it, up puts it back", async () => {
    const [c] = connectorOf();
    c.fields.title = "Renamed in the portal";
    const r = await runInline(d, PROGRAM, "refresh");
    expectOk(r);
    const [refreshed] = eventsOf(r, "sales", "outputs");
    expect(refreshed).toMatchObject({ op: "update", diffs: ["title"] });
    expect(r.output).toMatch(/sales.*\[diff: ~title\]/);
    const state = await runInline(d, PROGRAM, "export");
    expectOk(state);
    const held = state.exported?.deployment?.resources?.find((x) => x.urn.endsWith("::sales"));
    expect(held?.outputs?.title).toBe("Renamed in the portal");
    expectOk(await runInline(d, PROGRAM, "up"));
    expect(emu.state.connectors.get(c.id)?.fields.title).toBe("Sales DB");
  });

  test("a connector deleted in the portal: refresh drops it, up creates it again", async () => {
    const [c] = connectorOf();
    emu.state.connectors.delete(c.id);
    const r = await runInline(d, PROGRAM, "refresh");
    expectOk(r);
    const state = await runInline(d, PROGRAM, "export");
    expect(state.exported?.deployment?.resources?.some((x) => x.urn.endsWith("::sales"))).toBe(
      false,
    );
    const up = await runInline(d, PROGRAM, "up");
    expectOk(up);
    expect(eventsOf(up, "sales").map((e) => e.op)).toContain("create");
    expect(connectorOf()).toHaveLength(1);
    expect(up.outputs?.connectorId).toBe(String(connectorOf()[0].id));
  });

  test("a bad input fails at preview naming the property and the reason, with no API call", async () => {
    const calls = emu.calls.length;
    const r = await runInline(d, PROGRAM, "preview", {
      endpointBaseUrl: { value: "not a url" },
    });
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/urlCheck/);
    expect(r.output).toMatch(/URL/i);
    expect(emu.calls.length).toBe(calls);
    expectOk(await runInline(d, PROGRAM, "preview", { endpointBaseUrl: null }));
  });

  test("destroy leaves the portal empty", async () => {
    const r = await runInline(d, PROGRAM, "destroy");
    expectOk(r);
    expect(emu.state.connectors.size).toBe(0);
  });
});

/** Which `pulumi-language-nodejs` the CLI would use, if any (it looks on PATH). */
function nodejsHost(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile(
      "sh",
      ["-c", "command -v pulumi-language-nodejs"],
      {
        timeout: 10_000,
        env: { ...process.env, PATH: `${CLI_BIN}${path.delimiter}${process.env.PATH}` },
      },
      (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined),
    ),
  );
}

test("examples/quickstart as an ordinary `runtime: nodejs` project, where the Node language host is installed", async () => {
  const host = await nodejsHost();
  if (!host) {
    console.log(
      "skipped the `runtime: nodejs` project form: no pulumi-language-nodejs on PATH (the Go proxy " +
        "refuses its module on this machine; the inline-program form above covers the same program)",
    );
    return;
  }
  const dep = deployment();
  const dir = projectCopy(PROGRAM);
  const cli = async (...args: string[]) => {
    const r = await runCli(dep, dir, [...args, "--non-interactive"]);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.output.slice(-2000)}`);
    return r.output;
  };
  await cli("stack", "init", "dev");
  for (const [key, v] of Object.entries(emulatorConfig(emu, `${dir}/tokens.json`)))
    await cli("config", "set", v?.secret ? "--secret" : "--plaintext", key, "--", v!.value);
  const before = emu.state.connectors.size;
  await cli("up", "--yes");
  expect(emu.state.connectors.size).toBe(before + 1);
  await cli("destroy", "--yes");
  expect(emu.state.connectors.size).toBe(before);
});
