import { Bitrix24Client } from "../client/client";
import { Bitrix24DeadlineError, Bitrix24TransportError } from "../client/errors";

/**
 * Ids this process created or adopted, per portal: a lost-response reconciliation never adopts an
 * object that another resource of the same deployment already owns.
 */
const claimed = new Set<string>();

export function claim(portal: string, object: string, id: number | string): void {
  claimed.add(`${portal}|${object}:${id}`);
}

export function isClaimed(portal: string, object: string, id: number | string): boolean {
  return claimed.has(`${portal}|${object}:${id}`);
}

/**
 * `add` is not idempotent: when its answer is lost (reset, timeout, 5xx) the object may exist.
 * Before adding again, `findCommitted` looks for it (e.g. list by title, same fields, unclaimed);
 * if found it is adopted, otherwise the add is repeated — nothing lost, nothing duplicated.
 */
export async function addExactlyOnce(
  client: Bitrix24Client,
  object: string,
  add: () => Promise<number>,
  findCommitted: () => Promise<number | undefined>,
): Promise<number> {
  const deadline = Date.now() + client.settings.operationTimeoutMs;
  let delay = client.settings.retryBaseDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const id = await add();
      claim(client.settings.portal, object, id);
      return id;
    } catch (e) {
      if (!(e instanceof Bitrix24TransportError)) throw e;
      const found = await findCommitted();
      if (found !== undefined) {
        claim(client.settings.portal, object, found);
        return found;
      }
      if (Date.now() + delay >= deadline)
        throw new Bitrix24DeadlineError(
          e.method,
          attempt,
          e.reason,
          client.settings.operationTimeoutMs,
        );
      await new Promise((r) => setTimeout(r, Math.random() * delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}
