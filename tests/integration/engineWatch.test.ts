import { spawn } from "child_process";
import * as net from "net";
import * as path from "path";
import { exitWhenEngineGone, parseAddress } from "../../provider/core/lifecycle/engineWatch";

/**
 * A provider ends when the engine that started it is gone (issue 35, item 4): against a loopback
 * server standing in for the engine's gRPC address, and with the built plugin as a process.
 */
const listen = (): Promise<net.Server> =>
  new Promise((resolve) => {
    const s = net.createServer((c) => c.destroy());
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the engine watch", () => {
  test("addresses as the engine gives them", () => {
    expect(parseAddress("127.0.0.1:45123")).toEqual({ host: "127.0.0.1", port: 45123 });
    expect(parseAddress("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseAddress("localhost:9")).toEqual({ host: "localhost", port: 9 });
    for (const bad of ["", "127.0.0.1", ":80", "host:0", "host:70000", "--tracing"])
      expect(parseAddress(bad)).toBeUndefined();
  });

  test("quiet while the engine answers; gone within two looks after it closed", async () => {
    const engine = await listen();
    let goneAt = 0;
    const stop = exitWhenEngineGone(`127.0.0.1:${portOf(engine)}`, {
      everyMs: 100,
      onGone: () => (goneAt = Date.now()),
    });
    try {
      await sleep(500);
      expect(goneAt).toBe(0);
      const closedAt = Date.now();
      await new Promise((r) => engine.close(r));
      for (let i = 0; i < 20 && !goneAt; i++) await sleep(50);
      expect(goneAt).toBeGreaterThan(0);
      expect(goneAt - closedAt).toBeLessThan(500);
    } finally {
      stop();
    }
  });

  test("no address, or one that is not an address: nothing is watched", () => {
    let gone = false;
    exitWhenEngineGone(undefined, { everyMs: 10, onGone: () => (gone = true) })();
    exitWhenEngineGone("--logtostderr", { everyMs: 10, onGone: () => (gone = true) })();
    expect(gone).toBe(false);
  });

  test("the built plugin exits on its own when its engine's address stops answering", async () => {
    const engine = await listen();
    const main = path.resolve(__dirname, "..", "..", "dist", "provider", "plugin", "main.js");
    const plugin = spawn(process.execPath, [main, `127.0.0.1:${portOf(engine)}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    plugin.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => plugin.on("exit", (code) => r(code)));
    try {
      // It serves (prints its port), and stays while the engine is there.
      await new Promise((r) => plugin.stdout.once("data", r));
      await sleep(2500);
      expect(plugin.exitCode).toBeNull();
      const closedAt = Date.now();
      await new Promise((r) => engine.close(r));
      const code = await exited;
      const took = Date.now() - closedAt;
      expect(code).toBe(1);
      expect(took).toBeLessThan(10_000);
      expect(stderr).toMatch(/engine at 127\.0\.0\.1:\d+ is gone; exiting/);
    } finally {
      plugin.kill("SIGKILL");
    }
  });
});
