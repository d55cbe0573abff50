import * as fs from "fs";
import * as path from "path";
import { SECRET_SETTINGS, SETTINGS, VALUE_SETTINGS } from "../core/client/settings";
import { FieldSpec } from "../core/schema/spec";
import { describeAllowed } from "../core/schema/describe";
import {
  KINDS,
  Kind,
  PACKAGE,
  getToken,
  isReferenceId,
  listToken,
  resourceToken,
  typeToken,
} from "./kinds";

/**
 * The Pulumi package schema of the plugin, generated from the one schema per object
 * (provider/core/schema/*.ts) and the settings table: nothing here restates a field. Only the subset of
 * the package-schema format this package uses is typed.
 */
export interface PropertySpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  description?: string;
  secret?: boolean;
  replaceOnChanges?: boolean;
}
export interface ObjectSpec {
  type?: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}
export interface EnumSpec {
  type: "string";
  description?: string;
  enum: { value: string }[];
}
export interface ResourceSpec extends ObjectSpec {
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
}
export interface FunctionSpec {
  description: string;
  inputs: ObjectSpec;
  outputs: ObjectSpec;
}
export interface PackageSpec {
  name: string;
  displayName: string;
  version: string;
  description: string;
  keywords: string[];
  license: string;
  publisher: string;
  repository: string;
  homepage: string;
  /** Where the CLI downloads the plugin from when a program needs it (see pluginDownloadUrl). */
  pluginDownloadURL: string;
  /** Generate an SDK per language that is a complete package of its own (go.mod included). */
  supportPack: boolean;
  /** What each language's SDK is called and where it lives (see `languageSpec`). */
  language: Record<"nodejs" | "python" | "go", Record<string, unknown>>;
  config: { variables: Record<string, PropertySpec> };
  provider: ResourceSpec;
  types: Record<string, ObjectSpec | EnumSpec>;
  resources: Record<string, ResourceSpec>;
  functions: Record<string, FunctionSpec>;
}

interface OurPackageJson {
  name?: string;
  version?: string;
  homepage?: string;
  author?: string;
  repository?: { url?: string };
}

/** In a one-file bundle of the plugin (scripts/bundle-plugin.js): our package.json, written in. */
declare const BITRIX24_BUNDLED_PACKAGE_JSON: OurPackageJson | undefined;

/** This package's package.json: the one source of its version, repository, homepage, author. */
function ourPackageJson(): OurPackageJson {
  if (typeof BITRIX24_BUNDLED_PACKAGE_JSON !== "undefined") return BITRIX24_BUNDLED_PACKAGE_JSON;
  // dist/provider/plugin when installed, provider/plugin in a checkout: walk up to our package.json.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as OurPackageJson;
      if (pkg.name === "pulumi-bitrix24-biconnector" && pkg.version) return pkg;
    }
    if (path.dirname(dir) === dir)
      throw new Error("pulumi-bitrix24-biconnector: package.json not found");
  }
}

/** This package's version: the plugin's version and the schema's are the npm package's. */
export function packageVersion(): string {
  return ourPackageJson().version as string;
}

/** The repository as a plain https URL (package.json holds npm's `git+https://….git` form). */
function repositoryUrl(pkg: OurPackageJson): string {
  return (pkg.repository?.url ?? "").replace(/^git\+/, "").replace(/\.git$/, "");
}

/**
 * Where the CLI downloads the plugin (`pulumi-resource-bitrix24-v<version>-<os>-<arch>.tar.gz`)
 * when none is installed: this project's GitHub releases, from package.json's repository; a build
 * that publishes elsewhere (a mirror) sets BITRIX24_PLUGIN_DOWNLOAD_URL when it writes the schema.
 */
export function pluginDownloadUrl(repository: string, env = process.env): string {
  if (env.BITRIX24_PLUGIN_DOWNLOAD_URL) return env.BITRIX24_PLUGIN_DOWNLOAD_URL;
  const m = /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(repository);
  if (!m) throw new Error(`package.json's repository is not on GitHub: ${repository}`);
  return `github://api.github.com/${m[1]}/${m[2]}`;
}

/**
 * The SDKs' names, chosen here rather than left to the generators' defaults (the Node default,
 * `@pulumi/bitrix24`, is the vendor's npm scope; the Go default import path is a placeholder):
 * each SDK is its own package, versioned as this npm package (respectSchemaVersion).
 */
