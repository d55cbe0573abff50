import { spawn } from "child_process";
import { Readable } from "stream";

/** What a command talks to; tests give their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Opens a URL in the user's browser; false when none could be started. */
  openBrowser(url: string): boolean;
}

/** The platform's "open this URL" command; on Linux only where a desktop session runs. */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const [cmd, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", '""', url]]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ["xdg-open", [url]]
          : [undefined, []];
  if (!cmd) return false;
  try {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    openBrowser: (url) => openInBrowser(url),
  };
}

/** The first line of `input`, or undefined when it ends or `timeoutMs` passes first. */
export function readLine(input: Readable, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = "";
    const done = (line: string | undefined) => {
      clearTimeout(timer);
      input.off("data", onData);
      input.off("end", onEnd);
      input.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) done(buf.slice(0, nl).trim());
    };
    const onEnd = () => done(buf.trim() || undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}
