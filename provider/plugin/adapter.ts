import { Bitrix24Client } from "../core/client/client";
import { ConnectorProvider } from "../core/lifecycle/connectorProvider";
import { DatasetProvider } from "../core/lifecycle/datasetProvider";
import { ObjectProvider } from "../core/lifecycle/objectProvider";
import { SourceProvider } from "../core/lifecycle/sourceProvider";
import { JsonObject, ResourceSchema, isJsonObject } from "../core/schema/spec";
import { UNKNOWN } from "../core/schema/unknown";
import { CheckFailure } from "../core/schema/validate";
import {
  CheckSettings,
  SETTINGS,
  SettingSource,
  urlProblems,
  valueProblems,
} from "../core/client/settings";
import { ConfigureInput, pluginConfig, unknownConfigKeys } from "./config";
import { checkSettingsFor, clientFor } from "../core/lifecycle/clientSource";
import { KINDS, Kind, getToken, kindOfType, listToken, resourceToken } from "./kinds";
import { WireObject } from "./pulumiSdk";
import { fromWire, toWire, unwrapAll } from "./wire";

/**
 * The plugin's operations on plain values, one per ResourceProvider call: a thin adapter over the
 * same object providers the dynamic provider uses. What it adds is only what the wire needs —
 * secrets unwrapped and re-wrapped, string reference ids, the preview flag, the import-shaped read.
 */
type Factory = (client: () => Bitrix24Client, check: () => CheckSettings) => ObjectProvider;
const FACTORIES: Record<Kind["name"], Factory> = {
  Connector: (client, check) => new ConnectorProvider(client, check),
  Source: (client, check) => new SourceProvider(client, check),
  Dataset: (client, check) => new DatasetProvider(client, check),
};

export interface DiffAnswer {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface CheckAnswer {
  inputs: WireObject;
  failures: CheckFailure[];
}

/**
 * Inputs without the values of secret fields, for the code `pulumi import` generates from them.
 * The CLI (3.276.0) writes every input value into that code: a secret string as
 * `secret("<value>")` (YAML `fn::secret: <value>`), a secret map, such as a source's settings, as
 * a plain map (its code generation looks at a value's map-ness before its secret mark). A map merged
 * by key (source settings: the portal keeps keys an update leaves out, and the diff compares only
 * the declared ones) becomes `{}`; any other secret field is left out. The state keeps the values
 * in the outputs, encrypted; the user declares them from config, and the next diff finds them equal.
 */
function withoutSecretValues(schema: ResourceSchema, inputs: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(inputs)) {
    const f = schema.fields.find((x) => x.name === k);
    if (!f?.secret) out[k] = v;
    else if (f.mergedByKey) out[k] = {};
  }
  return out;
}

