import { Call } from "../request";
import { readEnvelope } from "./envelope";
import { Bitrix24Error } from "../../errors/errors";
import { OperatingBudget } from "../limits/operatingBudget";
import { Transport } from "./transport";

/**
 * The bottom layer: the call as one HTTP POST of its params, the answer read as an envelope. The
 * operating budget learns each answer's reset times and dates an OPERATION_TIME_LIMIT without one.
 */
export function httpCall(
  transport: Transport,
  defaultTimeoutMs: number,
  maxResponseBytes?: number,
  budget: OperatingBudget = new OperatingBudget(),
): Call {
  return async (req) => {
    if (!req.url) throw new Error(`${req.method}: no URL (the auth layer sets it)`);
    const { status, data } = await transport({
      url: req.url,
      json: req.params,
      timeoutMs: req.timeoutMs ?? defaultTimeoutMs,
      signal: req.signal,
      label: req.method,
      maxBytes: maxResponseBytes,
    });
    budget.learn(req.method, req.params, data);
    try {
      return readEnvelope(req.method, status, data);
    } catch (e) {
      throw e instanceof Bitrix24Error ? budget.withReset(e) : e;
    }
  };
}
