import * as net from "net";

/** How often the engine is looked for: a provider left behind ends within about this long. */
export const ENGINE_CHECK_MS = 2000;

/** `host:port`, `[::1]:port` as the engine gives its address; undefined when it is neither. */
export function parseAddress(address: string): { host: string; port: number } | undefined {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!m || !m[1]) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1], port } : undefined;
}

/** Whether something accepts a TCP connection at the address (the engine's gRPC server). */
function reachable(
  at: { host: string; port: number },
  timeoutMs: number,
): Promise<boolean | "unsure"> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: at.host, port: at.port });
    const done = (v: boolean | "unsure") => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done("unsure"));
    socket.once("connect", () => done(true));
    socket.once("error", (e: NodeJS.ErrnoException) =>
      done(e.code === "ECONNREFUSED" ? false : "unsure"),
    );
  });
}

/**
 * Ends this process when the engine that started it is gone. The CLI starts every provider (the
 * native plugin, the dynamic provider's host) in a process group of its own and does not wait for
 * it: when the CLI is killed (a CI job's timeout, Ctrl-C twice) nothing else ends the provider,
 * which would live on under PID 1. The engine's address — given to every provider at start —
 * accepts connections exactly as long as the engine runs; a refused connection means it is gone.
 * (The vendor's Go providers health-check the same address for the same reason.) A look that
 * neither connects nor is refused (a timeout, a busy machine) proves nothing: three in a row do.
 * The timer never keeps the process alive by itself.
 */
export function exitWhenEngineGone(
  address: string | undefined,
  opts: { everyMs?: number; onGone?: () => void } = {},
): () => void {
  const at = address === undefined ? undefined : parseAddress(address);
  if (!at) return () => undefined;
  const every = opts.everyMs ?? ENGINE_CHECK_MS;
  const gone =
    opts.onGone ??
    (() => {
      process.stderr.write(`bitrix24: the Pulumi engine at ${address} is gone; exiting\n`);
      process.exit(1);
    });
  let unsure = 0;
  let stopped = false;
  const timer = setInterval(() => {
    void reachable(at, every).then((up) => {
      if (stopped) return;
      if (up === true) unsure = 0;
      else if (up === false || ++unsure >= 3) {
        stopped = true;
        clearInterval(timer);
        gone();
      }
    });
  }, every);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
