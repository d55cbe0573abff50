import { PassThrough } from "stream";
import { CliIo } from "../../provider/cli/io";
import { tempDir } from "./portal";

/** A command's terminal for a test: what it printed, a stdin to write to, no browser. */
export function testIo(env: NodeJS.ProcessEnv = {}, cwd = tempDir("b24-cwd-")) {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = new PassThrough();
  const opened: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stdin,
    env: { HOME: tempDir("b24-home-"), ...env },
    cwd,
    openBrowser: (url) => {
      opened.push(url);
      return true;
    },
  };
  return { io, out, err, stdin, opened, text: () => [...out, ...err].join("\n") };
}

/** Waits (bounded, ~5 s) until a command printed a line matching `re`. */
export async function printed(lines: string[], re: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 500; i++) {
    for (const l of lines) {
      const m = l.match(re);
      if (m) return m;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not printed: ${re}; got:\n${lines.join("\n")}`);
}
