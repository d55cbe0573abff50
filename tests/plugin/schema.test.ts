import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";
import { PluginAdapter } from "../../provider/plugin/adapter";
import { KINDS, resourceToken } from "../../provider/plugin/kinds";
import {
  EnumSpec,
  ObjectSpec,
  PackageSpec,
  PropertySpec,
  packageSchema,
  packageSchemaJson,
} from "../../provider/plugin/packageSchema";
import { resourceProps } from "../../provider/dynamic/resourceProps";
import { inputFields } from "../../provider/core/schema/spec";
import { EXAMPLES } from "../lifecycle/helpers";
import { REPO } from "../lifecycle/program";

/** The package schema, checked in-process (no sockets): structure, agreement, and the YAML example. */
const schema: PackageSpec = packageSchema();
const TOKEN = /^bitrix24:index:[A-Za-z][A-Za-z0-9]*$/;

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string") out.push(x);
      else refs(x, out);
    }
  return out;
}

const objectType = (ref: string): ObjectSpec =>
  schema.types[ref.replace("#/types/", "")] as ObjectSpec;

describe("package schema", () => {
  test("the committed schema.json is the generated one (`npm run schema` rewrites it)", () => {
    expect(fs.readFileSync(path.join(REPO, "schema.json"), "utf8")).toBe(packageSchemaJson());
  });

  test("every $ref resolves; every token is well formed", () => {
    const all = refs(schema);
    expect(all.length).toBeGreaterThan(10);
    for (const r of all) {
      if (r === "pulumi.json#/Any") continue;
      expect(r).toMatch(/^#\/types\//);
      expect(schema.types[r.slice("#/types/".length)]).toBeDefined();
    }
    for (const t of [
      ...Object.keys(schema.resources),
      ...Object.keys(schema.functions),
      ...Object.keys(schema.types),
    ])
      expect(t).toMatch(TOKEN);
    expect(Object.keys(schema.resources).sort()).toEqual([
      "bitrix24:index:Connector",
      "bitrix24:index:Dataset",
      "bitrix24:index:Source",
    ]);
    expect(Object.keys(schema.functions).sort()).toEqual(
      ["getConnector", "listConnectors", "getSource", "listSources", "getDataset", "listDatasets"]
        .map((f) => `bitrix24:index:${f}`)
        .sort(),
    );
  });

  test("required names exist among their properties, in resources, types and functions", () => {
    for (const r of Object.values(schema.resources)) {
      for (const k of r.requiredInputs ?? []) expect(r.inputProperties).toHaveProperty(k);
      for (const k of r.required ?? []) expect(r.properties).toHaveProperty(k);
    }
    for (const t of Object.values(schema.types))
      if ("properties" in t)
        for (const k of t.required ?? []) expect(t.properties).toHaveProperty(k);
    for (const f of Object.values(schema.functions)) {
      for (const k of f.inputs.required ?? []) expect(f.inputs.properties).toHaveProperty(k);
      for (const k of f.outputs.required ?? []) expect(f.outputs.properties).toHaveProperty(k);
    }
  });

  test("agrees with the dynamic resources: same inputs, outputs, secrets, replacements", () => {
    for (const k of KINDS) {
      const r = schema.resources[resourceToken(k)];
      expect(Object.keys(r.inputProperties).sort()).toEqual(
        inputFields(k.schema)
          .map((f) => f.name)
          .sort(),
      );
      // Every output the dynamic resource registers is an output of the plugin's resource.
      for (const name of Object.keys(resourceProps(k.schema, {})))
        expect(r.properties).toHaveProperty(name);
      const flagged = (flag: "secret" | "replaceOnChanges") =>
        Object.entries(r.inputProperties)
          .filter(([, p]) => p[flag])
          .map(([n]) => n)
          .sort();
      expect(flagged("secret")).toEqual(
        k.schema.fields
          .filter((f) => f.secret)
          .map((f) => f.name)
          .sort(),
      );
      expect(flagged("replaceOnChanges")).toEqual(
        k.schema.fields
          .filter((f) => f.immutable)
          .map((f) => f.name)
          .sort(),
      );
    }
    const src = schema.resources["bitrix24:index:Source"];
    expect(src.inputProperties.connectorId.type).toBe("string"); // ids are strings in Pulumi
    expect(src.inputProperties.settings.secret).toBe(true);
    expect(schema.resources["bitrix24:index:Dataset"].inputProperties.sourceId.type).toBe("string");
    expect(schema.config.variables.clientSecret.secret).toBe(true);
    expect(schema.config.variables.portalUrl.secret).toBeUndefined();
  });
});

/** YAML values checked against a property spec; `${…}` interpolations stand for any value. */
function yamlProblems(where: string, value: unknown, spec: PropertySpec): string[] {
  if (typeof value === "string" && /\$\{[^}]+\}/.test(value)) return [];
  if (spec.$ref && spec.$ref !== "pulumi.json#/Any") {
    const t = schema.types[spec.$ref.replace("#/types/", "")];
    if ("enum" in t)
      return (t as EnumSpec).enum.some((e) => e.value === value)
        ? []
        : [`${where}: ${JSON.stringify(value)} is not one of the enum`];
    return objectProblems(where, value, (t as ObjectSpec).properties, t.required ?? []);
  }
  switch (spec.type) {
    case "array":
      return Array.isArray(value)
        ? value.flatMap((v, i) => yamlProblems(`${where}[${i}]`, v, spec.items ?? {}))
        : [`${where}: not a list`];
    case "object":
      return value && typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) =>
            yamlProblems(`${where}.${k}`, v, spec.additionalProperties ?? {}),
          )
        : [`${where}: not an object`];
    case "integer":
      return Number.isInteger(value) ? [] : [`${where}: not an integer`];
    case "string":
    case "boolean":
      return typeof value === spec.type ? [] : [`${where}: not a ${spec.type}`];
    default:
      return [];
  }
}

