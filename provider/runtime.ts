import type * as pulumi from "@pulumi/pulumi";
import { setStackConfig } from "./client/registry";
import { SETTINGS } from "./client/settings";
import { ConnectorProvider } from "./resources/connectorProvider";
import { SourceProvider } from "./resources/sourceProvider";
import { DatasetProvider } from "./resources/datasetProvider";
import type { ProviderRuntime } from "./resources/shim";

const factories: Record<string, () => pulumi.dynamic.ResourceProvider> = {
  connector: () => new ConnectorProvider(),
  source: () => new SourceProvider(),
  dataset: () => new DatasetProvider(),
};
const instances = new Map<string, pulumi.dynamic.ResourceProvider>();

/** The live logic behind every serialized shim, resolved by package name in the provider process. */
export const providerRuntime: ProviderRuntime = {
  configure(req) {
    // Fully qualified keys: the config's own project namespace is the program's, not ours.
    const values = new Map<string, string | undefined>(
      SETTINGS.map((s) => [s.key, req.config.get(`bitrix24:${s.key}`)]),
    );
    setStackConfig((key) => values.get(key));
  },
  provider(kind) {
    let p = instances.get(kind);
    if (!p) {
      const make = factories[kind];
      if (!make)
        throw new Error(
          `pulumi-bitrix24-biconnector: unknown resource kind ${JSON.stringify(kind)}`,
        );
      instances.set(kind, (p = make()));
    }
    return p;
  },
};
