import { createClient } from "../../../provider/core/client/processWide";
import {
  Bitrix24DeadlineError,
  Bitrix24TransportError,
} from "../../../provider/core/errors/errors";
import { fakeTransport, lost, moduleError, ok, systemError } from "../../helpers/fakeTransport";
import { testSettings } from "../../helpers/settings";

const GET = "biconnector.connector.get";
const ADD = "biconnector.connector.add";

describe("retry layer: verdicts per error, one deadline per operation", () => {
  test("rate limit (503 QUERY_LIMIT_EXCEEDED) is retried until the portal answers", async () => {
    const busy = () => systemError(503, "QUERY_LIMIT_EXCEEDED");
    const t = fakeTransport(busy, busy, () => ok({ item: { id: 1 } }));
    const client = createClient(testSettings(), { transport: t });
    await expect(client.call(GET, { id: 1 })).resolves.toEqual({ item: { id: 1 } });
    expect(t.requests).toHaveLength(3);
    expect(client.stats).toMatchObject({ retries: 2, rateLimited: 2 });
  });

  test("a definite answer (ACCESS_DENIED, not found, validation) is not retried", async () => {
    for (const code of ["ACCESS_DENIED", "CONNECTOR_NOT_FOUND", "VALIDATION_INVALID_FIELD_TYPE"]) {
      const t = fakeTransport(() => moduleError(code));
      await expect(
        createClient(testSettings(), { transport: t }).call(GET, { id: 1 }),
      ).rejects.toMatchObject({ code });
      expect(t.requests).toHaveLength(1);
    }
  });

  test("a lost answer is retried for an idempotent call", async () => {
    const t = fakeTransport(
      () => lost(GET),
      () => ok({ item: {} }),
    );
    await createClient(testSettings(), { transport: t }).call(GET, { id: 1 });
    expect(t.requests).toHaveLength(2);
  });

  test("a lost or 5xx answer to `add` is not repeated: the caller gets a transport error to reconcile", async () => {
    for (const fail of [() => lost(ADD), () => systemError(500, "INTERNAL_SERVER_ERROR")]) {
      const t = fakeTransport(fail, () => ok({ id: 9 }));
      const err = await createClient(testSettings(), { transport: t })
        .call(ADD, { fields: {} })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Bitrix24TransportError);
      expect(t.requests).toHaveLength(1);
    }
  });

  test("a connector endpoint refusing the check (SOURCE_*_CONNECTION_ERROR) gets 3 attempts, not the deadline", async () => {
    const t = fakeTransport(() => moduleError("SOURCE_UPDATE_CONNECTION_ERROR"));
    await expect(
      createClient(testSettings(), { transport: t }).call("biconnector.source.update", { id: 1 }),
    ).rejects.toMatchObject({ code: "SOURCE_UPDATE_CONNECTION_ERROR" });
    expect(t.requests).toHaveLength(3);
  });

  test("the deadline ends the operation with the last error's code, however many retries it allowed", async () => {
    const t = fakeTransport(() => systemError(503, "QUERY_LIMIT_EXCEEDED"));
    const settings = testSettings({ operationTimeoutMs: "150", retryBaseDelayMs: "5" });
    const err = await createClient(settings, { transport: t })
      .call(GET, { id: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Bitrix24DeadlineError);
    expect(err).toMatchObject({ method: GET, lastCode: "QUERY_LIMIT_EXCEEDED" });
    expect((err as Error).message).toMatch(/within 0\.1 s \(bitrix24:operationTimeoutMs\)/);
  });

  test("a request hanging past the deadline is aborted through its signal and the operation ends", async () => {
    let aborted = false;
    const t = fakeTransport(
      (req) =>
        new Promise((_, reject) =>
          req.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(new Bitrix24TransportError(GET, "cancelled"));
          }),
        ),
    );
    const settings = testSettings({ operationTimeoutMs: "100" });
    const started = Date.now();
    await expect(
      createClient(settings, { transport: t }).call(GET, { id: 1 }),
    ).rejects.toBeInstanceOf(Bitrix24DeadlineError);
    expect(aborted).toBe(true);
    // Bounded by the deadline (generous margin for a loaded machine), not by the hanging peer.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("each attempt's request timeout is at most the time the operation has left", async () => {
    const t = fakeTransport(() => ok([]));
    const settings = testSettings({ operationTimeoutMs: "2000", requestTimeoutMs: "60000" });
    await createClient(settings, { transport: t }).call("biconnector.connector.list");
    expect(t.requests[0].timeoutMs).toBeLessThanOrEqual(2000);
  });

  test("every call of one operation shares its deadline", async () => {
    const t = fakeTransport(() => ok([]));
    const client = createClient(testSettings({ operationTimeoutMs: "5000" }), { transport: t });
    const op = client.operation();
    await op.call("biconnector.connector.list");
    const late = client.operation();
    expect(late.deadline).toBeGreaterThanOrEqual(op.deadline);
    expect(op.deadline - Date.now()).toBeLessThanOrEqual(5000);
  });
});
