/* eslint-disable @typescript-eslint/no-require-imports -- the shim loads the package by name, in
   the provider's process; a comment inside a function would be serialized with its code */
import type * as pulumi from "@pulumi/pulumi";

/** The methods the Node SDK's dynamic-provider host calls on a provider. */
export type ProviderMethod = keyof Required<pulumi.dynamic.ResourceProvider>;

/** What the installed package exposes to the shim (see runtime.ts). */
export interface ProviderRuntime {
  /**
   * One call of the host on a provider of this kind, with the host's defaults for what the kind
   * leaves out. What the shims of this version call.
   */
  call(kind: string, method: ProviderMethod, args: unknown[]): Promise<unknown>;
  /** What the shims of earlier versions call, which stacks keep in state: kept as they were. */
  configure(req: pulumi.dynamic.ConfigureRequest): void;
  provider(kind: string): pulumi.dynamic.ResourceProvider;
}

/**
 * The only part of the provider that Pulumi serializes into state (`__provider`, in the inputs and
 * the outputs of every resource). It captures nothing but the resource kind: every call loads the
 * real logic from the installed package by name, through its one entry for this
 * (`pulumi-bitrix24-biconnector/runtime`, package.json `exports`), so no credential or client
 * object is ever written to state, and a fix in a new package version reaches refresh and destroy
 * of existing stacks without a new `up`.
 *
 * As small as its job allows (issue 38): the engine rewrites the whole state after every step, so
 * the text's size is paid per resource per step — at 2.7 KB, twice per resource, it was 70 % of a
 * connector's state. Each kind's shim is the exports of a module of its own (shims/), so that an
 * installed package's state names the module instead of holding its code: `__provider` is then one
 * `require` of it by package name (providerText.ts, ~100 bytes). Linked from a checkout (`npm
 * link`, a workspace) the module is no installed package's, and the Node SDK's serializer writes
 * the code: each method one line through one forwarding function (every function costs ~200 bytes
 * of the serializer's wrapping), ~2.1 KB; the host's defaults live in the runtime. Either way one
 * text per kind.
 */
export function shimOf(kind: string): pulumi.dynamic.ResourceProvider {
  const call = <M extends ProviderMethod>(method: M, args: unknown[]) =>
    (require("pulumi-bitrix24-biconnector/runtime").providerRuntime as ProviderRuntime).call(
      kind,
      method,
      args,
    ) as ReturnType<Required<pulumi.dynamic.ResourceProvider>[M]>;
  return {
    configure: (...a) => call("configure", a),
    check: (...a) => call("check", a),
    diff: (...a) => call("diff", a),
    create: (...a) => call("create", a),
    read: (...a) => call("read", a),
    update: (...a) => call("update", a),
    delete: (...a) => call("delete", a),
  };
}
