import {
  PageCache,
  pageOf,
  pageParams,
  ABSENT,
} from "../../../provider/core/client/batching/pageCache";
import { JsonValue } from "../../../provider/core/schema/spec";

const LIST = "biconnector.connector.list";
const items = (ids: number[]): JsonValue => ids.map((id) => ({ id: String(id), title: `c${id}` }));
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("list pages: what one page answer proves", () => {
  test("a full page from an id proves the ids it spans; a short one proves the rest of the list", () => {
    const full = pageOf({ from: 10 }, items(range(10, 50).map((id) => id * 2 - 10)));
    expect(full.covers(10)).toBe(true);
    expect(full.covers(11)).toBe(true); // absent, and provably so
    expect(full.items.has(11)).toBe(false);
    expect(full.covers(108)).toBe(true);
    expect(full.covers(109)).toBe(false); // beyond the page: the next page may hold it
    expect(full.covers(9)).toBe(false);
    const short = pageOf({ from: 10 }, items([10, 12]));
    expect(short.covers(1_000_000)).toBe(true);
  });

  test("the newest page: a full one proves ids from its smallest up; a short one proves everything", () => {
    const full = pageOf({ newest: true }, items(range(51, 50).reverse()));
    expect([full.covers(50), full.covers(51), full.covers(500)]).toEqual([false, true, true]);
    expect(pageOf({ newest: true }, items([3, 1])).covers(2)).toBe(true);
  });

  test("a page of given ids proves exactly those", () => {
    const p = pageOf({ ids: [4, 5] }, items([4]));
    expect([p.covers(4), p.covers(5), p.covers(6)]).toEqual([true, true, false]);
    expect(p.items.has(5)).toBe(false);
  });

  test("a page that contradicts its query (a portal that ignored the filter) proves nothing", () => {
    expect(pageOf({ from: 10 }, items([3, 10])).covers(10)).toBe(false);
    expect(pageOf({ ids: [4] }, items([4, 9])).covers(4)).toBe(false);
    expect(pageOf({ from: 1 }, { error: "x" }).covers(1)).toBe(false);
  });

  test("the params say the order: lists have no default one", () => {
    expect(pageParams({ from: 7 })).toEqual({ filter: { ">=id": 7 }, order: { id: "ASC" } });
    expect(pageParams({ newest: true })).toEqual({ order: { id: "DESC" } });
    expect(pageParams({ ids: [1, 2] })).toEqual({
      filter: { "@id": [1, 2] },
      order: { id: "ASC" },
    });
  });
});

describe("page cache", () => {
  test("reads that arrive together share one page; the next wave is served from it", async () => {
    const cache = new PageCache();
    const fetched: unknown[] = [];
    const fetchPage = async (q: unknown) => {
      fetched.push(q);
      return items(range(1, 50));
    };
    const wave1 = await Promise.all(range(1, 16).map((id) => cache.read(LIST, id, fetchPage)));
    const wave2 = await Promise.all(range(17, 16).map((id) => cache.read(LIST, id, fetchPage)));
    expect(fetched).toEqual([{ from: 1 }]);
    expect([...wave1, ...wave2].map((r) => r?.title)).toEqual(range(1, 32).map((i) => `c${i}`));
  });

  test("an id the page proves absent reads as null (gone); one it cannot tell about asks again", async () => {
    const cache = new PageCache();
    const fetchPage = async () => items([3, 4]);
    expect(await cache.read(LIST, 2, fetchPage)).toBeNull();
    const unsure = new PageCache();
    expect(await unsure.read(LIST, 2, async () => items([1]))).toBeUndefined(); // filter ignored
  });

  test("any write drops the pages; a page answered across a write serves its waiters but is not kept", async () => {
    const cache = new PageCache();
    let calls = 0;
    const fetchPage = async () => {
      calls++;
      return items([1, 2]);
    };
    await cache.read(LIST, 1, fetchPage);
    cache.invalidate();
    await cache.read(LIST, 1, fetchPage);
    expect(calls).toBe(2);
    cache.invalidate();
    let answer: (v: JsonValue) => void = () => {};
    const slow = () => new Promise<JsonValue>((r) => (answer = r));
    const reading = cache.read(LIST, 5, slow);
    cache.invalidate(); // a write starts while the page is on its way
    answer(items([5]));
    expect((await reading)?.title).toBe("c5");
    expect(cache.lookup(LIST, 5)).toBeUndefined();
  });

  test("pages live a few seconds only", async () => {
    let now = 1_000;
    const cache = new PageCache(5_000, () => now);
    await cache.read(LIST, 1, async () => items([1]));
    now += 4_999;
    expect(cache.lookup(LIST, 1)).toMatchObject({ title: "c1" });
    now += 2;
    expect(cache.lookup(LIST, 1)).toBeUndefined();
  });
});

