import * as fs from "fs";
import * as path from "path";
import { tokenKey } from "../../provider/core/client/stores/tokenStore";
import { FileTokenStore, openTokenStore } from "../../provider/core/client/stores";
import { tempDir } from "../helpers/portal";
import { pair } from "../helpers/tokenPairs";

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

describe("openTokenStore", () => {
  test("openTokenStore: command: prefix, else a file path with ~ expanded", () => {
    expect(openTokenStore("command:vault-store", 1000).description).toBe('command "vault-store"');
    expect(openTokenStore("~/t.json", 1000).description).toMatch(/^file \/.*\/t\.json$/);
    expect(tokenKey("https://a.example.com/rest/", "app")).toBe(
      tokenKey("https://a.example.com", "app"),
    );
    expect(tokenKey("https://a.example.com", "app")).toMatch(/^BITRIX24_TOKENS_[0-9A-F]{20}$/);
  });
});
