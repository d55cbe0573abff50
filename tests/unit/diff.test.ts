import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { UNKNOWN } from "../../provider/core/schema/unknown";
import { diffFields } from "../../provider/core/schema/diff";
import { ResourceSchema } from "../../provider/core/schema/spec";
import { seedConnector, testClient } from "../helpers/portal";
import { hostedByDynamicProvider } from "../../provider/dynamic/hostKeys";

const p = new ConnectorProvider(testClient);
const outs = {
  ...seedConnector,
  description: "",
  sort: 100,
  supportMapping: false,
  sourceCode: "",
  dateCreate: "2025-03-24 07:25:59",
};

describe("Connector diff", () => {
  test("identical inputs: changes is false (a boolean, never undefined)", async () => {
    expect(
      await hostedByDynamicProvider(p).diff("1", outs, { ...seedConnector, __provider: "x" }),
    ).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  test("key order inside settings and number-vs-string do not count as changes", async () => {
    const news = {
      ...seedConnector,
      sort: "100",
      settings: seedConnector.settings.map((s) => ({ type: s.type, code: s.code, name: s.name })),
    };
    expect((await p.diff("1", outs as never, news as never)).changes).toBe(false);
  });

  test("omitted optional fields equal the API defaults", async () => {
    const { description: _d, sort: _s, supportMapping: _m, sourceCode: _c, ...bare } = outs;
    expect((await p.diff("1", bare as never, seedConnector as never)).changes).toBe(false);
  });

  test("a changed field is an in-place update: connectors never replace", async () => {
    for (const patch of [
      { title: "New" },
      { settings: [] },
      { supportMapping: true },
      { sort: 5 },
    ]) {
      expect(await p.diff("1", outs as never, { ...seedConnector, ...patch } as never)).toEqual({
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
      });
    }
  });

  test("the order of settings is significant (it is the UI order)", async () => {
    const news = { ...seedConnector, settings: [...seedConnector.settings].reverse() };
    expect((await p.diff("1", outs as never, news as never)).changes).toBe(true);
  });

  test("an unknown value during preview counts as a change", async () => {
    expect(
      (await p.diff("1", outs as never, { ...seedConnector, urlData: UNKNOWN } as never)).changes,
    ).toBe(true);
  });

  test("immutable fields replace; a unique field kept equal forces delete-before-replace", () => {
    const schema: ResourceSchema = {
      object: "table",
      fields: [
        { name: "sourceId", type: "integer", immutable: true },
        { name: "name", type: "string", immutable: true, unique: true },
        { name: "description", type: "string" },
      ],
    };
    expect(diffFields(schema, { sourceId: 1, name: "a" }, { sourceId: 2, name: "a" })).toEqual({
      changed: ["sourceId"],
      replaces: ["sourceId"],
      deleteBeforeReplace: true,
    });
    expect(
      diffFields(schema, { sourceId: 1, name: "a" }, { sourceId: 1, name: "b" })
        .deleteBeforeReplace,
    ).toBe(false);
    expect(
      diffFields(
        schema,
        { sourceId: 1, name: "a", description: "x" },
        { sourceId: 1, name: "a", description: "y" },
      ).replaces,
    ).toEqual([]);
  });
});
