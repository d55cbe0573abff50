import { layeredSource } from "../../provider/core/client/settings";
import { pluginConfig, unknownConfigKeys } from "../../provider/plugin/config";
import { typeFromUrn } from "../../provider/plugin/kinds";
import { engineAddress } from "../../provider/plugin/main";
import { fromWire, toWire, wrapSecret } from "../../provider/plugin/wire";
import { connectorSchema } from "../../provider/core/schema/connector";
import { datasetSchema } from "../../provider/core/schema/dataset";
import { diffFields } from "../../provider/core/schema/diff";
import { inputsFromOutputs } from "../../provider/core/schema/mapping";
import { sourceSchema } from "../../provider/core/schema/source";
import { normalizeInputs, validateInputs } from "../../provider/core/schema/validate";

/** The native plugin's pure parts, in-process: config layering, wire values, launch arguments. */
describe("plugin config: Configure args, then variables, then PULUMI_CONFIG, then env", () => {
  const variables = new Map([
    ["bitrix24:config:portalUrl", "https://from-variables.example/"],
    ["bitrix24:config:clientId", "from-variables"],
  ]);
  const env = {
    PULUMI_CONFIG: JSON.stringify({ clientId: "from-pulumi-config", tokenStore: "/tmp/t.json" }),
    BITRIX24_OAUTH_URL: "https://from-env.example/",
    BITRIX24_TOKEN_STORE: "/env/tokens.json",
  };

  test("each source in its order of precedence", () => {
    const get = layeredSource(
      pluginConfig({ args: { portalUrl: "https://from-args.example/" }, variables }, env),
      env,
    );
    expect(get("portalUrl")).toBe("https://from-args.example/");
    expect(get("clientId")).toBe("from-variables");
    expect(get("tokenStore")).toBe("/tmp/t.json"); // PULUMI_CONFIG before the environment
    expect(get("oauthUrl")).toBe("https://from-env.example/");
    expect(get("accessToken")).toBeUndefined();
  });

  test("before Configure: PULUMI_CONFIG (bare or qualified keys) only", () => {
    const get = pluginConfig(undefined, {
      PULUMI_CONFIG: JSON.stringify({
        "bitrix24:portalUrl": "https://q.example/",
        rateLimitRps: 5,
      }),
    });
    expect(get("portalUrl")).toBe("https://q.example/");
    expect(get("rateLimitRps")).toBe("5");
    expect(pluginConfig(undefined, { PULUMI_CONFIG: "not json" })("portalUrl")).toBeUndefined();
  });

  test("unknown config keys are named; the engine's own keys are not", () => {
    expect(unknownConfigKeys(["portalUrl", "version", "portalURL", "pluginDownloadURL"])).toEqual([
      "portalURL",
    ]);
  });
});

describe("plugin wire values", () => {
  test("secrets unwrapped on the way in and wrapped again on the way out; reference ids as strings", () => {
    const { props, secretKeys } = fromWire(sourceSchema, {
      connectorId: "12",
      title: wrapSecret("secret title"),
      settings: { login: "a", password: wrapSecret("p") },
    });
    expect(props).toEqual({
      connectorId: 12,
      title: "secret title",
      settings: { login: "a", password: "p" },
    });
    expect(secretKeys.sort()).toEqual(["settings", "title"]);
    expect(toWire(sourceSchema, props, ["title"])).toEqual({
      connectorId: "12",
      title: wrapSecret("secret title"),
      settings: wrapSecret({ login: "a", password: "p" }), // secret by the schema, always
    });
    expect(toWire(connectorSchema, { sort: 100 })).toEqual({ sort: 100 }); // not a reference id
  });

  test("read inputs carry no server-set column ids: Check accepts them and Diff sees no change", () => {
    const outputs = {
      sourceId: 3,
      name: "deals",
      description: "",
      externalCode: "deals",
      externalName: "Deals",
      type: "rest",
      fields: [{ id: 17, type: "int", name: "DEAL_ID", externalCode: "deal_id", visible: true }],
    };
    const inputs = inputsFromOutputs(datasetSchema, outputs);
    expect(inputs.fields).toEqual([
      { type: "int", name: "DEAL_ID", externalCode: "deal_id", visible: true },
    ]);
    expect(validateInputs(datasetSchema, inputs)).toEqual([]);
    expect(
      diffFields(datasetSchema, outputs, normalizeInputs(datasetSchema, inputs)).changed,
    ).toEqual([]);
  });

  test("the resource type of a URN, also under a parent", () => {
    expect(typeFromUrn("urn:pulumi:dev::p::bitrix24:index:Source::db")).toBe(
      "bitrix24:index:Source",
    );
    expect(typeFromUrn("urn:pulumi:dev::p::my:Comp$bitrix24:index:Dataset::d")).toBe(
      "bitrix24:index:Dataset",
    );
  });

  test("the engine address is the last positional launch argument", () => {
    expect(engineAddress(["127.0.0.1:4000"])).toBe("127.0.0.1:4000");
    expect(
      engineAddress(["--logtostderr", "-v=9", "--tracing", "127.0.0.1:9", "127.0.0.1:4000"]),
    ).toBe("127.0.0.1:4000");
    expect(engineAddress(["--logtostderr"])).toBeUndefined();
  });
});