export class PluginAdapter {
  private client: () => Bitrix24Client;
  /** The config in force, for what check() reads without credentials (allowPrivateEndpoints). */
  private source: SettingSource;
  private readonly providers = new Map<Kind["name"], ObjectProvider>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    // Before Configure (and for invokes of a default provider): PULUMI_CONFIG, then env.
    this.source = pluginConfig(undefined, env);
    this.client = clientFor(this.source, this.env);
  }

  configure(input: ConfigureInput): void {
    this.source = pluginConfig(input, this.env);
    this.client = clientFor(this.source, this.env);
  }

  /** Provider config keys are checked by name; values are checked when a client is built. */
  checkConfig(news: WireObject): CheckAnswer {
    const failures = unknownConfigKeys(Object.keys(news)).map((k) => ({
      property: k,
      reason: `unknown bitrix24 setting; allowed: ${SETTINGS.map((s) => s.key).join(", ")}`,
    }));
    // A value of the wrong kind, or a plain-http URL, fails at preview naming the setting (only
    // what is given here).
    const given = pluginConfig({ args: unwrapAll(news), variables: new Map() }, {});
    for (const p of [...valueProblems(given), ...urlProblems(given)])
      failures.push({ property: p.key, reason: p.reason });
    return { inputs: news, failures };
  }

  private kind(type: string): { kind: Kind; provider: ObjectProvider } {
    const kind = kindOfType(type);
    if (!kind) throw new Error(`bitrix24: unknown resource type ${JSON.stringify(type)}`);
    let provider = this.providers.get(kind.name);
    if (!provider) {
      provider = FACTORIES[kind.name](() => this.client(), checkSettingsFor(this.source, this.env));
      this.providers.set(kind.name, provider);
    }
    return { kind, provider };
  }

  async check(type: string, news: WireObject): Promise<CheckAnswer> {
    const { kind, provider } = this.kind(type);
    const { props, secretKeys } = fromWire(kind.schema, news);
    const r = await provider.check({}, props);
    if (r.failures?.length) return { inputs: news, failures: r.failures };
    return { inputs: toWire(kind.schema, r.inputs as JsonObject, secretKeys), failures: [] };
  }

  async diff(
    type: string,
    id: string,
    olds: WireObject,
    news: WireObject,
    urn?: string,
  ): Promise<DiffAnswer> {
    const { kind, provider } = this.kind(type);
    const d = await provider.diff(
      id,
      fromWire(kind.schema, olds).props,
      fromWire(kind.schema, news).props,
      urn || undefined,
    );
    return {
      changes: d.changes === true,
      replaces: d.replaces ?? [],
      deleteBeforeReplace: d.deleteBeforeReplace === true,
    };
  }

  /** With `preview`, nothing is written: the outputs are the inputs, server-set fields unknown. */
  async create(
    type: string,
    news: WireObject,
    preview: boolean,
    urn?: string,
  ): Promise<{ id: string; properties: WireObject }> {
    const { kind, provider } = this.kind(type);
    const { props, secretKeys } = fromWire(kind.schema, news);
    if (preview) {
      const outs: JsonObject = { ...props };
      for (const f of kind.schema.fields)
        if (f.readOnly && f.name !== "id" && outs[f.name] === undefined) outs[f.name] = UNKNOWN;
      return { id: "", properties: toWire(kind.schema, outs, secretKeys) };
    }
    const r = await provider.create(props, urn || undefined);
    return { id: r.id, properties: toWire(kind.schema, r.outs as JsonObject, secretKeys) };
  }

  /**
   * Refresh and import. An import sends only the id (no properties, no inputs); the inputs
   * returned are what the engine then checks and diffs, so they must pass Check and diff clean.
   * A deleted object answers the empty id.
   */
  async read(
    type: string,
    id: string,
    properties: WireObject,
    inputs: WireObject,
  ): Promise<{ id: string; properties?: WireObject; inputs?: WireObject }> {
    const { kind, provider } = this.kind(type);
    const olds = fromWire(kind.schema, properties);
    const secretKeys = [...olds.secretKeys, ...fromWire(kind.schema, inputs).secretKeys];
    const r = await provider.read(id, olds.props);
    if (!r.props || !r.id) return { id: "" };
    // An import's read (no state, no inputs yet): the inputs answered become the code the CLI
    // writes for the user, in plaintext whatever their secret mark, so secret values stay out.
    const importing = !Object.keys(properties).length && !Object.keys(inputs).length;
    const readInputs = (r.inputs ?? {}) as JsonObject;
    return {
      id: r.id,
      properties: toWire(kind.schema, r.props as JsonObject, secretKeys),
      inputs: toWire(
        kind.schema,
        importing ? withoutSecretValues(kind.schema, readInputs) : readInputs,
        secretKeys,
      ),
    };
  }

  async update(
    type: string,
    id: string,
    olds: WireObject,
    news: WireObject,
    preview: boolean,
  ): Promise<WireObject> {
    const { kind, provider } = this.kind(type);
    const old = fromWire(kind.schema, olds);
    const next = fromWire(kind.schema, news);
    const secretKeys = [...old.secretKeys, ...next.secretKeys];
    if (preview) return toWire(kind.schema, { ...old.props, ...next.props }, secretKeys);
    const r = await provider.update(id, old.props, next.props);
    return toWire(kind.schema, r.outs as JsonObject, secretKeys);
  }

  async delete(type: string, id: string, properties: WireObject, urn?: string): Promise<void> {
    const { kind, provider } = this.kind(type);
    await provider.delete(id, fromWire(kind.schema, properties).props, urn || undefined);
  }

  /** The lookups: get<Kind> by id, list<Kind>s by a biconnector list filter. */
  async invoke(
    tok: string,
    args: WireObject,
  ): Promise<{ result?: WireObject; failures: CheckFailure[] }> {
    const plain = unwrapAll(args);
    for (const kind of KINDS) {
      const { provider } = this.kind(resourceToken(kind));
      const answer = (o: JsonObject): WireObject => toWire(kind.schema, { ...o, id: String(o.id) });
      if (tok === getToken(kind)) {
        const id = plain.id;
        if (!(typeof id === "string" || typeof id === "number") || !/^\d+$/.test(String(id)))
          return { failures: [{ property: "id", reason: "must be an id: a positive integer" }] };
        const found = await provider.lookup(this.client(), String(id));
        if (!found)
          return {
            failures: [
              {
                property: "id",
                reason: `no ${kind.name.toLowerCase()} ${id} of this application on the portal`,
              },
            ],
          };
        return { result: answer(found), failures: [] };
      }
      if (tok === listToken(kind)) {
        const filter = plain.filter ?? {};
        if (!isJsonObject(filter))
          return { failures: [{ property: "filter", reason: "must be an object" }] };
        const items = await provider.lookupAll(this.client(), filter);
        return { result: { items: items.map(answer) }, failures: [] };
      }
    }
    throw new Error(`bitrix24: unknown function ${JSON.stringify(tok)}`);
  }
}
