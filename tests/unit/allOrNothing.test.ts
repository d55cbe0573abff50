import { inspect } from "util";
import {
  Bitrix24PartialCreateError,
  finishOrRemove,
} from "../../provider/core/lifecycle/allOrNothing";

import { hostedByDynamicProvider } from "../../provider/dynamic/hostKeys";

const unfinished = (remove: () => Promise<void>, partial?: Record<string, string | number>) => ({
  what: "Dataset 12",
  id: "12",
  remove,
  partial: () => partial,
});

describe("create is all-or-nothing (issue 10, item 8)", () => {
  test("a failed step removes what was added, and the error says so", async () => {
    let removed = 0;
    await expect(
      finishOrRemove(
        unfinished(async () => void removed++),
        async () => {
          throw new Error("hiding columns failed with ACCESS_DENIED");
        },
      ),
    ).rejects.toThrow(/ACCESS_DENIED — Dataset 12 was created, then removed again/);
    expect(removed).toBe(1);
  });

  test("removal failing too: a partially created resource the host hands to the engine (id, properties, reasons)", async () => {
    const props = { name: "deals", sourceId: 3 };
    const e = await finishOrRemove(
      unfinished(async () => {
        throw new Error("timeout");
      }, props),
      async () => {
        throw new Error("step failed");
      },
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Bitrix24PartialCreateError);
    const partial = e as Bitrix24PartialCreateError;
    // exactly the fields cmd/dynamic-provider reads to build ErrorResourceInitFailed
    expect(partial.id).toBe("12");
    expect(partial.properties).toEqual(props);
    expect(partial.reasons).toEqual([partial.message]);
    expect(partial.message).toMatch(/kept in state as partially created/);
    expect(inspect(partial)).toMatch(/step failed/);
  });

  test("removal failing and no outputs known: the error names the id to adopt", async () => {
    await expect(
      finishOrRemove(
        unfinished(async () => {
          throw new Error("reset");
        }),
        async () => {
          throw new Error("step failed");
        },
      ),
    ).rejects.toThrow(/adoptId: 12/);
  });

  test("steps that succeed return their value and remove nothing", async () => {
    let removed = 0;
    expect(
      await finishOrRemove(
        unfinished(async () => void removed++),
        async () => 7,
      ),
    ).toBe(7);
    expect(removed).toBe(0);
  });
});

describe("the dynamic host's key stays out of the core", () => {
  const calls: unknown[] = [];
  const core = {
    check: async (_o: unknown, news: unknown) => (calls.push(news), { inputs: news }),
    diff: async (_i: string, _o: unknown, news: unknown) => (calls.push(news), {}),
    create: async (news: unknown): Promise<never> => {
      calls.push(news);
      throw new Bitrix24PartialCreateError("12", { name: "deals" }, "kept in state", undefined);
    },
    read: async (id: string, props: unknown) => ({ id, props }),
    update: async (_i: string, _o: unknown, news: unknown) => (calls.push(news), {}),
    delete: async () => undefined,
  };
  const hosted = hostedByDynamicProvider(core);

  test("check, diff, create and update see inputs without __provider", async () => {
    calls.length = 0;
    await hosted.check({}, { name: "deals", __provider: "shim" });
    await hosted.diff("12", {}, { name: "deals", __provider: "shim" });
    await hosted.update("12", {}, { name: "deals", __provider: "shim" });
    await hosted.create({ name: "deals", __provider: "shim" }).catch(() => undefined);
    expect(calls).toEqual([
      { name: "deals" },
      { name: "deals" },
      { name: "deals" },
      { name: "deals" },
    ]);
  });

  test("a partially created resource keeps the shim, or the engine could never destroy it", async () => {
    const e = await hosted.create({ name: "deals", __provider: "shim" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Bitrix24PartialCreateError);
    expect((e as Bitrix24PartialCreateError).properties).toEqual({
      name: "deals",
      __provider: "shim",
    });
  });
});
