import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator } from "bitrix24-biconnector-emulator";
import { wrap } from "../tests/lifecycle/engine/secrets";
import { PluginProcess, engineStub } from "../tests/plugin/pluginProcess";

/**
 * The native plugin's start, as the engine sees it (issue 36): from spawning the plugin to its
 * port line, then to the answer of its first Configure. Three forms, each `runs` times, the median:
 * the single executable of the release (Node 24 inside), the npm package's bin
 * (dist/provider/plugin/main.js) on the same Node 24, and the one-file bundle (darwin-arm64's
 * launcher) on that Node too. The machine's own Node is shown for the npm bin as well.
 */
const ROOT = path.resolve(__dirname, "..", "..");

interface Form {
  name: string;
  cmd: string;
  args: string[];
}

/** The middle of `xs` (the upper one of two). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The linux-amd64 single executable, the bundle and a Node 24 binary, from a release of that target. */
function releaseForms(): Form[] {
  const out = path.join(ROOT, "build", "bench", "release");
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "scripts", "release.js"),
      "--targets",
      "linux-amd64,darwin-arm64",
      "--no-packages",
      "--out",
      out,
    ],
    { stdio: "ignore", timeout: 600_000 },
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "b24-bench-start-"));
  for (const archive of fs.readdirSync(out).filter((f) => f.endsWith(".tar.gz"))) {
    const into = path.join(dir, archive.includes("linux") ? "sea" : "bundle");
    fs.mkdirSync(into);
    execFileSync("tar", ["-xzf", path.join(out, archive), "-C", into]);
  }
  /* eslint-disable @typescript-eslint/no-require-imports -- the release's own tables */
  const targets = require(path.join(ROOT, "scripts", "release", "targets.js")) as {
    TARGETS: { os: string; arch: string; node?: string }[];
  };
  const { nodePackage } = require(path.join(ROOT, "scripts", "release", "sea.js")) as {
    nodePackage(spec: string, cache: string): string;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const spec = targets.TARGETS.find((t) => t.os === "linux" && t.arch === "amd64")?.node as string;
  const node24 = path.join(
    nodePackage(spec, path.join(ROOT, "build", "release-cache")),
    "bin",
    "node",
  );
  const main = path.join(ROOT, "dist", "provider", "plugin", "main.js");
  const version = execFileSync(node24, ["--version"], { encoding: "utf8" }).trim();
  return [
    {
      name: `single executable (${version} inside)`,
      cmd: path.join(dir, "sea", "pulumi-resource-bitrix24"),
      args: [],
    },
    { name: `npm bin on node ${version}`, cmd: node24, args: [main] },
    {
      name: `npm bin on node ${process.version} (this machine's)`,
      cmd: process.execPath,
      args: [main],
    },
    {
      name: `bundle on node ${version}`,
      cmd: node24,
      args: [path.join(dir, "bundle", "pulumi-resource-bitrix24.js")],
    },
  ];
}

export async function pluginStartRun(runs: number): Promise<string[]> {
  const emu = await startEmulator({ rateLimit: false });
  const engine = await engineStub();
  const s = emu.providerSettings(path.join(os.tmpdir(), "b24-bench-start-tokens.json"));
  const lines: string[] = [];
  try {
    for (const form of releaseForms()) {
      const toPort: number[] = [];
      const toConfigure: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const plugin = await PluginProcess.start(
          form.cmd,
          [...form.args, engine.addr],
          { PATH: "/usr/bin:/bin", HOME: os.tmpdir() },
          os.tmpdir(),
        );
        toPort.push(performance.now() - started);
        await plugin.configure(
          { "bitrix24:config:portalUrl": s.portalUrl, "bitrix24:config:oauthUrl": s.oauthUrl },
          {
            portalUrl: s.portalUrl,
            oauthUrl: s.oauthUrl,
            clientId: s.clientId,
            clientSecret: wrap(s.clientSecret as string),
            refreshToken: wrap(s.refreshToken as string),
            version: "0.1.0",
          },
        );
        toConfigure.push(performance.now() - started);
        await plugin.stop();
      }
      lines.push(
        `${form.name.padEnd(48)} port line ${median(toPort).toFixed(0).padStart(5)} ms, first Configure answered ${median(toConfigure).toFixed(0).padStart(5)} ms`,
      );
    }
  } finally {
    engine.stop();
    await emu.close();
  }
  return lines;
}
