import * as pulumi from "@pulumi/pulumi";
import { Bitrix24ConfigError } from "../client/errors";
import { SourceInputName, sourceSchema } from "../schema/source";
import { forbiddenKeysOf } from "../schema/validate";
import { SameNames, resourceProps } from "./resourceProps";
import { providerShim } from "./shim";

export interface SourceArgs {
  /** The connector this source connects through (usually `connector.id`); changing it replaces the source. */
  connectorId: pulumi.Input<number | string>;
  /** Name of the connection in BI Builder. */
  title: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /**
   * Values for the connector's setting codes, e.g. `{ login: "bi", password: cfg.requireSecret("pw") }`.
   * Always stored as a secret, even when not wrapped in `pulumi.secret`. Bitrix24 merges updates by
   * key: a key can be changed, not removed.
   */
  settings: pulumi.Input<Record<string, pulumi.Input<string | number>>>;
  /** Take over this existing source of the application instead of creating one (create only). */
  adoptId?: pulumi.Input<number>;
}

const argsMatchSchema: SameNames<keyof SourceArgs, SourceInputName> = true;
void argsMatchSchema;

/** A Bitrix24 BI Builder source (connection) of a connector (biconnector.source.*). */
export class Source extends pulumi.dynamic.Resource {
  declare public readonly connectorId: pulumi.Output<number>;
  declare public readonly title: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  declare public readonly settings: pulumi.Output<Record<string, string>>;
  /** Always true: the API creates sources active and ignores writes of this field. */
  declare public readonly active: pulumi.Output<boolean>;
  /** `rest`. */
  declare public readonly type: pulumi.Output<string>;
  /** `rest_<connectorId>`. */
  declare public readonly code: pulumi.Output<string>;
  declare public readonly dateCreate: pulumi.Output<string>;
  declare public readonly dateUpdate: pulumi.Output<string | null>;
  declare public readonly createdById: pulumi.Output<number>;
  declare public readonly updatedById: pulumi.Output<number>;

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
      providerShim("source"),
      name,
      // Credentials: secret in state even if the program forgot pulumi.secret.
      resourceProps(sourceSchema, { ...args, settings: pulumi.secret(args.settings) }),
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "settings"] },
      "bitrix24",
      "Source",
    );
  }
}
