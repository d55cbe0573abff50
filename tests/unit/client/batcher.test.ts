import * as qs from "qs";
import { createClient } from "../../../provider/core/client/processWide";
import {
  fakeTransport,
  lost,
  methodOf,
  moduleError,
  ok,
  portalScript,
  systemError,
} from "../../helpers/fakeTransport";
import { COALESCE_WINDOW_MS } from "../../../provider/core/client/batching/batcher";
import { MAX_URL_CHECKS_PER_BATCH } from "../../../provider/core/client/batching/batchCommands";
import { Bitrix24TransportError } from "../../../provider/core/errors/errors";
import { FEW_ATTEMPTS } from "../../../provider/core/client/retry/verdicts";
import { testSettings } from "../../helpers/settings";
import { HttpRequest } from "../../../provider/core/client/transport/transport";

const GET = "biconnector.connector.get";
const ADD = "biconnector.connector.add";
const LIST = "biconnector.connector.list";

type BatchBody = { cmd: Record<string, string> };
const commands = (r: HttpRequest) => Object.values((r.json as BatchBody).cmd);
/** Answers each command of a batch as the real module does (errors as data under result[key]). */
const batchOf =
  (
    answer: (id: number, method: string, params: qs.ParsedQs) => unknown,
    transportErrors: Record<string, unknown> = {},
  ) =>
  (req: HttpRequest) => {
    const result: Record<string, unknown> = {};
    for (const [key, cmd] of Object.entries((req.json as BatchBody).cmd)) {
      if (key in transportErrors) continue;
      const [method, query = ""] = cmd.split("?");
      const params = qs.parse(query);
      result[key] = answer(Number(params.id), method, params);
    }
    return ok({
      result,
      result_error: transportErrors,
      result_total: [],
      result_next: [],
      result_time: {},
    });
  };