describe("reading ahead with get (objects whose list items lack fields, e.g. table columns)", () => {
  const TABLES = "biconnector.table.list";
  const GET = "biconnector.table.get";
  const notFound = (e: unknown) => e === "DATASET_NOT_FOUND";
  const settle = () => new Promise((r) => setImmediate(r));

  test("a miss gets its object and lists the page after it; the listed ones are got ahead, once", async () => {
    const cache = new PageCache();
    const asked: number[] = [];
    const pages: unknown[] = [];
    const fetchPage = async (q: unknown) => {
      pages.push(q);
      return items([5, 16, 27, 38]); // sparse ids: the list says which exist
    };
    const get = async (id: number) => {
      asked.push(id);
      return { item: { id } };
    };
    expect(await cache.readAhead(TABLES, GET, 5, fetchPage, get, notFound)).toEqual({
      item: { id: 5 },
    });
    await settle();
    expect(pages).toEqual([{ from: 5 }]);
    expect(asked.sort((a, b) => a - b)).toEqual([5, 16, 27, 38]);
    const next = await Promise.all(
      [16, 27, 38].map((id) => cache.readAhead(TABLES, GET, id, fetchPage, get, notFound)),
    );
    expect(next).toEqual([{ item: { id: 16 } }, { item: { id: 27 } }, { item: { id: 38 } }]);
    expect(asked).toHaveLength(4); // nothing asked twice
    expect(pages).toHaveLength(1);
  });

  test("the object's own get decides: not found is null, another error is its own", async () => {
    const cache = new PageCache();
    const fetchPage = async () => items([]);
    const gone = async () => {
      throw "DATASET_NOT_FOUND";
    };
    expect(await cache.readAhead(TABLES, GET, 3, fetchPage, gone, notFound)).toBe(ABSENT);
    const denied = async () => {
      throw new Error("ACCESS_DENIED");
    };
    await expect(
      new PageCache().readAhead(TABLES, GET, 3, fetchPage, denied, notFound),
    ).rejects.toThrow("ACCESS_DENIED");
  });

  test("a write drops what was read ahead", async () => {
    const cache = new PageCache();
    let calls = 0;
    const get = async (id: number) => {
      calls++;
      return { item: { id } };
    };
    const fetchPage = async () => items([7, 8]);
    await cache.readAhead(TABLES, GET, 7, fetchPage, get, notFound);
    await settle();
    expect(calls).toBe(2);
    cache.invalidate();
    await cache.readAhead(TABLES, GET, 8, fetchPage, get, notFound);
    expect(calls).toBe(3);
  });
});

test("a get whose answer is null is kept as that answer, never as 'does not exist'", async () => {
  const cache = new PageCache();
  const fetchPage = async () => [];
  const result = await cache.readAhead(
    "biconnector.table.list",
    "biconnector.table.get",
    3,
    fetchPage,
    async () => null,
    () => false,
  );
  expect(result).toBeNull();
  expect(result).not.toBe(ABSENT);
});
