import axios from "axios";
import { spawn } from "child_process";
import * as path from "path";
import { main } from "../../provider/cli";
import { printed, testIo } from "../helpers/cliIo";
import { tempDir } from "../helpers/portal";

/**
 * `npm run emulator`, then the login command it prints, as a newcomer runs them (issue 37): the
 * emulator as its own process, its application's handler login's default callback, so the browser
 * step (here: following the authorize page's redirect) lands on login's listener, not on raw JSON.
 */
const ROOT = path.resolve(__dirname, "../..");

test("the emulator prints a login command that works as printed (the variables it exports set)", async () => {
  const emulator = spawn(
    process.execPath,
    [path.join(ROOT, "emulator", "dist", "cli.js"), "--port", "0", "--no-rate-limit"],
    { env: { PATH: process.env.PATH, HOME: tempDir("b24-home-") } },
  );
  const lines: string[] = [];
  let buf = "";
  emulator.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split("\n");
    buf = parts.pop() as string;
    lines.push(...parts);
  });
  try {
    const [, command] = await printed(lines, /^#\s+npx bitrix24-biconnector (login .*)$/);
    expect(lines.join("\n")).toMatch(/redirects to http:\/\/127\.0\.0\.1:8765\/callback/);
    const exported = Object.fromEntries(
      lines.flatMap((l) => {
        const m = /^export (\w+)=(.*)$/.exec(l);
        return m ? [[m[1], m[2]]] : [];
      }),
    ) as Record<string, string>;
    const t = testIo({
      BITRIX24_CLIENT_SECRET: exported.BITRIX24_CLIENT_SECRET,
      BITRIX24_TOKEN_STORE: path.join(tempDir("b24-login-"), "tokens.json"),
    });
    const exit = main([...command.split(" "), "--no-browser", "--timeout", "20"], t.io);
    const [authorize] = await printed(t.out, /^\s+(http\S+oauth\/authorize\/\S+)$/);
    const page = await axios.get(authorize.trim(), { maxRedirects: 5, validateStatus: () => true });
    expect(String(page.data)).toMatch(/Signed in/);
    expect(await exit).toBe(0);
    expect(t.out.join("\n")).toMatch(/Signed in: the token pair/);
  } finally {
    emulator.kill();
  }
});
