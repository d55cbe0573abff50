import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { registerSecret } from "../../provider/client/redact";
import { StoredTokens, TokenStoreConflictError, tokenKey } from "../../provider/client/tokenStore";
import {
  CommandTokenStore,
  FileTokenStore,
  openTokenStore,
} from "../../provider/client/tokenStores";
import { tempDir } from "../helpers/portal";
import { REPO } from "../lifecycle/program";

const pair = (n: number, portal = "https://a.example.com"): StoredTokens => ({
  version: 1,
  portal,
  clientId: "local.app",
  accessToken: `access-token-${n}`,
  refreshToken: `refresh-token-${n}`,
  expires: 2_000_000_000 + n,
  origin: "f".repeat(64),
  updatedAt: new Date(0).toISOString(),
});

describe("file token store", () => {
  test("writes mode 0600, atomically, and keeps other entries", async () => {
    const file = path.join(tempDir("b24-store-"), "sub", "tokens.json");
    const store = new FileTokenStore(file);
    await store.withEntry("A", 1000, (e) => e.write(pair(1)));
    await store.withEntry("B", 1000, (e) => e.write(pair(2)));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.read("A")).toEqual(pair(1));
    expect(await store.read("B")).toEqual(pair(2));
    // No temporary or lock files left behind.
    expect(fs.readdirSync(path.dirname(file))).toEqual(["tokens.json"]);
  });

  test("concurrent saves of different entries never regress one another", async () => {
    const file = path.join(tempDir("b24-store-"), "tokens.json");
    const stores = Array.from({ length: 4 }, () => new FileTokenStore(file));
    // Keys in parallel (4 "processes"), each key's saves in order.
    await Promise.all(
      stores.map(async (s, i) => {
        for (const round of [1, 2, 3])
          await s.withEntry(`K${i}`, 5000, (e) => e.write(pair(i * 10 + round)));
      }),
    );
    const all = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(Object.keys(all).sort()).toEqual(["K0", "K1", "K2", "K3"]);
    for (let i = 0; i < 4; i++) expect(all[`K${i}`].accessToken).toBe(`access-token-${i * 10 + 3}`);
  });

  test("4 processes saving entries of different portals to one file: no entry regresses", async () => {
    const file = path.join(tempDir("b24-store-"), "tokens.json");
    const dist = path.join(REPO, "dist", "provider", "client", "tokenStores");
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

  test.each([
    ["[]", "an array"],
    ['"text"', "string"],
    ["not json", "text that is not JSON"],
  ])(
    "a file holding %s is an error naming the file, and it is never written over",
    async (text, found) => {
      const file = path.join(tempDir("b24-store-"), "tokens.json");
      fs.writeFileSync(file, text);
      const store = new FileTokenStore(file);
      await expect(store.read("A")).rejects.toThrow(new RegExp(`${file}.*found ${found}`));
      await expect(store.withEntry("A", 1000, (e) => e.write(pair(1)))).rejects.toThrow(file);
      await expect(store.withEntry("A", 1000, (e) => e.proveWritable())).rejects.toThrow(file);
      expect(fs.readFileSync(file, "utf8")).toBe(text);
    },
  );

  test("a store whose folder cannot be made: the proving write fails naming the store", async () => {
    const blocker = path.join(tempDir("b24-store-"), "plain-file");
    fs.writeFileSync(blocker, "");
    const store = new FileTokenStore(path.join(blocker, "tokens.json"));
    await expect(store.withEntry("A", 1000, (e) => e.proveWritable())).rejects.toThrow(
      /plain-file\/tokens\.json/,
    );
  });

  test("the entry lock excludes a second holder until released", async () => {
    const file = path.join(tempDir("b24-store-"), "tokens.json");
    const store = new FileTokenStore(file);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = store.withEntry("A", 5000, async () => {
      order.push("first in");
      await held;
      order.push("first out");
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = store.withEntry("A", 5000, async () => void order.push("second in"));
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(["first in"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first in", "first out", "second in"]);
  });

  test("a lock held too long: a bounded wait and an error that names the lock", async () => {
    const file = path.join(tempDir("b24-store-"), "tokens.json");
    const store = new FileTokenStore(file);
    let release!: () => void;
    const held = store.withEntry("A", 1000, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    await expect(store.withEntry("A", 300, async () => undefined)).rejects.toThrow(
      /tokens\.json\.A\.lock.*more than 0 s/,
    );
    release();
    await held;
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

  test("openTokenStore: command: prefix, else a file path with ~ expanded", () => {
    expect(openTokenStore("command:vault-store", 1000).description).toBe('command "vault-store"');
    expect(openTokenStore("~/t.json", 1000).description).toMatch(/^file \/.*\/t\.json$/);
    expect(tokenKey("https://a.example.com/rest/", "app")).toBe(
      tokenKey("https://a.example.com", "app"),
    );
    expect(tokenKey("https://a.example.com", "app")).toMatch(/^BITRIX24_TOKENS_[0-9A-F]{20}$/);
  });
});
