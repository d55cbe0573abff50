import { Bitrix24ProviderError } from "../errors/errors";
import { RedactedError } from "../errors/redact";
import { JsonObject } from "../schema/spec";

/**
 * A create whose object exists on the portal but could not be finished, and could not be removed
 * either. The Node dynamic-provider host turns an error carrying `id` and `properties` into an
 * "initialization failed" answer (ErrorResourceInitFailed): the engine keeps the resource in state
 * with these outputs, and the next `up` runs an update of it even when nothing changed — so the
 * object is finished, or deleted by `destroy`, with no manual work and no NAME_EXISTS.
 */
export class Bitrix24PartialCreateError extends RedactedError {
  /** Read by the dynamic-provider host: the engine records these outputs for this id. */
  readonly properties: JsonObject;
  readonly reasons: string[];
  constructor(
    readonly id: string,
    properties: JsonObject,
    message: string,
    cause: unknown,
  ) {
    super(message, { cause });
    this.properties = properties;
    this.reasons = [this.message];
    this.scrub();
  }
}

export interface Unfinished {
  /** "Dataset 12" */
  what: string;
  id: string;
  /** Removes the object (bounded by the operation's deadline). */
  remove: () => Promise<void>;
  /**
   * Outputs to keep in state when removal fails too: the object's real outputs when they were read,
   * else undefined.
   */
  partial: () => JsonObject | undefined;
}

/**
 * Runs the steps after a successful `add`; if one fails, removes what was added so that the next
 * `up` starts clean. If the removal fails as well, the object is handed to the engine as a
 * partially created resource (Bitrix24PartialCreateError), or — when not even its outputs are
 * known — the error says which object is left and how to take it over.
 */
export async function finishOrRemove<T>(u: Unfinished, steps: () => Promise<T>): Promise<T> {
  try {
    return await steps();
  } catch (failed) {
    const why = failed instanceof Error ? failed.message : String(failed);
    try {
      await u.remove();
    } catch (removal) {
      const props = u.partial();
      const left =
        `${u.what} was created but could not be finished (${why}), and removing it failed too ` +
        `(${removal instanceof Error ? removal.message : String(removal)})`;
      if (props)
        throw new Bitrix24PartialCreateError(
          u.id,
          props,
          `${left}: it is kept in state as partially created; the next \`pulumi up\` finishes it.`,
          failed,
        );
      throw new Bitrix24ProviderError(
        `${left}: take it over with adoptId: ${u.id}, or delete it in the portal.`,
        { cause: failed },
      );
    }
    throw new Bitrix24ProviderError(
      `${why} — ${u.what} was created, then removed again so that the next \`pulumi up\` starts clean.`,
      { cause: failed },
    );
  }
}
