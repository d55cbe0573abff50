import type * as pulumi from "@pulumi/pulumi";
import { Bitrix24Client } from "../core/client/client";
import { SETTINGS, SettingKey, CheckSettings } from "../core/client/settings";
import { ConnectorProvider } from "../core/lifecycle/connectorProvider";
import { SourceProvider } from "../core/lifecycle/sourceProvider";
import { DatasetProvider } from "../core/lifecycle/datasetProvider";
import type { ProviderMethod, ProviderRuntime } from "./shim";
import { exitWhenEngineGone } from "../core/lifecycle/engineWatch";
import { CoreLifecycle, hostedByDynamicProvider } from "./hostKeys";
import {
  CheckSettingsSource,
  ClientSource,
  checkSettingsFor,
  clientFor,
} from "../core/lifecycle/clientSource";

type Factory = (client: ClientSource, check: CheckSettingsSource) => CoreLifecycle;

const factories: Record<string, Factory> = {
  connector: (client, check) => new ConnectorProvider(client, check),
  source: (client, check) => new SourceProvider(client, check),
  dataset: (client, check) => new DatasetProvider(client, check),
};

/**
 * The live logic behind every serialized shim, resolved by package name in the provider process.
 * configure() receives the stack config; the client is built from it (then the environment) and
 * handed to the providers. Missing credentials fail the first call that needs the portal, not
 * configure: a preview validates inputs without any.
 */
class Runtime implements ProviderRuntime {
  private settings: (key: SettingKey) => string | undefined = () => undefined;
  private readonly instances = new Map<string, pulumi.dynamic.ResourceProvider>();

  configure(req: pulumi.dynamic.ConfigureRequest): void {
    watchEngineOnce();
    // Fully qualified keys: the config's own project namespace is the program's, not ours.
    const values = new Map<string, string | undefined>(
      SETTINGS.map((s) => [s.key, req.config.get(`bitrix24:${s.key}`)]),
    );
    this.settings = (key) => values.get(key);
  }

  /** The client for the configured settings (one per settings: see core/client/processWide.ts). */
  readonly client: () => Bitrix24Client = clientFor((key: SettingKey) => this.settings(key));

  /** What check() reads (stack config, then env): no credentials needed, so preview works without. */
  readonly checkSettings: () => CheckSettings = checkSettingsFor((key: SettingKey) =>
    this.settings(key),
  );

  /** The host's call, with its defaults for a method the kind leaves out (as the host has them). */
  async call(kind: string, method: ProviderMethod, args: unknown[]): Promise<unknown> {
    if (method === "configure") return this.configure(args[0] as pulumi.dynamic.ConfigureRequest);
    const p = this.provider(kind);
    const [a, b, c] = args as [never, never, never];
    switch (method) {
      case "check":
        return (await p.check?.(a, b)) ?? { inputs: b };
      case "diff":
        return (await p.diff?.(a, b, c)) ?? {};
      case "create":
        return p.create(a);
      case "read":
        return (await p.read?.(a, b)) ?? { id: a, props: b };
      case "update":
        return (await p.update?.(a, b, c)) ?? { outs: c };
      case "delete":
        return p.delete?.(a, b);
    }
  }

  provider(kind: string): pulumi.dynamic.ResourceProvider {
    let p = this.instances.get(kind);
    if (!p) {
      const make = factories[kind];
      if (!make)
        throw new Error(
          `pulumi-bitrix24-biconnector: unknown resource kind ${JSON.stringify(kind)}`,
        );
      this.instances.set(
        kind,
        (p = hostedByDynamicProvider(make(this.client, this.checkSettings))),
      );
    }
    return p;
  }
}

let watching = false;

/**
 * In the dynamic provider's host process (the Node SDK's cmd/dynamic-provider, started by the
 * engine with its address as the first argument), end the process when the engine is gone; the
 * host itself never would. Anywhere else (a program, a test) the runtime watches nothing.
 */
function watchEngineOnce(): void {
  if (watching) return;
  watching = true;
  const main = require.main?.filename ?? "";
  if (/[\\/]cmd[\\/]dynamic-provider[\\/]/.test(main)) exitWhenEngineGone(process.argv[2]);
}

export const providerRuntime: ProviderRuntime = new Runtime();