describe("batcher", () => {
  test("calls made together travel as one batch request with one command each", async () => {
    const t = fakeTransport(portalScript({ batch: batchOf((id) => ({ item: { id } })) }));
    const op = createClient(testSettings(), { transport: t }).operation();
    const results = await Promise.all([1, 2, 3].map((id) => op.callCoalesced(GET, { id })));
    expect(results).toEqual([{ item: { id: 1 } }, { item: { id: 2 } }, { item: { id: 3 } }]);
    expect(t.requests.map(methodOf)).toEqual(["batch"]);
    expect(commands(t.requests[0])).toEqual([`${GET}?id=1`, `${GET}?id=2`, `${GET}?id=3`]);
  });

  test("more than 50 at once: batches of at most 50 commands", async () => {
    const t = fakeTransport(portalScript({ batch: batchOf((id) => ({ item: { id } })) }));
    const op = createClient(testSettings(), { transport: t }).operation();
    await Promise.all(Array.from({ length: 120 }, (_, i) => op.callCoalesced(GET, { id: i + 1 })));
    expect(t.requests.map((r) => commands(r).length).sort()).toEqual([20, 50, 50]);
  });

  test("a command's module error fails only that command", async () => {
    // The module's errors are data: result[key] = {error: {error, error_description}}.
    const notFound = {
      error: { error: "CONNECTOR_NOT_FOUND", error_description: "Connector was not found." },
    };
    const t = fakeTransport(
      portalScript({ batch: batchOf((id) => (id === 2 ? notFound : { item: { id } })) }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const settled = await Promise.allSettled([1, 2, 3].map((id) => op.callCoalesced(GET, { id })));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({
      method: GET,
      code: "CONNECTOR_NOT_FOUND",
    });
  });

  test("a method refused inside batch (result_error) is sent on its own, now and later", async () => {
    const refused = { c0: { error: "ERROR_BATCH_METHOD_NOT_ALLOWED", error_description: "no" } };
    const t = fakeTransport(
      portalScript({
        batch: batchOf((id) => ({ item: { id } }), { ...refused, c1: refused.c0 }),
        [GET]: (req) => ok({ item: { id: (req.json as { id: number }).id } }),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    await Promise.all([1, 2].map((id) => op.callCoalesced(GET, { id })));
    await Promise.all([3, 4].map((id) => op.callCoalesced(GET, { id })));
    expect(t.requests.map(methodOf)).toEqual(["batch", GET, GET, GET, GET]);
  });

  test("a command the batch did not run (no key in result) is asked again on its own", async () => {
    const t = fakeTransport(
      portalScript({
        batch: () => ok({ result: { c0: { item: { id: 1 } } }, result_error: {} }),
        [GET]: () => ok({ item: { id: 2 } }),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const r = await Promise.all([1, 2].map((id) => op.callCoalesced(GET, { id })));
    expect(r).toEqual([{ item: { id: 1 } }, { item: { id: 2 } }]);
  });

  test("a command's error in the flat form ({error, error_description}) is its own too", async () => {
    const t = fakeTransport(
      portalScript({
        batch: batchOf((id) =>
          id === 1
            ? { error: "SOURCE_NOT_FOUND", error_description: "Source was not found." }
            : true,
        ),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const settled = await Promise.allSettled(
      [1, 2].map((id) => op.callCoalesced("biconnector.source.delete", { id })),
    );
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({
      method: "biconnector.source.delete",
      code: "SOURCE_NOT_FOUND",
    });
    expect(settled[1]).toEqual({ status: "fulfilled", value: true });
  });

  test("writes travel together: add, update, delete and fields.update, each with its own result", async () => {
    const t = fakeTransport(
      portalScript({
        batch: batchOf((id, method) => (method.endsWith(".add") ? { id: 41 } : true)),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const results = await Promise.all([
      op.callCoalesced(ADD, { fields: { title: "a" } }),
      op.callCoalesced("biconnector.connector.update", { id: 2, fields: { title: "b" } }),
      op.callCoalesced("biconnector.connector.delete", { id: 3 }),
      op.callCoalesced("biconnector.table.fields.update", { id: 4, delete: [7] }),
    ]);
    expect(results).toEqual([{ id: 41 }, true, true, true]);
    expect(t.requests.map(methodOf)).toEqual(["batch"]);
    expect(commands(t.requests[0]).map((c) => c.split("?")[0])).toEqual([
      ADD,
      "biconnector.connector.update",
      "biconnector.connector.delete",
      "biconnector.table.fields.update",
    ]);
  });

  test("a call with a boolean anywhere in its params goes alone, as JSON (booleans stay booleans)", async () => {
    const t = fakeTransport(
      portalScript({
        batch: batchOf(() => true),
        "biconnector.table.fields.update": () => ok(true),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const hide = { id: 4, update: [{ id: 9, visible: false }] };
    await Promise.all([
      op.callCoalesced("biconnector.table.fields.update", hide),
      op.callCoalesced("biconnector.connector.delete", { id: 1 }),
      op.callCoalesced("biconnector.connector.delete", { id: 2 }),
    ]);
    expect(t.requests.map(methodOf).sort()).toEqual(["batch", "biconnector.table.fields.update"]);
    const alone = t.requests.find((r) => methodOf(r) !== "batch");
    expect(alone?.json).toMatchObject(hide);
    expect(commands(t.requests.find((r) => methodOf(r) === "batch")!)).toHaveLength(2);
  });

  test("at most 5 source adds or updates share one batch: each makes the portal call urlCheck", async () => {
    const t = fakeTransport(
      portalScript({
        batch: batchOf((_id, method) => (method.endsWith(".add") ? { id: 1 } : true)),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) =>
        op.callCoalesced("biconnector.source.add", { fields: { title: `s${i}` } }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        op.callCoalesced("biconnector.source.update", { id: i + 1, fields: { title: "x" } }),
      ),
      ...Array.from({ length: 10 }, (_, i) => op.callCoalesced(GET, { id: i + 1 })),
    ]);
    const checks = t.requests.map(
      (r) => commands(r).filter((c) => /^biconnector\.source\.(add|update)\?/.test(c)).length,
    );
    expect(checks.every((n) => n <= MAX_URL_CHECKS_PER_BATCH)).toBe(true);
    expect(checks.reduce((a, b) => a + b, 0)).toBe(12);
    expect(t.requests).toHaveLength(3); // 12 checks need 3 batches; the gets ride along
  });

  test("a lost answer of a batch with adds: each add reports the ambiguity, the others are sent again", async () => {
    let batches = 0;
    const t = fakeTransport(
      portalScript({
        batch: (req) => {
          if (++batches === 1) lost("batch");
          return batchOf(() => true)(req);
        },
        "biconnector.connector.update": () => ok(true), // sent again alone: it is alone now
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const [add, update] = await Promise.allSettled([
      op.callCoalesced(ADD, { fields: { title: "a" } }),
      op.callCoalesced("biconnector.connector.update", { id: 2, fields: { title: "b" } }),
    ]);
    // the add may have been applied: its caller reconciles (Operation.addOnce), nothing re-sends it
    expect((add as PromiseRejectedResult).reason).toBeInstanceOf(Bitrix24TransportError);
    expect((add as PromiseRejectedResult).reason).toMatchObject({ method: ADD });
    expect(update).toEqual({ status: "fulfilled", value: true });
    expect(commands(t.requests[0]).map((c) => c.split("?")[0])).toEqual([
      ADD,
      "biconnector.connector.update",
    ]);
    expect(t.requests.slice(1).map(methodOf)).toEqual(["biconnector.connector.update"]);
    expect(t.requests).toHaveLength(2);
    expect(JSON.stringify(t.requests[1].json)).not.toContain(ADD);
  });

  test("a batch of reads and deletes only is repeated as a whole after a lost answer", async () => {
    let batches = 0;
    const t = fakeTransport(
      portalScript({
        batch: (req) => {
          if (++batches === 1) lost("batch");
          return batchOf(() => true)(req);
        },
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    await Promise.all([1, 2, 3].map((id) => op.callCoalesced("biconnector.source.delete", { id })));
    expect(t.requests.map(methodOf)).toEqual(["batch", "batch"]);
    expect(t.requests[1].json).toEqual(t.requests[0].json);
  });

  test("a command's retryable error (connection check) on an add: the add's caller repeats it, a few times, each time after looking for what it made", async () => {
    const refused = {
      error: {
        error: "SOURCE_CREATE_CONNECTION_ERROR",
        error_description: "Cannot create connection.",
      },
    };
    const t = fakeTransport(
      portalScript({
        batch: batchOf((_id, method) => (method.endsWith(".add") ? refused : true)),
        "biconnector.source.add": () =>
          moduleError(refused.error.error, refused.error.error_description),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const log: string[] = [];
    const [add] = await Promise.allSettled([
      op.addOnce(
        "biconnector.source.add",
        () => {
          log.push("add");
          return op.callCoalesced("biconnector.source.add", { fields: { title: "s" } });
        },
        async () => {
          log.push("look");
          return undefined;
        },
      ),
      op.callCoalesced("biconnector.source.delete", { id: 5 }),
    ]);
    expect((add as PromiseRejectedResult).reason).toMatchObject({
      code: "SOURCE_CREATE_CONNECTION_ERROR",
    });
    // the first attempt rode in the batch with the delete; the repeats went alone; the client
    // itself never repeated the add: every repeat came after a look
    const adds = t.requests.flatMap((r) =>
      methodOf(r) === "batch"
        ? commands(r).filter((c) => c.startsWith("biconnector.source.add"))
        : [methodOf(r)],
    );
    expect(adds).toHaveLength(FEW_ATTEMPTS);
    // …and after the last failure one more look: an object a failed add made is taken, not orphaned
    expect(log).toEqual(["add", "look", "add", "look", "add", "look"]);
  });

  test("an error of the whole batch is each command's, named by the command's method", async () => {
    const t = fakeTransport(() => systemError(403, "ACCESS_DENIED", "Access denied."));
    const op = createClient(testSettings(), { transport: t }).operation();
    const settled = await Promise.allSettled([
      op.callCoalesced(GET, { id: 1 }),
      op.callCoalesced("biconnector.connector.delete", { id: 2 }),
    ]);
    expect(settled.map((s) => (s as PromiseRejectedResult).reason.message)).toEqual([
      expect.stringMatching(/biconnector\.connector\.get failed with ACCESS_DENIED/),
      expect.stringMatching(/biconnector\.connector\.delete failed with ACCESS_DENIED/),
    ]);
  });

  test("a portal without `batch` (method not found): everything goes alone from then on", async () => {
    const t = fakeTransport(
      portalScript({
        batch: () => systemError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"),
        [GET]: (req) => ok({ item: { id: (req.json as { id: number }).id } }),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    await Promise.all([1, 2].map((id) => op.callCoalesced(GET, { id })));
    await Promise.all([3, 4].map((id) => op.callCoalesced(GET, { id })));
    expect(t.requests.map(methodOf)).toEqual(["batch", GET, GET, GET, GET]);
  });

  test("an add may read back the newest list page in the same request; it serves its operation's read", async () => {
    const t = fakeTransport(
      portalScript({
        batch: batchOf((_id, method) =>
          method.endsWith(".add")
            ? { id: 7 }
            : [
                { id: "7", title: "a" },
                { id: "6", title: "b" },
              ],
        ),
      }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const r = await op.callCoalesced(
      ADD,
      { fields: { title: "a" } },
      { list: LIST, query: { newest: true } },
    );
    expect(r).toEqual({ id: 7 });
    expect(commands(t.requests[0])).toEqual([
      expect.stringMatching(/^biconnector\.connector\.add\?/),
      `${LIST}?${qs.stringify({ order: { id: "DESC" } })}`,
    ]);
    expect(await op.readThroughPages(LIST, 7)).toEqual({ id: "7", title: "a" });
    expect(await op.readThroughPages(LIST, 5)).toBeNull(); // a short page: the whole list
    expect(t.requests).toHaveLength(1);
    // another operation does not see it (it may run after edits made in the portal)
    const other = createClient(testSettings(), { transport: t }).operation();
    expect(other).not.toBe(op);
  });

  test("a stream still arriving is collected a little longer: one batch for what a high --parallel hands over in 3 s, none held longer than 3 intervals", async () => {
    jest.useFakeTimers();
    try {
      // A portal 300 ms away; our share of 2 requests/s is one request per second.
      const t = fakeTransport(
        portalScript({
          batch: async (req) => {
            await new Promise((r) => setTimeout(r, 300));
            return batchOf((id) => ({ item: { id } }))(req);
          },
          [GET]: async () => {
            await new Promise((r) => setTimeout(r, 300));
            return ok({ item: { id: 0 } });
          },
        }),
      );
      const op = createClient(testSettings({ rateLimitRps: "2", rateLimitBurst: "50" }), {
        transport: t,
      }).operation();
      // The engine at --parallel 64 hands over a call every 100 ms for 3 s.
      const waited: number[] = [];
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        const start = Date.now();
        calls.push(op.callCoalesced(GET, { id: i }).then(() => waited.push(Date.now() - start)));
        await jest.advanceTimersByTimeAsync(100);
      }
      await jest.advanceTimersByTimeAsync(5_000);
      await Promise.all(calls);
      // The first goes at once, alone; the other 29 wait for one batch (one per second: 4).
      // The first goes at once, alone; the other 29 arrive while it is away or after, together:
      // one batch (paced at one per second without the hold: four; without holding calls that
      // wait together after a lone one's answer: one of three more).
      expect(t.requests.map((r) => (methodOf(r) === "batch" ? commands(r).length : 1))).toEqual([
        1, 29,
      ]);
      expect(Math.max(...waited)).toBeLessThanOrEqual(3 * 1000 + 300 + 100);
    } finally {
      jest.useRealTimers();
    }
  });

  test("a whole wave leaves at once: at --parallel 8 the engine's next 8 calls go as soon as they are all there, not an interval later (issue 38)", async () => {
    jest.useFakeTimers();
    try {
      // A portal 50 ms away; our share of 2 requests/s is one request per second.
      const sentAt: number[] = [];
      const t = fakeTransport(
        portalScript({
          batch: async (req) => {
            sentAt.push(Date.now());
            await new Promise((r) => setTimeout(r, 50));
            return batchOf((id) => ({ item: { id } }))(req);
          },
        }),
      );
      const op = createClient(testSettings({ rateLimitRps: "2", rateLimitBurst: "50" }), {
        transport: t,
      }).operation();
      // The engine at --parallel 8: eight slots, each starting its next operation when one ends.
      const started = Date.now();
      let next = 0;
      const slot = async () => {
        while (next < 44) await op.callCoalesced(GET, { id: next++ });
      };
      const done = Promise.all(Array.from({ length: 8 }, slot));
      await jest.advanceTimersByTimeAsync(10_000);
      await done;
      expect(t.requests.map((r) => commands(r).length)).toEqual([8, 8, 8, 8, 8, 4]);
      // The first wave is held while it may still be arriving; the next four leave as soon as
      // they are whole (one interval apart before: the last left after 4 s).
      expect(sentAt[4] - started).toBeLessThan(1_000);
      // The last, partial wave: once nothing is on its way and nothing arrives for a quarter
      // interval, not a whole interval after the batch before it.
      expect(sentAt[5] - sentAt[4]).toBeLessThan(400);
    } finally {
      jest.useRealTimers();
    }
  });

  test("a lone call waits only the coalescing window before it is sent", async () => {
    jest.useFakeTimers();
    try {
      const t = fakeTransport(() => ok({ item: { id: 1 } }));
      const op = createClient(testSettings(), { transport: t }).operation();
      const read = op.callCoalesced(GET, { id: 1 });
      await jest.advanceTimersByTimeAsync(0);
      expect(t.requests).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(COALESCE_WINDOW_MS);
      expect(t.requests.map(methodOf)).toEqual([GET]); // alone: a plain call, no batch
      await expect(read).resolves.toEqual({ item: { id: 1 } });
      expect(COALESCE_WINDOW_MS).toBeLessThanOrEqual(5);
    } finally {
      jest.useRealTimers();
    }
  });

  test("a call that waits on a write (a create's record) waits in the window meanwhile: the two overlap, and it leaves once both are done", async () => {
    jest.useFakeTimers();
    try {
      const t = fakeTransport(() => ok({ id: 7 }));
      const op = createClient(testSettings(), { transport: t }).operation();
      let landed!: () => void;
      const record = new Promise<void>((r) => (landed = r));
      const add = op.callCoalesced(ADD, { fields: { title: "x" } }, undefined, record);
      // The window passes while the record is still being written: nothing may leave.
      await jest.advanceTimersByTimeAsync(COALESCE_WINDOW_MS + 10);
      expect(t.requests).toHaveLength(0);
      // The record lands after the window: the add leaves at once (no second window).
      landed();
      await jest.advanceTimersByTimeAsync(0);
      expect(t.requests.map(methodOf)).toEqual([ADD]);
      await expect(add).resolves.toEqual({ id: 7 });
    } finally {
      jest.useRealTimers();
    }
  });

  test("a call whose write failed is never sent, and fails with that write's error; the others of its wave go", async () => {
    const t = fakeTransport(portalScript({ batch: batchOf((id) => ({ item: { id } })) }));
    const op = createClient(testSettings(), { transport: t }).operation();
    const failed = Promise.reject(new Error("disk full"));
    const settled = await Promise.allSettled([
      op.callCoalesced(ADD, { fields: { title: "x" } }, undefined, failed),
      op.callCoalesced(GET, { id: 1 }),
      op.callCoalesced(GET, { id: 2 }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(new Error("disk full"));
    expect(
      t.requests.flatMap((r) => (methodOf(r) === "batch" ? commands(r) : [methodOf(r)])),
    ).toEqual([`${GET}?id=1`, `${GET}?id=2`]);
  });
});
