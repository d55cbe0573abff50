import * as qs from "qs";
import { createClient } from "../../../provider/client/shared";
import { fakeTransport, methodOf, ok, portalScript } from "../../helpers/fakeTransport";
import { testSettings } from "../../helpers/settings";
import { HttpRequest } from "../../../provider/client/transport";

const GET = "biconnector.connector.get";

type BatchBody = { cmd: Record<string, string> };
const commands = (r: HttpRequest) => Object.values((r.json as BatchBody).cmd);
/** Answers each command of a batch as the real module does (errors as data under result[key]). */
const batchOf =
  (answer: (id: number) => unknown, transportErrors: Record<string, unknown> = {}) =>
  (req: HttpRequest) => {
    const result: Record<string, unknown> = {};
    for (const [key, cmd] of Object.entries((req.json as BatchBody).cmd)) {
      if (key in transportErrors) continue;
      const params = qs.parse(cmd.split("?")[1] ?? "");
      result[key] = answer(Number(params.id));
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

  test("a non-idempotent call is never coalesced", async () => {
    const t = fakeTransport(() => ok({ id: 1 }));
    const op = createClient(testSettings(), { transport: t }).operation();
    await Promise.all([
      op.callCoalesced("biconnector.connector.add", {}),
      op.callCoalesced("biconnector.connector.add", {}),
    ]);
    expect(t.requests.map(methodOf)).toEqual([
      "biconnector.connector.add",
      "biconnector.connector.add",
    ]);
  });
});
