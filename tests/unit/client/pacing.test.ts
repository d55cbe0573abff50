import * as qs from "qs";
import { createClient } from "../../../provider/core/client/processWide";
import { fakeTransport, methodOf, ok, portalScript } from "../../helpers/fakeTransport";
import { testSettings } from "../../helpers/settings";
import { HttpRequest } from "../../../provider/core/client/transport/transport";
import { Pacing } from "../../../provider/core/client/batching/pacing";

const UPDATE = "biconnector.connector.update";

type BatchBody = { cmd: Record<string, string> };
const commandsOf = (r: HttpRequest) =>
  methodOf(r) === "batch" ? Object.keys((r.json as BatchBody).cmd).length : 1;

/** A portal 50 ms away that answers every command of a batch with `true`. */
const portal = () =>
  fakeTransport(
    portalScript({
      batch: async (req) => {
        await new Promise((r) => setTimeout(r, 50));
        const result: Record<string, unknown> = {};
        for (const [key, cmd] of Object.entries((req.json as BatchBody).cmd)) {
          const params = qs.parse(cmd.split("?")[1] ?? "");
          result[key] = { item: { id: Number(params.id) } };
        }
        return ok({ result, result_error: [], result_total: [], result_next: [], result_time: {} });
      },
      [UPDATE]: async () => {
        await new Promise((r) => setTimeout(r, 50));
        return ok(true);
      },
    }),
  );

/**
 * The real engine's rhythm at --parallel `parallel`: it writes the whole state before and after
 * each operation, one write at a time in the order asked (each `writeMs`), and a slot starts its
 * next operation only once its own write is done. After the batcher answers 50 calls, the engine
 * is silent for 50 writes, then hands over the next calls one write apart.
 */
async function deployment(rps: string, n: number, parallel: number, writeMs: number) {
  const t = portal();
  const op = createClient(
    testSettings({ rateLimitRps: rps, rateLimitBurst: rps === "2" ? "50" : rps }),
    {
      transport: t,
    },
  ).operation();
  let writes = Promise.resolve();
  const write = () => (writes = writes.then(() => new Promise((r) => setTimeout(r, writeMs))));
  let next = 0;
  const slot = async () => {
    while (next < n) {
      const id = next++;
      await write();
      await op.callCoalesced(UPDATE, { id, fields: { title: `t${id}` } });
      await write();
    }
  };
  const started = Date.now();
  let ended = 0;
  const done = Promise.all(Array.from({ length: parallel }, slot)).finally(
    () => (ended = Date.now()),
  );
  for (let i = 0; !ended && i < 3000; i++) await jest.advanceTimersByTimeAsync(100);
  if (!ended) throw new Error(`stuck: ${next} started, ${t.requests.length} requests`);
  await done;
  return { seconds: (ended - started) / 1000, batches: t.requests.map(commandsOf) };
}

const spacing = 500;

/** Pacing after a wave of 8 calls (the engine's --parallel) arrived, was sent at 10 ms and answered at 60. */
function afterOneWave(writes = true): Pacing {
  const pacing = new Pacing();
  for (let i = 1; i <= 8; i++) pacing.arrived(i, spacing, writes);
  pacing.sent(10, 8);
  pacing.answered(60, 8);
  return pacing;
}

