import { CreateJournal } from "../../provider/core/client/journal/createJournal";
import { TokenStore } from "../../provider/core/client/stores/tokenStore";

/** A token store in memory that counts the writes of other entries and can be made to fail. */
function memoryStore() {
  const entries = new Map<string, unknown>();
  const counts = { reads: 0, writes: 0 };
  let failWrites = false;
  const store: TokenStore = {
    kind: "file",
    description: "memory",
    read: async () => undefined,
    withEntry: async () => {
      throw new Error("not used");
    },
    readOther: async (key) => (counts.reads++, structuredClone(entries.get(key))),
    writeOther: async (key, value) => {
      await new Promise((r) => setTimeout(r, 5)); // a write takes a moment
      if (failWrites) throw new Error("disk full");
      counts.writes++;
      if (value === undefined) entries.delete(key);
      else entries.set(key, structuredClone(value));
    },
  };
  return { store, entries, counts, failWrites: (v: boolean) => (failWrites = v) };
}

const urn = (stack: string, name: string) =>
  `urn:pulumi:${stack}::proj::bitrix24:index:Connector::${name}`;
const PORTAL = "https://portal.example.com";

describe("the record of creates in flight (issue 35)", () => {
  test("what a run records, the next run (a new process on the same store) finds", async () => {
    const m = memoryStore();
    const first = new CreateJournal(() => m.store, PORTAL);
    await first.of(urn("dev", "a")).begin("connector");
    await first.of(urn("dev", "b")).begin("connector");
    await first.of(urn("dev", "b")).answered("connector", 17);
    const next = new CreateJournal(() => m.store, PORTAL);
    expect(await next.of(urn("dev", "a")).find()).toMatchObject({ object: "connector" });
    expect((await next.of(urn("dev", "a")).find())?.id).toBeUndefined();
    expect(await next.of(urn("dev", "b")).find()).toMatchObject({ object: "connector", id: 17 });
    expect(await next.of(urn("dev", "c")).find()).toBeUndefined();
    // Another stack, another portal: other entries.
    expect(await next.of(urn("prod", "b")).find()).toBeUndefined();
    expect(
      await new CreateJournal(() => m.store, "https://other.example.com")
        .of(urn("dev", "b"))
        .find(),
    ).toBeUndefined();
  });

  test("one store read per stack and process; the creates of one wave share their writes", async () => {
    const m = memoryStore();
    const j = new CreateJournal(() => m.store, PORTAL);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => j.of(urn("dev", `c${i}`)).begin("connector")),
    );
    expect(m.counts.reads).toBe(1);
    expect(m.counts.writes).toBeLessThanOrEqual(2);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => j.of(urn("dev", `c${i}`)).answered("connector", i + 1)),
    );
    expect(m.counts.writes).toBeLessThanOrEqual(4);
    const fresh = new CreateJournal(() => m.store, PORTAL);
    for (let i = 0; i < 50; i++)
      expect((await fresh.of(urn("dev", `c${i}`)).find())?.id).toBe(i + 1);
  });

  test("held ends a record only for the id it names (a replacement's create keeps its own)", async () => {
    const m = memoryStore();
    const j = new CreateJournal(() => m.store, PORTAL);
    const r = j.of(urn("dev", "a"));
    await r.answered("connector", 17);
    await r.held("12"); // the engine holds the old object of a replace: not this record's
    expect((await r.find())?.id).toBe(17);
    await r.held("17");
    expect(await r.find()).toBeUndefined();
    expect(m.entries.size).toBe(0); // an empty entry is removed, not kept
    const before = m.counts.writes;
    await r.held("17"); // nothing to end: no write
    expect(m.counts.writes).toBe(before);
  });

  test("a write that fails fails the begin that waits for it (nothing may be sent then)", async () => {
    const m = memoryStore();
    const j = new CreateJournal(() => m.store, PORTAL);
    m.failWrites(true);
    await expect(j.of(urn("dev", "a")).begin("connector")).rejects.toThrow(/disk full/);
    m.failWrites(false);
    await j.of(urn("dev", "b")).begin("connector");
    expect(await new CreateJournal(() => m.store, PORTAL).of(urn("dev", "b")).find()).toBeDefined();
  });
});
