import type * as pulumi from "@pulumi/pulumi";

/** What the installed package exposes to the shim (see runtime.ts). */
export interface ProviderRuntime {
  configure(req: pulumi.dynamic.ConfigureRequest): void;
  provider(kind: string): pulumi.dynamic.ResourceProvider;
}

/**
 * One shim per kind for the whole program: the Node SDK serializes a dynamic resource's provider
 * (its functions' code, as `__provider`) once per provider object and caches the text in a WeakMap
 * keyed by that object, so a shim shared by every resource of a kind is serialized once, not once
 * per resource (issue 38: that was most of the dynamic provider's extra cost per resource).
 */
const shims = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * The only part of the provider that Pulumi serializes into state (`__provider`). It captures
 * nothing but the resource kind: every call loads the real logic from the installed package by
 * name, through its one entry for this (`pulumi-bitrix24-biconnector/runtime`, package.json
 * `exports`), so no credential or client object is ever written to state, and a fix in a new package
 * version reaches refresh and destroy of existing stacks without a new `up` (pulumi/pulumi#6490).
 */
export function providerShim(kind: string): pulumi.dynamic.ResourceProvider {
  let shim = shims.get(kind);
  if (!shim) shims.set(kind, (shim = shimOf(kind)));
  return shim;
}

function shimOf(kind: string): pulumi.dynamic.ResourceProvider {
  const runtime = (): ProviderRuntime =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("pulumi-bitrix24-biconnector/runtime").providerRuntime as ProviderRuntime;
  const impl = (): pulumi.dynamic.ResourceProvider => runtime().provider(kind);
  return {
    configure: async (req) => runtime().configure(req),
    check: async (olds, news) => (await impl().check?.(olds, news)) ?? { inputs: news },
    diff: async (id, olds, news) => (await impl().diff?.(id, olds, news)) ?? {},
    create: async (inputs) => impl().create(inputs),
    read: async (id, props) => (await impl().read?.(id, props)) ?? { id, props },
    update: async (id, olds, news) => (await impl().update?.(id, olds, news)) ?? { outs: news },
    delete: async (id, props) => impl().delete?.(id, props),
  };
}