function languageSpec(repository: string): PackageSpec["language"] {
  const goModule = `${repository.replace(/^https:\/\//, "")}/sdk/go`;
  return {
    nodejs: {
      packageName: "pulumi-bitrix24-biconnector-sdk",
      packageDescription:
        "Bitrix24 BI Builder connectors, sources and datasets as code (Pulumi SDK).",
      respectSchemaVersion: true,
    },
    python: {
      packageName: "pulumi_bitrix24_biconnector",
      respectSchemaVersion: true,
      pyproject: { enabled: true },
    },
    go: {
      importBasePath: `${goModule}/bitrix24`,
      modulePath: goModule,
      respectSchemaVersion: true,
    },
  };
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const ref = (name: string): PropertySpec => ({ $ref: `#/types/${typeToken(name)}` });

/** Builds property specs, registering the object and enum types they refer to. */
class SpecBuilder {
  readonly types: Record<string, ObjectSpec | EnumSpec> = {};

  private describe(f: FieldSpec): string {
    const parts: string[] = [];
    if (f.doc) parts.push(capital(f.doc) + ".");
    if (f.readOnly) parts.push("Set by the portal (an output).");
    else if (isReferenceId(f))
      parts.push(`The id of the ${f.name.replace(/Id$/, "")} it belongs to (digits, as a string).`);
    else parts.push(`${capital(describeAllowed(f))}.`);
    if (f.default !== undefined) parts.push(`Default: ${JSON.stringify(f.default)}.`);
    if (f.immutable) parts.push("Changing it replaces the object.");
    if (f.unique) parts.push("Unique on the portal: a replacement deletes the old object first.");
    if (f.mergedByKey)
      parts.push("Keys can be added or changed, not removed (the portal merges by key).");
    if (f.providerOnly) parts.push("Read by the provider only; never sent to Bitrix24.");
    return parts.join(" ");
  }

  property(
    owner: string,
    f: FieldSpec,
    itemTypeNames: Readonly<Record<string, string>> = {},
  ): PropertySpec {
    const spec: PropertySpec = {
      description: this.describe(f),
      ...this.shape(owner, f, itemTypeNames),
    };
    if (f.secret) spec.secret = true;
    if (f.immutable) spec.replaceOnChanges = true;
    return spec;
  }

  private shape(
    owner: string,
    f: FieldSpec,
    itemTypeNames: Readonly<Record<string, string>>,
  ): PropertySpec {
    if (isReferenceId(f)) return { type: "string" };
    switch (f.type) {
      case "string":
        if (!f.enum) return { type: "string" };
        this.types[typeToken(owner + capital(f.name))] = {
          type: "string",
          description: `Allowed values of ${f.name}.`,
          enum: f.enum.map((value) => ({ value })),
        };
        return ref(owner + capital(f.name));
      case "integer":
        return { type: "integer" };
      case "boolean":
        return { type: "boolean" };
      case "map":
        return { type: "object", additionalProperties: { type: "string" } };
      case "array": {
        if (!f.items) return { type: "array", items: { $ref: "pulumi.json#/Any" } };
        const name = itemTypeNames[f.name] ?? owner + capital(f.name);
        this.types[typeToken(name)] = {
          type: "object",
          description: `One item of ${f.name}.`,
          properties: Object.fromEntries(f.items.map((i) => [i.name, this.property(name, i)])),
          required: f.items.filter((i) => i.required).map((i) => i.name),
        };
        return { type: "array", items: ref(name) };
      }
    }
  }
}

function settingsProperties(): Record<string, PropertySpec> {
  const out: Record<string, PropertySpec> = {};
  for (const s of SETTINGS) {
    // A value setting's type is its default's (see VALUE_SETTINGS); every other one is text.
    const read = VALUE_SETTINGS[s.key as keyof typeof VALUE_SETTINGS] as
      ((get: () => undefined) => number | boolean) | undefined;
    out[s.key] = {
      type: read ? (typeof read(() => undefined) as "number" | "boolean") : "string",
      description: `${capital(s.doc)}. Falls back to the ${s.env} environment variable.`,
    };
    if (SECRET_SETTINGS.includes(s.key)) out[s.key].secret = true;
  }
  return out;
}

/** Outputs of a resource: every field but `id`, which Pulumi keeps as the resource id. */
function resourceSpec(b: SpecBuilder, k: Kind): ResourceSpec {
  const fields = k.schema.fields.filter((f) => f.name !== "id");
  const inputs = fields.filter((f) => !f.readOnly);
  const prop = (f: FieldSpec) => [f.name, b.property(k.name, f, k.itemTypeNames)] as const;
  return {
    description: k.description,
    properties: Object.fromEntries(fields.map(prop)),
    required: fields
      .filter((f) => !f.providerOnly && (f.required || f.default !== undefined))
      .map((f) => f.name),
    inputProperties: Object.fromEntries(inputs.map(prop)),
    requiredInputs: inputs.filter((f) => f.required).map((f) => f.name),
  };
}

/** What a lookup returns for one object: the API fields with the id (as a string). */
function infoType(b: SpecBuilder, k: Kind): ObjectSpec {
  const fields = k.schema.fields.filter((f) => f.name !== "id" && !f.providerOnly);
  return {
    type: "object",
    description: `A ${k.name.toLowerCase()} as the portal has it.`,
    properties: {
      id: { type: "string", description: `The ${k.name.toLowerCase()}'s id.` },
      ...Object.fromEntries(
        fields.map((f) => {
          // Replacement is about resources: a lookup's result only keeps the secret marks.
          const { replaceOnChanges: _replace, ...spec } = b.property(k.name, f, k.itemTypeNames);
          return [f.name, spec];
        }),
      ),
    },
    // Only the id for sure: list methods leave some fields out (datasets' columns).
    required: ["id"],
  };
}

function functionSpecs(k: Kind, info: ObjectSpec): Record<string, FunctionSpec> {
  const what = k.name.toLowerCase();
  return {
    [getToken(k)]: {
      description: `Reads one ${what} of the application by id. Fails when it does not exist.`,
      inputs: {
        properties: { id: { type: "string", description: `The ${what}'s id.` } },
        required: ["id"],
      },
      outputs: { properties: info.properties, required: info.required },
    },
    [listToken(k)]: {
      description: `Every ${what} of the application matching a biconnector list filter.`,
      inputs: {
        properties: {
          filter: {
            type: "object",
            additionalProperties: { $ref: "pulumi.json#/Any" },
            description:
              "Field to value, with the API's key prefixes (`%title` contains, `>=id`, `@id` in a list). Empty: all.",
          },
        },
      },
      outputs: {
        properties: { items: { type: "array", items: ref(`${k.name}Info`) } },
        required: ["items"],
      },
    },
  };
}

export function packageSchema(): PackageSpec {
  const b = new SpecBuilder();
  const resources: Record<string, ResourceSpec> = {};
  const functions: Record<string, FunctionSpec> = {};
  for (const k of KINDS) {
    resources[resourceToken(k)] = resourceSpec(b, k);
    const info = infoType(b, k);
    b.types[typeToken(`${k.name}Info`)] = info;
    Object.assign(functions, functionSpecs(k, info));
  }
  const config = settingsProperties();
  const ours = ourPackageJson();
  const repository = repositoryUrl(ours);
  return {
    name: PACKAGE,
    displayName: "Bitrix24 BI Builder",
    version: packageVersion(),
    description:
      "Bitrix24 BI Builder (biconnector) connectors, sources and datasets as code: the same provider as the pulumi-bitrix24-biconnector npm package, served as a native plugin.",
    keywords: ["pulumi", "bitrix24", "biconnector", "bi-builder", "category/utility"],
    license: "Apache-2.0",
    publisher: ours.author ?? "",
    repository,
    homepage: ours.homepage ?? "",
    pluginDownloadURL: pluginDownloadUrl(repository),
    supportPack: true,
    language: languageSpec(repository),
    config: { variables: config },
    provider: {
      description:
        "Bitrix24 connection settings; every one falls back to its BITRIX24_* environment variable.",
      properties: {},
      inputProperties: config,
    },
    types: Object.fromEntries(Object.entries(b.types).sort(([a], [c]) => a.localeCompare(c))),
    resources,
    functions,
  };
}

/** The schema as `GetSchema` serves it and `npm run schema` writes it. */
export function packageSchemaJson(): string {
  return JSON.stringify(packageSchema(), null, 2) + "\n";
}
