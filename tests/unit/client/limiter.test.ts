import { PortalLimiter } from "../../../provider/core/client/limits/limiter";
import { createClient } from "../../../provider/core/client/processWide";
import { fakeTransport, ok, systemError } from "../../helpers/fakeTransport";
import { testSettings } from "../../helpers/settings";

describe("limiter: the portal's leaky bucket, client side", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  test("half the burst at a process start, then one request per 1/rps seconds; idle, it refills to the whole burst", async () => {
    const l = new PortalLimiter(2, 4);
    let taken = 0;
    for (let i = 0; i < 4; i++) void l.take().then(() => taken++);
    await settle();
    expect(taken).toBe(2);
    await jest.advanceTimersByTimeAsync(500);
    expect(taken).toBe(3);
    await jest.advanceTimersByTimeAsync(500);
    expect(taken).toBe(4);
    await jest.advanceTimersByTimeAsync(5000); // idle: the bucket fills up to the burst (4)
    for (let i = 0; i < 5; i++) void l.take().then(() => taken++);
    await jest.advanceTimersByTimeAsync(0);
    expect(taken).toBe(8);
  });

  test("the half-full image refills from the process's start, not from the limiter's first use: the portal drained meanwhile (issue 38)", async () => {
    // The process started (fake clock at 0) and reached its first request 2 s later.
    await jest.advanceTimersByTimeAsync(2000);
    const l = new PortalLimiter(1, 10);
    let taken = 0;
    for (let i = 0; i < 8; i++) void l.take().then(() => taken++);
    await jest.advanceTimersByTimeAsync(0);
    expect(taken).toBe(7); // half of 10, and 2 s at 1 request/s
    await jest.advanceTimersByTimeAsync(1000);
    expect(taken).toBe(8);
    // An old process (an idle one) starts with the whole burst, not more.
    await jest.advanceTimersByTimeAsync(60_000);
    const old = new PortalLimiter(1, 10);
    let oldTaken = 0;
    for (let i = 0; i < 11; i++) void old.take().then(() => oldTaken++);
    await jest.advanceTimersByTimeAsync(0);
    expect(oldTaken).toBe(10);
  });

  test("ready() waits for capacity without taking it", async () => {
    const l = new PortalLimiter(1, 1);
    await l.take();
    let ready = false;
    void l.ready().then(() => (ready = true));
    await settle();
    expect(ready).toBe(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(ready).toBe(true);
    let taken = false;
    void l.take().then(() => (taken = true));
    await settle();
    expect(taken).toBe(true); // ready() left the token there
  });

  test("a QUERY_LIMIT_EXCEEDED that still arrives empties the bucket (no more bursting)", async () => {
    jest.useRealTimers();
    const busy = () => systemError(503, "QUERY_LIMIT_EXCEEDED");
    const t = fakeTransport(busy, () => ok([]));
    const client = createClient(testSettings({ rateLimitRps: "1000", rateLimitBurst: "1000" }), {
      transport: t,
    });
    await client.call("biconnector.connector.list");
    expect(client.stats.rateLimited).toBe(1);
    expect(client.stats.requests).toBe(2);
  });

  test("every HTTP request takes a token: a batch of 50 commands takes one", async () => {
    jest.useRealTimers();
    const l = new PortalLimiter(1, 2);
    const takes = jest.spyOn(l, "take");
    const t = fakeTransport(() =>
      ok({
        result: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, { item: {} }])),
        result_error: {},
      }),
    );
    const { Bitrix24Client } = await import("../../../provider/core/client/client");
    const { Claims } = await import("../../../provider/core/client/operation/claims");
    const settings = testSettings({
      webhookUrl: "https://h.example.com/rest/1/s3cretvalue/",
      portalUrl: "",
      accessToken: "",
      refreshToken: "",
    });
    const client = new Bitrix24Client(settings, { transport: t, limiter: l, claims: new Claims() });
    const op = client.operation();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        op.callCoalesced("biconnector.connector.get", { id: i + 1 }),
      ),
    );
    expect(t.requests).toHaveLength(1);
    expect(takes).toHaveBeenCalledTimes(1);
  });
});

describe("limiter: a share of the portal's budget", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test("share 0.5 of 2 req/s, burst 50: 12 at a process start (two commands back to back: ≤ 25), then one a second", async () => {
    const l = new PortalLimiter(2, 50, 0.5);
    expect([l.burst, l.rps]).toEqual([25, 1]);
    let taken = 0;
    for (let i = 0; i < 14; i++) void l.take().then(() => taken++);
    await jest.advanceTimersByTimeAsync(0);
    expect(taken).toBe(12);
    await jest.advanceTimersByTimeAsync(1000);
    expect(taken).toBe(13);
    await jest.advanceTimersByTimeAsync(1000);
    expect(taken).toBe(14);
  });

  test("a tiny share still lets one request through", () => {
    expect(new PortalLimiter(2, 50, 0.001).burst).toBe(1);
  });
});
