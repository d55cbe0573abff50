import {
  FieldSpec,
  JsonObject,
  JsonValue,
  ResourceSchema,
  inputFields,
} from "../../core/schema/spec";
import { connectorSchema } from "../../core/schema/connector";
import { sourceSchema } from "../../core/schema/source";
import { datasetSchema } from "../../core/schema/dataset";
import { inputsFromOutputs } from "../../core/schema/mapping";
import { assignNames, identifier, objectKey } from "./names";

/**
 * What `adopt` writes, before any language: one block per object with its current values, where
 * a reference to another object (a field the schema marks `idOf`) is that object's resource and
 * a secret field's values (a source's settings) come from stack config. Every language's writer
 * renders this plan; none reads the portal or decides a value itself.
 */
export type Kind = "connector" | "source" | "dataset";

export const SCHEMAS: Record<Kind, ResourceSchema> = {
  connector: connectorSchema,
  source: sourceSchema,
  dataset: datasetSchema,
};

/** Each kind's resource class (and type token name) in every SDK. */
export const CLASS = { connector: "Connector", source: "Source", dataset: "Dataset" } as const;

/** The project file of a written project: its name, its runtime (YAML text), what wrote it. */
export function projectYaml(project: string, runtime: string): string {
  return `name: ${project}\nruntime: ${runtime}\ndescription: Bitrix24 BI Builder objects adopted by bitrix24-biconnector adopt\n`;
}

/** The order objects are declared in: a reference always points to a block above it. */
export const KINDS: readonly Kind[] = ["connector", "source", "dataset"];

/** An object as the portal has it: its id and its fields as lookups give them. */
export type PortalItem = { id: number } & JsonObject;
export type PortalObjects = Record<Kind, readonly PortalItem[]>;

/** Another block's resource, whose id is the value (`connectorId: connectorSalesDb.id`). */
export class Ref {
  constructor(
    readonly kind: Kind,
    readonly variable: string,
  ) {}
}

/** A value read from stack config as a secret, never written anywhere. */
export class SecretConfig {
  constructor(readonly key: string) {}
}

export type PlanValue = JsonValue | Ref | SecretConfig | PlanValue[] | { [k: string]: PlanValue };

export interface Block {
  kind: Kind;
  id: number;
  /** The resource name (stays across runs). */
  name: string;
  /** The program's variable for it. */
  variable: string;
  /** Input fields in schema order; defaults left out. */
  args: [string, PlanValue][];
}

/** A secret the program reads from config, and the value the portal holds for it. */
export interface SecretSetting {
  key: string;
  /** The source's resource name and the setting's code, for messages. */
  source: string;
  code: string;
  value: string;
}

export interface AdoptPlan {
  blocks: Block[];
  secrets: SecretSetting[];
  /** Every object's name, by objectKey (the manifest of the written project). */
  names: Record<string, string>;
}

/** The title an object's name is made from. */
const titleOf = (kind: Kind, item: PortalItem): string =>
  String(kind === "dataset" ? item.name : item.title);

export function buildPlan(
  objects: PortalObjects,
  kept: Readonly<Record<string, string>> = {},
): AdoptPlan {
  const all = KINDS.flatMap((kind) =>
    [...objects[kind]].sort((a, b) => a.id - b.id).map((item) => ({ kind, item })),
  );
  const names = assignNames(
    all.map(({ kind, item }) => ({ kind, id: item.id, title: titleOf(kind, item) })),
    kept,
  );
  const variableOf = (kind: Kind, id: number): string | undefined => {
    const name = names.get(objectKey(kind, id));
    return name === undefined ? undefined : identifier(kind, name);
  };
  const secrets: SecretSetting[] = [];
  const blocks = all.map(({ kind, item }): Block => {
    const name = names.get(objectKey(kind, item.id)) as string;
    const args: [string, PlanValue][] = [];
    // The input view of the object, as a refresh gives it (no server-set fields, in items too).
    const inputs = inputsFromOutputs(SCHEMAS[kind], item);
    for (const f of inputFields(SCHEMAS[kind])) {
      if (f.providerOnly) continue;
      const v = inputs[f.name];
      if (v === undefined || v === null || isDefault(f, v)) continue;
      if (f.idOf) {
        const variable = variableOf(f.idOf as Kind, Number(v));
        if (!variable)
          throw new Error(
            `${kind} ${item.id}: its ${f.name} ${String(v)} is no ${f.idOf} this application can see`,
          );
        args.push([f.name, new Ref(f.idOf as Kind, variable)]);
      } else if (f.secret && f.type === "map") {
        args.push([f.name, secretMap(name, v, secrets)]);
      } else args.push([f.name, declared(f, v)]);
    }
    return { kind, id: item.id, name, variable: identifier(kind, name), args };
  });
  return { blocks, secrets, names: Object.fromEntries(names) };
}

function isDefault(f: FieldSpec, v: JsonValue): boolean {
  return f.default !== undefined && v === f.default;
}

/** A value as declared: items of a list in schema order, without their default values. */
function declared(f: FieldSpec, v: JsonValue): PlanValue {
  if (!f.items || !Array.isArray(v)) return v;
  return v.map((item) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    const out: { [k: string]: PlanValue } = {};
    for (const sub of f.items ?? []) {
      const x = item[sub.name];
      if (x === undefined || x === null || isDefault(sub, x)) continue;
      out[sub.name] = declared(sub, x);
    }
    return out;
  });
}

/**
 * Each setting of a source read from config under `<source variable><Code>` (`sourceMainPassword`):
 * letters and digits only, a valid config key and expression name in every language.
 */
function secretMap(source: string, v: JsonValue, secrets: SecretSetting[]): PlanValue {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const out: { [k: string]: PlanValue } = {};
  const used = new Set<string>();
  for (const [code, value] of Object.entries(v)) {
    const words = code.split(/[^A-Za-z0-9]+/).filter(Boolean);
    const base =
      identifier("source", source) + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}${n}`;
    used.add(key);
    secrets.push({ key, source, code, value: typeof value === "string" ? value : String(value) });
    out[code] = new SecretConfig(key);
  }
  return out;
}
