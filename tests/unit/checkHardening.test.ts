import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { DatasetProvider } from "../../provider/core/lifecycle/datasetProvider";
import { SourceProvider } from "../../provider/core/lifecycle/sourceProvider";
import { privateHostReason } from "../../provider/core/schema/endpoint";
import { providerRuntime } from "../../provider/dynamic/runtime";
import { seedConnector, testClient, useSettings } from "../helpers/portal";

const connectors = new ConnectorProvider(testClient);
const failuresOf = async (
  p: { check: ConnectorProvider["check"] },
  news: Record<string, unknown>,
) => (await p.check({}, news as never)).failures ?? [];

const dataset = {
  sourceId: 1,
  name: "deals",
  externalCode: "deals",
  externalName: "Deals",
  fields: [{ name: "ID", type: "int", externalCode: "id" }],
};

describe("check() refuses what the portal would store wrongly or a cloud portal cannot use (issue 10, item 10)", () => {
  beforeEach(() => useSettings({}));

  test.each([
    [{ sort: 1e20 }, "sort", /from -2147483648 to 2147483647, got number 100000000000000000000/],
    [{ sort: 2147483648 }, "sort", /from -2147483648 to 2147483647/],
    [{ sort: -2147483649 }, "sort", /from -2147483648 to 2147483647/],
    [{ sort: "99999999999" }, "sort", /from -2147483648 to 2147483647/],
    [{ title: "Sales\r\nX-Injected: 1" }, "title", /control characters/],
    [{ title: "Sales\u0000" }, "title", /control characters/],
    [{ title: "Sales\u0085" }, "title", /control characters/],
    [{ urlCheck: "https://e.com/check\r\nHost: evil" }, "urlCheck", /control characters/],
    [{ urlData: "https://e.com/a\tb" }, "urlData", /control characters/],
    [{ urlData: "https://e.com/a b" }, "urlData", /whitespace/],
    [{ urlCheck: "https://bi:s3cret@e.com/check" }, "urlCheck", /credentials.*plain text/],
    [{ logo: "https://user@e.com/logo.svg" }, "logo", /credentials/],
    [
      { settings: [{ name: "Log\nin", code: "login", type: "STRING" }] },
      "settings[0].name",
      /control/,
    ],
    [
      { urlCheck: "http://127.0.0.1:8080/check" },
      "urlCheck",
      /loopback address.*allowPrivateEndpoints/,
    ],
    [{ urlCheck: "http://2130706433/check" }, "urlCheck", /loopback address/],
    [{ urlCheck: "http://[::1]/check" }, "urlCheck", /loopback address/],
    [{ urlCheck: "http://[::ffff:127.0.0.1]/check" }, "urlCheck", /loopback address/],
    [{ urlCheck: "http://localhost/check" }, "urlCheck", /loopback name/],
    [{ urlCheck: "http://api.LOCALHOST./check" }, "urlCheck", /loopback name/],
    [{ urlTableList: "http://10.1.2.3/t" }, "urlTableList", /private-network address/],
    [{ urlTableList: "http://172.31.0.1/t" }, "urlTableList", /private-network address/],
    [{ urlTableList: "http://192.168.1.1/t" }, "urlTableList", /private-network address/],
    [{ urlTableList: "http://[fd12::1]/t" }, "urlTableList", /private-network address/],
    [{ urlTableList: "http://100.64.0.1/t" }, "urlTableList", /carrier-grade NAT/],
    [{ urlData: "http://169.254.169.254/latest/meta-data" }, "urlData", /link-local address/],
    [{ urlData: "http://[fe80::1]/d" }, "urlData", /link-local address/],
    [{ urlData: "http://0.0.0.0/d" }, "urlData", /unspecified address/],
    [{ urlData: "http://[::]/d" }, "urlData", /unspecified address/],
    [{ urlData: "http://nas.local/d" }, "urlData", /local-network name/],
  ])("connector %j fails on %s", async (patch, property, reason) => {
    const failures = await failuresOf(connectors, { ...seedConnector, ...patch });
    expect(failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  test("a description may span lines, but holds no other control character", async () => {
    expect(
      await failuresOf(connectors, { ...seedConnector, description: "line 1\r\n\tline 2" }),
    ).toEqual([]);
    expect(await failuresOf(connectors, { ...seedConnector, description: "bell\u0007" })).toEqual([
      { property: "description", reason: expect.stringMatching(/control characters/) },
    ]);
  });

  test("32-bit edges pass; public names and addresses pass without any name lookup", async () => {
    for (const sort of [-2147483648, 2147483647, "2147483647"])
      expect(await failuresOf(connectors, { ...seedConnector, sort })).toEqual([]);
    // 172.32/12 is outside 172.16/12; a name is never resolved (this one does not exist at all).
    for (const urlCheck of [
      "http://172.32.0.1/check",
      "https://no-such-host.invalid/check",
      "http://8.8.8.8/check",
      "http://[2001:db8::1]/check",
    ])
      expect(await failuresOf(connectors, { ...seedConnector, urlCheck })).toEqual([]);
    expect(privateHostReason("localhost.example.com")).toBeUndefined();
  });

  test("bitrix24:allowPrivateEndpoints lets private hosts through, nothing else", async () => {
    const local = { ...seedConnector, urlCheck: "http://127.0.0.1:9/check" };
    const allowed = new ConnectorProvider(testClient, () => ({ allowPrivateEndpoints: true }));
    expect(await failuresOf(allowed, local)).toEqual([]);
    expect(await failuresOf(allowed, { ...local, urlData: "http://u:p@127.0.0.1/d" })).toEqual([
      { property: "urlData", reason: expect.stringMatching(/credentials/) },
    ]);
    expect(await failuresOf(connectors, local)).toHaveLength(1);
  });

  test("the setting reaches check from stack config (configure) or, without credentials, the env", async () => {
    const local = { ...seedConnector, urlCheck: "http://127.0.0.1:9/check" };
    const config = (values: Record<string, string>) => ({
      config: { get: (k: string) => values[k] },
    });
    providerRuntime.configure(config({ "bitrix24:allowPrivateEndpoints": "true" }) as never);
    const p = providerRuntime.provider("connector");
    expect((await p.check!({}, local as never)).failures).toBeUndefined();
    providerRuntime.configure(config({}) as never);
    expect((await p.check!({}, local as never)).failures).toHaveLength(1);
    // no credentials at all (a first preview): the environment's setting still counts
    process.env.BITRIX24_ALLOW_PRIVATE_ENDPOINTS = "true";
    try {
      expect(await failuresOf(new ConnectorProvider(), local)).toEqual([]);
    } finally {
      delete process.env.BITRIX24_ALLOW_PRIVATE_ENDPOINTS;
    }
    expect(await failuresOf(new ConnectorProvider(), local)).toHaveLength(1);
  });

  test("a __proto__, constructor or prototype key is refused with its path, not dropped", async () => {
    const sources = new SourceProvider(testClient);
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const news = JSON.parse(
        `{"connectorId": 1, "title": "S", "settings": {"login": "a", "${key}": "x"}}`,
      ) as Record<string, unknown>;
      expect(await failuresOf(sources, news)).toEqual([
        { property: `settings.${key}`, reason: expect.stringMatching(/not allowed as a key/) },
      ]);
    }
    const top = JSON.parse(`{"__proto__": {"polluted": 1}}`) as Record<string, unknown>;
    const failures = await failuresOf(connectors, { ...seedConnector, ...top });
    expect(failures).toContainEqual({
      property: "__proto__",
      reason: expect.stringMatching(/not allowed as a key/),
    });
  });

  test("source setting values: control characters refused without echoing the value", async () => {
    const failures = await failuresOf(new SourceProvider(testClient), {
      connectorId: 1,
      title: "S",
      settings: { password: "hunter2\r\n" },
    });
    expect(failures).toEqual([
      { property: "settings.password", reason: "must not contain control characters" },
    ]);
  });

  test("dataset: ids within 32 bits, column names without control characters", async () => {
    const datasets = new DatasetProvider(testClient);
    expect(await failuresOf(datasets, dataset)).toEqual([]);
    expect(await failuresOf(datasets, { ...dataset, sourceId: 2 ** 53 })).toEqual([
      { property: "sourceId", reason: expect.stringMatching(/from -2147483648 to 2147483647/) },
    ]);
    expect(
      await failuresOf(datasets, {
        ...dataset,
        fields: [{ name: "ID", type: "int", externalCode: "id\n" }],
      }),
    ).toEqual([
      { property: "fields[0].externalCode", reason: expect.stringMatching(/control characters/) },
    ]);
  });
});
