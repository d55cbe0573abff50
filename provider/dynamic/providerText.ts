/* eslint-disable @typescript-eslint/no-require-imports -- each kind's shim is a module's exports
   object itself (see shim.ts); the text names that module's file */
import * as pulumi from "@pulumi/pulumi";
import connectorShim = require("./shims/connector");
import datasetShim = require("./shims/dataset");
import sourceShim = require("./shims/source");
import { ResourceSchema } from "../core/schema/spec";
import { PROVIDER_KEY, dynamicType, resourceUrn } from "./hostKeys";
import { resourceProps } from "./resourceProps";

/** Our dynamic resource kinds, as their type tokens name them. */
export type HostedKind = "Connector" | "Source" | "Dataset";

/**
 * A shim module's file as npm, yarn or pnpm install it: under a `node_modules` folder of this
 * package's name (pnpm's store path ends the same way), in the built layout.
 */
const INSTALLED =
  /[\\/]node_modules[\\/]pulumi-bitrix24-biconnector[\\/]dist[\\/]provider[\\/]dynamic[\\/]shims[\\/](\w+)\.js$/;

/**
 * The `__provider` text for a shim module at `file`, when the package is installed: one `require`
 * of the module by package name and its path in package.json `exports`
 * (`./dist/provider/dynamic/shims/*.js`), which the dynamic-provider host evaluates with
 * `requireFromString(text).handler()` from the program's folder (and caches by text). ~100 bytes;
 * undefined for a file outside an installed package (a linked checkout, jest).
 */
export function installedProviderText(file: string): string | undefined {
  const kind = INSTALLED.exec(file)?.[1];
  return kind
    ? `exports.handler=()=>require("pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/${kind}.js")`
    : undefined;
}

/**
 * Each kind's shim, and its `__provider` text when the package is installed (from the module's
 * file, which does not change while the program runs: worked out once, not per resource).
 */
const shims: Record<
  HostedKind,
  { provider: pulumi.dynamic.ResourceProvider; installed: string | undefined }
> = {
  Connector: {
    provider: connectorShim,
    installed: installedProviderText(require.resolve("./shims/connector")),
  },
  Source: {
    provider: sourceShim,
    installed: installedProviderText(require.resolve("./shims/source")),
  },
  Dataset: {
    provider: datasetShim,
    installed: installedProviderText(require.resolve("./shims/dataset")),
  },
};

/** The SDK's serialized shims, one per kind, for a package that is not installed. */
const serialized = new Map<HostedKind, Promise<pulumi.runtime.SerializedFunction>>();

/**
 * What `__provider` holds for a resource of `kind`. The engine rewrites the whole state after every
 * step, and the text sits in every resource's inputs and outputs, so its size is paid per resource
 * per step (issue 38). Installed, it is our own one-`require` text (installedProviderText): the
 * SDK's serializer would wrap the same `require` in ~330 bytes of closure scaffolding. From a
 * checkout (a link, jest) the module is no installed package's, a `require` by name may not find
 * it, and the SDK's serializer writes the shim's code (~2 KB), once per kind, as
 * pulumi.dynamic.Resource would.
 */
function providerText(kind: HostedKind): pulumi.Input<string> {
  const { provider, installed } = shims[kind];
  if (installed) return installed;
  let text = serialized.get(kind);
  if (!text) {
    text = pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    serialized.set(kind, text);
  }
  return pulumi
    .output(text)
    .apply((f) => (f.containsSecrets ? pulumi.secret(f.text) : pulumi.output(f.text)));
}

/**
 * pulumi.CustomResource's constructor arguments for one of our dynamic resources: what
 * pulumi.dynamic.Resource passes (the type token of module `bitrix24` under `pulumi-nodejs`, the
 * props with `__provider`), with our provider text instead of the SDK's serialization; the props
 * from the kind's schema and the program's args, with the resource's URN (resourceProps).
 */
export function hostedResource(
  kind: HostedKind,
  schema: ResourceSchema,
  name: string,
  args: object,
  opts: pulumi.CustomResourceOptions | undefined,
): [string, string, pulumi.Inputs, pulumi.CustomResourceOptions | undefined] {
  const props = resourceProps(schema, args, resourceUrn(name, kind, opts));
  return [dynamicType(kind), name, { ...props, [PROVIDER_KEY]: providerText(kind) }, opts];
}
