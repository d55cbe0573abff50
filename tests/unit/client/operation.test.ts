import { createClient } from "../../../provider/core/client/processWide";
import { Bitrix24DeadlineError } from "../../../provider/core/errors/errors";
import { fakeTransport, lost, methodOf, ok, portalScript } from "../../helpers/fakeTransport";
import { testSettings } from "../../helpers/settings";

const ADD = "biconnector.connector.add";
const LIST = "biconnector.connector.list";

describe("operation: paging and add-exactly-once", () => {
  test("listAll reads pages of 50 until a shorter one", async () => {
    const page = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({ id: from + i }));
    const t = fakeTransport(
      () => ok(page(50, 1)),
      () => ok(page(50, 51)),
      () => ok(page(3, 101)),
    );
    const items = await createClient(testSettings(), { transport: t })
      .operation()
      .listAll(LIST, { filter: {} });
    expect(items).toHaveLength(103);
    expect(t.requests.map((r) => (r.json as { page: number }).page)).toEqual([1, 2, 3]);
  });

  test("a lost add answer whose object exists: found, adopted, never added twice", async () => {
    const t = fakeTransport(() => lost(ADD));
    const op = createClient(testSettings(), { transport: t }).operation();
    let looked = 0;
    const id = await op.addOnce(
      ADD,
      async () => {
        await op.call(ADD, { fields: {} });
        return 1;
      },
      async () => {
        looked++;
        return 77;
      },
    );
    expect(id).toBe(77);
    expect(looked).toBe(1);
    expect(t.requests).toHaveLength(1);
  });

  test("a lost add answer whose object does not exist: added again, under the same policy", async () => {
    let adds = 0;
    const t = fakeTransport(
      portalScript({ [ADD]: () => (++adds === 1 ? lost(ADD) : ok({ id: 5 })) }),
    );
    const op = createClient(testSettings(), { transport: t }).operation();
    const id = await op.addOnce(
      ADD,
      async () => Number(((await op.call(ADD, { fields: {} })) as { id: number }).id),
      async () => undefined,
    );
    expect(id).toBe(5);
    expect(t.requests.map(methodOf)).toEqual([ADD, ADD]);
  });

  test("add-exactly-once ends at the operation's deadline when answers keep getting lost", async () => {
    const t = fakeTransport(() => lost(ADD));
    const op = createClient(testSettings({ operationTimeoutMs: "150" }), {
      transport: t,
    }).operation();
    await expect(
      op.addOnce(
        ADD,
        async () => Number(await op.call(ADD, {})),
        async () => undefined,
      ),
    ).rejects.toBeInstanceOf(Bitrix24DeadlineError);
  });
});
