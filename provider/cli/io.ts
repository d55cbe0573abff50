import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
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

/** Whether an executable of this name is in one of PATH's folders. */
function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir || ".", cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The platform's "open this URL" command; on Linux only where a desktop session runs. False when
 * there is none: no session, or the opener is not on PATH (spawn would fail only later, after the
 * caller said the page was opened).
 */
export function openInBrowser(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  const [cmd, args] =
    platform === "darwin"
      ? ["open", [url]]
      : platform === "win32"
        ? ["cmd", ["/c", "start", '""', url]]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? ["xdg-open", [url]]
          : [undefined, []];
  if (!cmd || (platform !== "win32" && !onPath(cmd, env))) return false;
  try {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true, env });
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

/**
 * Text from outside (a browser's query, a paste) made safe for a terminal: every control character
 * shown as an escape (`\x1b`, `\n`), so none can move the cursor, recolour or rewrite what was
 * printed; cut to `max` characters.
 */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === "\n"
      ? "\\n"
      : c === "\r"
        ? "\\r"
        : c === "\t"
          ? "\\t"
          : c.charCodeAt(0) < 0x100
            ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
            : `\\u${c.charCodeAt(0).toString(16)}`,
  );
  return escaped.length > max
    ? `${escaped.slice(0, max)}… (${escaped.length} characters)`
    : escaped;
}

/** What reading a line gave: the line, the end of the input, or nothing within the time. */
export type LineRead = { line: string } | { ended: true } | { timedOut: true };

/** The first line of `input` (its last one, unterminated, when it ends), bounded by `timeoutMs`. */
export function readLine(input: Readable, timeoutMs: number): Promise<LineRead> {
  return new Promise((resolve) => {
    let buf = "";
    const done = (result: LineRead) => {
      clearTimeout(timer);
      input.off("data", onData);
      input.off("end", onEnd);
      input.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) done({ line: buf.slice(0, nl).trim() });
    };
    const onEnd = () => done(buf.trim() ? { line: buf.trim() } : { ended: true });
    const timer = setTimeout(() => done({ timedOut: true }), timeoutMs);
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}
