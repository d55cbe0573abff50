import * as fs from "fs";
import * as path from "path";
import { openInBrowser } from "../../provider/cli/io";
import { tempDir } from "../helpers/portal";

/**
 * How `login` opens the authorize page (issue 37): the platform's opener, started only when it is
 * there; when it is not, login says so instead of claiming the page was opened.
 */
const URL_ = "http://127.0.0.1:1/oauth/authorize/?client_id=x&state=y";

test("Linux with a desktop session and xdg-open on PATH: true, and xdg-open gets the address", async () => {
  const bin = tempDir("b24-opener-");
  const got = path.join(bin, "got");
  fs.writeFileSync(path.join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > ${got}\n`, {
    mode: 0o755,
  });
  expect(openInBrowser(URL_, { DISPLAY: ":0", PATH: `${bin}:/usr/bin:/bin` }, "linux")).toBe(true);
  for (let i = 0; i < 200 && !fs.existsSync(got); i++) await new Promise((r) => setTimeout(r, 25));
  expect(fs.readFileSync(got, "utf8")).toBe(URL_);
});

test.each([
  ["Linux without xdg-open", { DISPLAY: ":0" }, "linux"],
  ["Linux without a desktop session", {}, "linux"],
  ["macOS without open", {}, "darwin"],
] as const)("%s: false", (_what, env, platform) => {
  const empty = tempDir("b24-no-opener-");
  expect(openInBrowser(URL_, { ...env, PATH: empty }, platform)).toBe(false);
});