function objectProblems(
  where: string,
  value: unknown,
  properties: Record<string, PropertySpec>,
  required: readonly string[],
): string[] {
  if (!value || typeof value !== "object" || Array.isArray(value))
    return [`${where}: not an object`];
  const o = value as Record<string, unknown>;
  return [
    ...required.filter((k) => !(k in o)).map((k) => `${where}.${k}: required`),
    ...Object.entries(o).flatMap(([k, v]) =>
      properties[k] ? yamlProblems(`${where}.${k}`, v, properties[k]) : [`${where}.${k}: unknown`],
    ),
  ];
}

interface YamlProgram {
  resources: Record<string, { type: string; properties: Record<string, unknown> }>;
  variables: Record<string, { "fn::invoke": { function: string; arguments: object } }>;
  outputs: Record<string, string>;
}

describe("examples/yaml-quickstart against the schema", () => {
  const program = load(
    fs.readFileSync(path.join(EXAMPLES, "yaml-quickstart", "Pulumi.yaml"), "utf8"),
  ) as YamlProgram;

  test("resource types exist; properties are known, typed right, required ones present", () => {
    const types = Object.values(program.resources).map((r) => r.type);
    expect(types.sort()).toEqual(Object.keys(schema.resources).sort());
    for (const [name, r] of Object.entries(program.resources)) {
      const spec = schema.resources[r.type];
      expect(
        objectProblems(name, r.properties, spec.inputProperties, spec.requiredInputs ?? []),
      ).toEqual([]);
    }
  });

  test("invokes name schema functions with known arguments; outputs read declared properties", () => {
    for (const v of Object.values(program.variables)) {
      const f = schema.functions[v["fn::invoke"].function];
      expect(f).toBeDefined();
      expect(objectProblems("invoke", v["fn::invoke"].arguments, f.inputs.properties, [])).toEqual(
        [],
      );
    }
    for (const expr of Object.values(program.outputs)) {
      const [res, prop] = /^\$\{([^}.]+)\.?([^}]*)\}$/.exec(expr)?.slice(1) ?? [];
      if (!program.resources[res]) continue; // a variable
      if (prop !== "id")
        expect(schema.resources[program.resources[res].type].properties).toHaveProperty(prop);
    }
    expect(refs(objectType("#/types/bitrix24:index:DatasetColumn"))).toEqual([
      "#/types/bitrix24:index:DatasetColumnType",
    ]);
  });

  test("its values pass the provider's own Check once interpolations are filled in", async () => {
    const adapter = new PluginAdapter({}); // no credentials: Check needs none for these
    const fill = (v: unknown): unknown =>
      typeof v === "string"
        ? v
            .replace(/\$\{endpointBaseUrl\}/g, "https://connector.example.com")
            .replace(/^\$\{[^}]+\.id\}$/, "7")
            .replace(/^\$\{[^}]+\}$/, "value")
        : Array.isArray(v)
          ? v.map(fill)
          : v && typeof v === "object"
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
            : v;
    for (const r of Object.values(program.resources)) {
      const checked = await adapter.check(r.type, fill(r.properties) as Record<string, never>);
      expect(checked.failures).toEqual([]);
    }
  });
});
