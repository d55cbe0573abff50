import { Call } from "./call";
import { readEnvelope } from "./envelope";
import { Transport } from "./transport";

/** The bottom layer: the call as one HTTP POST of its params, the answer read as an envelope. */
export function httpCall(
  transport: Transport,
  defaultTimeoutMs: number,
  maxResponseBytes?: number,
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
    return readEnvelope(req.method, status, data);
  };
}
