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
 * connector's state. Each kind's shim is the exports of a module of its own (shims/), and the Node
 * SDK's serializer writes an object that is a module of a package under node_modules as
 * `require("<package>/<path>")` (~300 bytes) instead of its code. The path it writes is the
 * module's file path in the package, which package.json `exports` lists
 * (`./dist/provider/dynamic/shims/*.js`): the serializer maps a path through `exports` only when it
 * finds the package from its own folder, and writes the plain path otherwise. Linked from a
 * checkout (`npm link`, a workspace) the module is no package's, and the code is written: each
 * method one line through one forwarding function (every function costs ~200 bytes of the
 * serializer's wrapping), ~2.1 KB; the host's defaults live in the runtime. Either way one object
 * per kind: the SDK caches serialized providers by object, so each kind is serialized once.
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
