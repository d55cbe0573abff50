// Token stores with real processes: several provider processes on one file, and the command store
// (it runs the configured command). The in-process cases are in tests/unit/tokenStores.test.ts.
import { execFile, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { registerSecret } from "../../provider/core/errors/redact";
import { TokenStoreConflictError } from "../../provider/core/client/stores/tokenStore";
import { CommandTokenStore, FileTokenStore } from "../../provider/core/client/stores";
import { tempDir } from "../helpers/portal";
import { REPO } from "../lifecycle/program";

import { pair } from "../helpers/tokenPairs";

describe("file token store across processes", () => {
  test("a process killed while it held the file's lock: the next write waits it out and lands (issue 35)", async () => {
    const file = path.join(tempDir("b24-store-"), "tokens.json");
    const stores = path.join(REPO, "dist", "provider", "core", "client", "stores");
    // Takes the file's lock, says so, and hangs: killed there, as a deployment killed halfway.
    const script = `
      const { withLock } = require(${JSON.stringify(path.join(stores, "lock"))});
      withLock(process.argv[1] + ".lock", 1000, "test", () => {
        console.log("locked");
        return new Promise(() => {});
      });`;
    const holder = spawn(process.execPath, ["-e", script, file], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise((r) => holder.stdout.once("data", r));
    holder.kill("SIGKILL");
    const started = Date.now();
    const store = new FileTokenStore(file);
    await store.writeOther("BITRIX24_CREATES_TEST", { version: 1, creates: {} });
    expect(await store.readOther("BITRIX24_CREATES_TEST")).toEqual({ version: 1, creates: {} });
    console.log(`a write after its lock's holder was killed: ${Date.now() - started} ms`);
  }, 60_000);

  test("4 processes saving entries of different portals to one file: no entry regresses", async () => {
    const file = path.join(tempDir("b24-store-"), "tokens.json");
    const dist = path.join(REPO, "dist", "provider", "core", "client", "stores");
    // Each process saves its own entry 15 times, each save a read-modify-write of the whole file.
    const script = `
      const { FileTokenStore } = require(${JSON.stringify(dist)});
      const store = new FileTokenStore(process.argv[1]);
      const key = process.argv[2];
      (async () => {
        for (let n = 1; n <= 15; n++)
          await store.withEntry(key, 20000, (e) => e.write({ version: 1, portal: "", clientId: "",
            accessToken: key + "-access-" + n, refreshToken: key + "-refresh-" + n, expires: n,
            origin: "o", updatedAt: "" }));
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const codes = await Promise.all(
      ["P0", "P1", "P2", "P3"].map(
        (key) =>
          new Promise<number | null>((resolve) =>
            execFile(process.execPath, ["-e", script, file, key], (err) =>
              resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
            ),
          ),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const all = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const key of ["P0", "P1", "P2", "P3"])
      expect(all[key].accessToken).toBe(`${key}-access-15`);
  });
});

/** A command store backed by a file, with check-and-set on the sha256 of what `get` printed. */
function casScript(dir: string): string {
  const script = path.join(dir, "store.sh");
  fs.writeFileSync(
    script,
    `#!/bin/sh
f="${dir}/$BITRIX24_TOKEN_KEY"
case "$1" in
  get) [ -f "$f" ] && cat "$f"; exit 0 ;;
  store)
    echo "expected=[$BITRIX24_TOKEN_EXPECTED_SHA256]" >> "${dir}/log"
    if [ -s "$f" ]; then cur=$(sha256sum "$f" | cut -d' ' -f1); else cur=""; fi
    [ "$cur" = "$BITRIX24_TOKEN_EXPECTED_SHA256" ] || exit 3
    cat > "$f.tmp" && mv "$f.tmp" "$f" ;;
  *) exit 2 ;;
esac
`,
    { mode: 0o755 },
  );
  return script;
}

describe("command token store", () => {
  test("get/store protocol: key in the env, expected sha256 of exactly what get printed ('' when nothing)", async () => {
    const dir = tempDir("b24-cmd-");
    const store = new CommandTokenStore(casScript(dir), 5000, path.join(dir, "locks"));
    expect(await store.read("KEY1")).toBeUndefined();
    await store.withEntry("KEY1", 1000, async (e) => {
      await e.read();
      await e.proveWritable();
      await e.write(pair(1));
    });
    const text = fs.readFileSync(path.join(dir, "KEY1"), "utf8");
    expect(JSON.parse(text)).toEqual(pair(1));
    expect(await store.read("KEY1")).toEqual(pair(1));
    await store.withEntry("KEY1", 1000, async (e) => {
      await e.read();
      await e.write(pair(2));
    });
    const sha = createHash("sha256").update(text).digest("hex");
    expect(fs.readFileSync(path.join(dir, "log"), "utf8").trim().split("\n")).toEqual([
      "expected=[]",
      "expected=[]",
      `expected=[${sha}]`,
    ]);
  });

  test("exit status 3 is a conflict; get again gives the newer text", async () => {
    const dir = tempDir("b24-cmd-");
    const store = new CommandTokenStore(casScript(dir), 5000, path.join(dir, "locks"));
    await store.withEntry("K", 1000, async (e) => {
      await e.read();
      fs.writeFileSync(path.join(dir, "K"), JSON.stringify(pair(7)));
      await expect(e.write(pair(1))).rejects.toThrow(TokenStoreConflictError);
      expect(await e.read()).toEqual(pair(7));
      await e.write(pair(8));
    });
    expect(await store.read("K")).toEqual(pair(8));
  });

  test("another non-zero status: a failure with the command's stderr, redacted", async () => {
    registerSecret("very-secret-value-42");
    const store = new CommandTokenStore(
      "echo 'vault: permission denied for very-secret-value-42' >&2; exit 1 #",
      5000,
      tempDir("b24-locks-"),
    );
    const err = await store.read("K").catch((e: Error) => e);
    expect(String(err)).toMatch(
      /failed on `get` with exit status 1: vault: permission denied for \*\*\*/,
    );
    expect(String(err)).not.toContain("very-secret-value-42");
  });

  test("a command that hangs is stopped after the timeout", async () => {
    const started = Date.now();
    const store = new CommandTokenStore("sleep 30 #", 300, tempDir("b24-locks-"));
    await expect(store.read("K")).rejects.toThrow(/did not finish within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("text that is not a stored pair is refused without echoing it", async () => {
    const dir = tempDir("b24-cmd-");
    fs.writeFileSync(path.join(dir, "K"), '["tok-abcdef"]');
    const store = new CommandTokenStore(casScript(dir), 5000, path.join(dir, "locks"));
    const err = await store.read("K").catch((e: Error) => e);
    expect(String(err)).toMatch(/is not a stored token pair/);
    expect(String(err)).not.toContain("tok-abcdef");
  });
});
