import * as pulumi from "@pulumi/pulumi";
import { Bitrix24ConfigError } from "../core/errors/errors";
import { sourceSchema } from "../core/schema/source";
import { Doc, Documented } from "../core/schema/types";
import { forbiddenKeysOf } from "../core/schema/validate";
import { ArgsOf, OutputsOf } from "./resourceProps";
import { hostedResource } from "./providerText";

/** TSDoc of SourceArgs; names, optionality and types come from the schema. */
interface SourceArgDocs {
  /** The connector this source connects through (usually `connector.id`); changing it replaces the source. */
  connectorId: Doc;
  /** Name of the connection in BI Builder. */
  title: Doc;
  /** Default "". */
  description: Doc;
  /**
   * Values for the connector's setting codes, e.g. `{ login: "bi", password: cfg.requireSecret("pw") }`.
   * Always stored as a secret, even when not wrapped in `pulumi.secret`. Bitrix24 merges updates by
   * key: a key can be changed, not removed.
   */
  settings: Doc;
  /** Take over this existing source of the application instead of creating one (create only). */
  adoptId: Doc;
}

export interface SourceArgs extends Documented<ArgsOf<typeof sourceSchema>, SourceArgDocs> {}

/** TSDoc of the Source's outputs. */
interface SourceOutputDocs extends Omit<SourceArgDocs, "adoptId"> {
  /** Always true: the API creates sources active and ignores writes of this field. */
  active: Doc;
  /** `rest`. */
  type: Doc;
  /** `rest_<connectorId>`. */
  code: Doc;
  /** When the portal created it (`Y-m-d H:i:s`, portal time). */
  dateCreate: Doc;
  /** When it last changed; null until the first update. */
  dateUpdate: Doc;
  createdById: Doc;
  updatedById: Doc;
}

/** The outputs of a Source, from the schema (declared on the class below by interface merging). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- types only: the class declares no fields, the engine sets them
export interface Source extends Readonly<
  Documented<OutputsOf<typeof sourceSchema>, SourceOutputDocs>
> {}

/** A Bitrix24 BI Builder source (connection) of a connector (biconnector.source.*). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class Source extends pulumi.CustomResource {
  constructor(name: string, args: SourceArgs, opts?: pulumi.CustomResourceOptions) {
    // Pulumi's wire format (a protobuf Struct) turns objects back into JavaScript with plain
    // assignment, so a `__proto__` key never reaches the provider's check: refuse it here.
    const settings: unknown = args.settings;
    if (typeof settings === "object" && settings !== null && !pulumi.Output.isInstance(settings)) {
      const bad = forbiddenKeysOf(settings);
      if (bad.length)
        throw new Bitrix24ConfigError(
          `Source ${name}: settings key ${bad.map((k) => JSON.stringify(k)).join(", ")} is not allowed (it names a JavaScript object's prototype machinery and would be dropped silently)`,
        );
    }
    super(
      ...hostedResource(
        "Source",
        sourceSchema,
        name,
        // Credentials: secret in state even if the program forgot pulumi.secret.
        { ...args, settings: pulumi.secret(args.settings) },
        {
          ...opts,
          additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "settings"],
        },
      ),
    );
  }
}
