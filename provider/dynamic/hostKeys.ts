import * as pulumi from "@pulumi/pulumi";
import { Bitrix24PartialCreateError } from "../core/lifecycle/allOrNothing";
import { ObjectProvider } from "../core/lifecycle/objectProvider";

/**
 * The Node SDK's dynamic-provider host keeps the serialized provider (the shim) under this input
 * key of every resource. It adds the key back to what check, create and update return, except on
 * one path: the properties of a create that failed halfway (ErrorResourceInitFailed), which it
 * passes to the engine as they are — without the key, that resource could not be refreshed,
 * updated or destroyed later, since the host finds its provider there.
 */
export const PROVIDER_KEY = "__provider";

/**
 * The resource's URN, an input our program-side classes add: a dynamic provider is told nothing
 * else of which resource a call is for, and the record of a create in flight is kept by resource
 * (core/client/journal/). Not a field of the object: the core never sees it as one.
 */
export const URN_KEY = "__urn";

/**
 * The type token of a dynamic resource of ours: the Node SDK's dynamic provider package
 * (`pulumi-nodejs`), module `dynamic/bitrix24`. The engine serves every such type by the
 * dynamic-provider host, which finds the provider in `__provider`.
 */
export function dynamicType(kind: string): string {
  return `pulumi-nodejs:dynamic/bitrix24:${kind}`;
}

/** The URN the engine gives a dynamic resource of ours (module bitrix24) with this name. */
export function resourceUrn(
  name: string,
  kind: string,
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.Output<string> {
  return pulumi.createUrn(name, dynamicType(kind), opts?.parent);
}

type Props = Record<string, unknown>;

function withoutKeys<T>(props: T): T {
  if (props === null || typeof props !== "object" || Array.isArray(props)) return props;
  const { [PROVIDER_KEY]: _shim, [URN_KEY]: _urn, ...rest } = props as Props;
  return rest as T;
}

function urnOf(props: unknown): string | undefined {
  const v = (props as Props | null)?.[URN_KEY];
  return typeof v === "string" && v.startsWith("urn:pulumi:") ? v : undefined;
}

/** What the dynamic host calls of the core's lifecycle. */
export type CoreLifecycle = Pick<
  ObjectProvider,
  "check" | "diff" | "create" | "read" | "update" | "delete"
>;

/**
 * The core's lifecycle as the dynamic host must see it: inputs reach the core without the host's
 * keys (the URN goes as the resource's name instead), checked inputs keep the URN for create, and
 * a partially created resource keeps the shim it came with. The core knows nothing of either key.
 */
export function hostedByDynamicProvider(
  core: CoreLifecycle,
): Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> {
  return {
    check: async (olds, news) => {
      const r = await core.check(olds, withoutKeys(news));
      const urn = urnOf(news);
      return urn && r.inputs ? { ...r, inputs: { ...r.inputs, [URN_KEY]: urn } } : r;
    },
    diff: (id, olds, news) => core.diff(id, olds, withoutKeys(news), urnOf(news)),
    create: async (news) => {
      try {
        return await core.create(withoutKeys(news), urnOf(news));
      } catch (e) {
        if (e instanceof Bitrix24PartialCreateError && news[PROVIDER_KEY] !== undefined)
          e.properties[PROVIDER_KEY] = news[PROVIDER_KEY];
        throw e;
      }
    },
    read: (id, props) => core.read(id, props),
    update: (id, olds, news) => core.update(id, olds, withoutKeys(news)),
    delete: (id, props) => core.delete(id, props),
  };
}
