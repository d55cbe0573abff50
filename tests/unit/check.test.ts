import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { UNKNOWN } from "../../provider/core/schema/unknown";
import { seedConnector, testClient } from "../helpers/portal";
import { hostedByDynamicProvider } from "../../provider/dynamic/hostKeys";

const p = new ConnectorProvider(testClient);
const failuresOf = async (news: Record<string, unknown>) =>
  (await p.check({}, news as never)).failures ?? [];

describe("Connector check", () => {
  test("the seed example is valid and gets the API's defaults (the dynamic host's key aside)", async () => {
    const r = await hostedByDynamicProvider(p).check({}, { ...seedConnector, __provider: "shim" });
    expect(r.failures).toBeUndefined();
    expect(r.inputs).toEqual({
      ...seedConnector,
      description: "",
      sort: 100,
      supportMapping: false,
      sourceCode: "",
    });
  });

  test("integers given as strings (config files) are normalized", async () => {
    const r = await p.check({}, { ...seedConnector, sort: "250" } as never);
    expect(r.inputs?.sort).toBe(250);
  });

  test.each([
    [
      { title: undefined },
      "title",
      /is required: must be a non-empty string of at most 512 characters/,
    ],
    [{ title: "" }, "title", /non-empty string/],
    [{ title: "x".repeat(513) }, "title", /at most 512.*got a string of 513 characters/],
    [{ logo: "not an image" }, "logo", /http\(s\) image URL or a data URI/],
    [{ logo: "data:text/plain;base64,AAAA" }, "logo", /data URI/],
    [{ urlCheck: "ftp://x/y" }, "urlCheck", /http\(s\) URL/],
    [{ urlData: "https://e.com/" + "a".repeat(2048) }, "urlData", /at most 2048/],
    [{ sort: 1.5 }, "sort", /an integer from -2147483648 to 2147483647, got number 1.5/],
    [{ sort: "ten" }, "sort", /an integer/],
    [{ supportMapping: "true" }, "supportMapping", /true or false/],
    [{ sourceCode: "x".repeat(65) }, "sourceCode", /at most 64/],
    [{ settings: "login" }, "settings", /a list of objects with name, type, code/],
    [
      { settings: [{ name: "Login", code: "login", type: "string" }] },
      "settings[0].type",
      /one of STRING, INT \(case-sensitive\)/,
    ],
    [{ settings: [{ name: "Login", code: "login" }] }, "settings[0].type", /is required/],
    [
      { settings: [{ name: "x".repeat(513), code: "login", type: "INT" }] },
      "settings[0].name",
      /at most 512/,
    ],
    [
      { settings: [{ name: "L", code: "c".repeat(513), type: "INT" }] },
      "settings[0].code",
      /at most 512/,
    ],
    [
      { settings: [{ name: "L", code: "a", type: "INT", extra: 1 }] },
      "settings[0].extra",
      /unknown property; allowed: name, type, code/,
    ],
    [{ color: "red" }, "color", /unknown property; allowed: title, logo/],
  ])("%j fails on %s", async (patch, property, reason) => {
    const failures = await failuresOf({ ...seedConnector, ...patch });
    expect(failures).toHaveLength(1);
    expect(failures[0].property).toBe(property);
    expect(failures[0].reason).toMatch(reason);
  });

  test("512-character setting names and codes are allowed (the portal lets 512 pass)", async () => {
    const s = { name: "n".repeat(512), code: "c".repeat(512), type: "INT" };
    expect(await failuresOf({ ...seedConnector, settings: [s] })).toEqual([]);
  });

  test("duplicate setting codes name both places", async () => {
    const failures = await failuresOf({
      ...seedConnector,
      settings: [
        { name: "A", code: "login", type: "STRING" },
        { name: "B", code: "login", type: "STRING" },
      ],
    });
    expect(failures).toEqual([
      {
        property: "settings[1].code",
        reason: expect.stringMatching(/duplicates settings\[0\]\.code/),
      },
    ]);
  });

  test("several problems are all reported", async () => {
    const failures = await failuresOf({ title: 5, settings: [{}] });
    expect(failures.map((f) => f.property).sort()).toEqual(
      [
        "logo",
        "settings[0].code",
        "settings[0].name",
        "settings[0].type",
        "title",
        "urlCheck",
        "urlData",
        "urlTableDescription",
        "urlTableList",
      ].sort(),
    );
  });

  test("unknown values during preview are not validated", async () => {
    expect(
      await failuresOf({ ...seedConnector, urlCheck: UNKNOWN, settings: UNKNOWN, sort: UNKNOWN }),
    ).toEqual([]);
    expect(
      await failuresOf({
        ...seedConnector,
        settings: [{ name: UNKNOWN, code: UNKNOWN, type: UNKNOWN }],
      }),
    ).toEqual([]);
  });
});
