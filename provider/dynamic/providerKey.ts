import type * as pulumi from "@pulumi/pulumi";
import { Bitrix24PartialCreateError } from "../core/lifecycle/allOrNothing";

/**
 * The Node SDK's dynamic-provider host keeps the serialized provider (the shim) under this input
 * key of every resource. It adds the key back to what check, create and update return, except on
 * one path: the properties of a create that failed halfway (ErrorResourceInitFailed), which it
 * passes to the engine as they are — without the key, that resource could not be refreshed,
 * updated or destroyed later, since the host finds its provider there.
 */
export const PROVIDER_KEY = "__provider";

type Props = Record<string, unknown>;

/** Every method of a resource provider but configure (the runtime configures the client). */
export type CoreLifecycle = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

function withoutKey<T>(props: T): T {
  if (props === null || typeof props !== "object" || Array.isArray(props)) return props;
  const { [PROVIDER_KEY]: _shim, ...rest } = props as Props;
  return rest as T;
}

/**
 * The core's lifecycle as the dynamic host must see it: inputs reach the core without the host's
 * key, and a partially created resource keeps the key it came with. The core knows nothing of it.
 */
export function hostedByDynamicProvider(core: CoreLifecycle): CoreLifecycle {
  return {
    check: (olds, news) => core.check(olds, withoutKey(news)),
    diff: (id, olds, news) => core.diff(id, olds, withoutKey(news)),
    create: async (news) => {
      try {
        return await core.create(withoutKey(news));
      } catch (e) {
        if (e instanceof Bitrix24PartialCreateError && news[PROVIDER_KEY] !== undefined)
          e.properties[PROVIDER_KEY] = news[PROVIDER_KEY];
        throw e;
      }
    },
    read: (id, props) => core.read(id, props),
    update: (id, olds, news) => core.update(id, olds, withoutKey(news)),
    delete: (id, props) => core.delete(id, props),
  };
}