describe("pacing against the engine's state writes", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  // [calls, --parallel, ms a state write, at most × the unpaced time, what it shows]
  test.each([
    [
      400,
      64,
      20,
      1.5,
      "the quiet while the engine writes the state after a batch is not a phase's end",
    ],
    [
      400,
      64,
      100,
      1.5,
      "a wave first seen while the engine still hands over grows to its real size at once (was 31 a batch)",
    ],
    [
      400,
      64,
      200,
      1.5,
      "calls handed over a state write apart, further apart than an eighth of an interval and our answer, do not go alone (a change's first 14 went alone at 1,000 resources)",
    ],
    [
      400,
      8,
      100,
      1.5,
      "the first calls, handed over one state write apart, do not go alone (were 14)",
    ],
  ])(
    "%i calls at --parallel %i, %i ms a state write: at most ⌈N/min(50,P)⌉ + 3 requests, within %f × the unpaced time — %s (issue 38)",
    async (n, parallel, writeMs, ratio) => {
      const paced = await deployment("2", n, parallel, writeMs);
      const unpaced = await deployment("10000", n, parallel, writeMs);
      expect(paced.batches.reduce((a, b) => a + b, 0)).toBe(n);
      expect(paced.batches.length).toBeLessThanOrEqual(Math.ceil(n / Math.min(50, parallel)) + 3);
      expect(paced.seconds).toBeLessThanOrEqual(ratio * unpaced.seconds);
    },
  );

  test("one operation after another (--parallel 1): every call goes alone, and only two wait for company, an eighth of an interval each", async () => {
    // 10 calls: within the tokens a process starts with, so only the pacing can add time.
    const paced = await deployment("2", 10, 1, 5);
    const unpaced = await deployment("10000", 10, 1, 5);
    expect(paced.batches).toEqual(Array.from({ length: 10 }, () => 1));
    // Two waits of an eighth of our interval (1 s at the default share: 125 ms each).
    expect(paced.seconds - unpaced.seconds).toBeLessThan(0.3);
  });

  test("a wave seen whole leaves the moment its last call arrives, not at the pacing's next look (issue 38)", async () => {
    const t = portal();
    const op = createClient(testSettings({ rateLimitRps: "2", rateLimitBurst: "50" }), {
      transport: t,
    }).operation();
    const call = (id: number) => op.callCoalesced(UPDATE, { id, fields: { title: `t${id}` } });
    // The first wave of 8 (the engine's --parallel) is seen whole, sent and answered.
    const first = Promise.all(Array.from({ length: 8 }, (_, i) => call(i)));
    await jest.advanceTimersByTimeAsync(2_000);
    await first;
    expect(t.requests).toHaveLength(1);
    // The next wave: seven calls, then the eighth 30 ms later, while the batch waits.
    const wave = Array.from({ length: 7 }, (_, i) => call(8 + i));
    await jest.advanceTimersByTimeAsync(30);
    expect(t.requests).toHaveLength(1);
    wave.push(call(15));
    await jest.advanceTimersByTimeAsync(1);
    expect(t.requests).toHaveLength(2);
    expect(commandsOf(t.requests[1])).toBe(8);
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(wave);
  });

  test("a first wave handed over a few ms apart is seen whole after two of the engine's gaps, not after a quarter interval (issue 38)", () => {
    // The real CLI's first wave at --parallel 8 and 100 resources (ms): the first call went
    // alone; seven came while it was away, the eighth after its answer.
    const pacing = new Pacing();
    pacing.arrived(0, spacing);
    pacing.sent(2, 1);
    for (const at of [17, 31, 34, 43, 52, 65, 67]) pacing.arrived(at, spacing);
    pacing.answered(91, 1);
    pacing.arrived(109, spacing);
    const queued = { queued: 8, oldestAt: 17, spacing };
    // No call for two gaps (42 ms) after the eighth: seen whole, 125 ms before a quarter
    // interval after the wave stopped growing (67 + 125) would have let it go.
    expect(pacing.sendNow(109 + 83, queued)).toBeGreaterThan(0);
    expect(pacing.sendNow(109 + 84, queued)).toBe(0);
  });

  test("a phase's first two calls 2 ms apart are not a wave seen whole: the first wave leaves whole, an eighth of an interval after its first call (issue 38)", () => {
    // The real CLI's first wave of a destroy at --parallel 8, 100 resources, on the native
    // plugin (ms): two calls at once went alone as a "whole" wave of 2, and the phase took
    // 14 requests where 13 carry its 100 calls.
    const pacing = new Pacing();
    const interval = 1_000;
    pacing.arrived(0, interval);
    pacing.arrived(2, interval);
    expect(pacing.sendNow(6, { queued: 2, oldestAt: 0, spacing: interval })).toBeGreaterThan(0);
    for (const at of [16, 17, 23, 41, 48, 54]) pacing.arrived(at, interval);
    const queued = { queued: 8, oldestAt: 0, spacing: interval };
    expect(pacing.sendNow(124, queued)).toBeGreaterThan(0);
    expect(pacing.sendNow(125, queued)).toBe(0);
  });

  test("a wave that grew a state write apart waits twice that before it counts as whole, though its last gap was short", () => {
    const pacing = new Pacing();
    const interval = 1_000; // the default share of a portal's 2 req/s
    // Calls 100 ms apart (one state write each at 1,000 resources), the first one sent alone,
    // the last two 10 ms apart.
    pacing.arrived(0, interval);
    pacing.sent(1, 1);
    pacing.answered(51, 1);
    for (const at of [100, 200, 300, 400, 410]) pacing.arrived(at, interval);
    const queued = { queued: 5, oldestAt: 100, spacing: interval };
    // Two of its last gaps (20 ms) would let it go at 430, before the engine's next call.
    expect(pacing.sendNow(410 + 199, queued)).toBeGreaterThan(0);
    expect(pacing.sendNow(410 + 200, queued)).toBe(0);
  });

  test("a program's long pause teaches no long patience: a last wave leaves at most 15 intervals after the engine went quiet", () => {
    const pacing = afterOneWave();
    // The program awaited something of its own for a minute, then handed over three calls.
    for (const at of [60_000, 60_001, 60_002]) pacing.arrived(at, spacing);
    const queued = { queued: 3, oldestAt: 60_000, spacing };
    expect(pacing.sendNow(60_002 + 7_000, queued)).toBeGreaterThan(0);
    expect(pacing.sendNow(60_002 + 7_500, queued)).toBe(0);
  });

  test("a silence ended by a call is learned: a shorter one is not calm, a longer one is", () => {
    const pacing = afterOneWave();
    // The engine wrote the state for 1.2 s, then handed over the next calls.
    pacing.arrived(1_260, spacing);
    pacing.arrived(1_261, spacing);
    const queued = { queued: 2, oldestAt: 1_260, spacing };
    // Its quiet: 1,200 ms (from its last call, without the 52 ms the whole wave was with us).
    expect(pacing.sendNow(1_261 + 1_750, queued)).toBeGreaterThan(0);
    expect(pacing.sendNow(1_261 + 1_800, queued)).toBe(0);
  });

  test("once the engine's quiet after a whole wave is learned, a phase's last partial wave leaves an eighth of an interval after the engine went quiet, not a quarter (issue 38)", () => {
    // The engine wrote the state for the wave (40 ms), then handed over the last three calls.
    const learned = afterOneWave();
    for (const at of [100, 101, 102]) learned.arrived(at, spacing);
    const queued = { queued: 3, oldestAt: 100, spacing };
    expect(learned.sendNow(102 + spacing / 8 - 1, queued)).toBeGreaterThan(0);
    expect(learned.sendNow(102 + spacing / 8, queued)).toBe(0);
    // The same calls after a wave that came back in two halves: what the engine writes after a
    // whole wave is not known yet (at --parallel 64 the 14 behind a full batch wait through the
    // 50 writes that follow its answer), so calm still takes a quarter interval.
    const halves = new Pacing();
    for (let i = 1; i <= 8; i++) halves.arrived(i, spacing);
    halves.sent(10, 4);
    halves.sent(11, 4);
    halves.answered(60, 4);
    halves.answered(61, 4);
    for (const at of [100, 101, 102]) halves.arrived(at, spacing);
    expect(halves.sendNow(102 + spacing / 4 - 1, queued)).toBeGreaterThan(0);
    expect(halves.sendNow(102 + spacing / 4, queued)).toBe(0);
  });

  test("reads teach no patience: a refresh's read that missed the read-ahead leaves a quarter interval after the engine went quiet", () => {
    const pacing = afterOneWave(false);
    // The engine read the next 50 from what was read ahead for 3 s, then missed twice.
    pacing.arrived(3_060, spacing, false);
    pacing.arrived(3_061, spacing, false);
    const queued = { queued: 2, oldestAt: 3_060, spacing };
    expect(pacing.sendNow(3_061 + 100, queued)).toBeGreaterThan(0);
    expect(pacing.sendNow(3_061 + spacing / 4, queued)).toBe(0);
  });
});
