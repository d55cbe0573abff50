/**
 * tests/unit runs in-process: while a unit test file runs, opening a connection, listening on a
 * port or starting a child process throws, so a test that needs one fails and is moved to the
 * layer it belongs to (tests/emulator, tests/integration, tests/lifecycle). Restored after the
 * file: jest reuses its workers for the other layers.
 */
// The module object itself (an `import *` namespace has read-only getters).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
import childProcess = require("child_process");
import * as net from "net";

type Patchable = Record<string, unknown>;
const guarded: [Patchable, string, string][] = [
  [net.Socket.prototype as unknown as Patchable, "connect", "opened a connection"],
  [net.Server.prototype as unknown as Patchable, "listen", "listened on a port"],
  // Asynchronous starts go through ChildProcess#spawn; the *Sync functions do not.
  [childProcess.ChildProcess.prototype as unknown as Patchable, "spawn", "started a child process"],
  ...(["spawnSync", "execSync", "execFileSync"] as const).map(
    (name): [Patchable, string, string] => [
      childProcess as unknown as Patchable,
      name,
      "started a child process",
    ],
  ),
];
const originals = guarded.map(([proto, name]) => proto[name]);

// From now on (before the test file itself loads) until the file is done.
for (const [proto, name, what] of guarded)
  proto[name] = () => {
    throw new Error(`a unit test ${what}: tests/unit runs in-process; move it to another layer`);
  };

afterAll(() => {
  guarded.forEach(([proto, name], i) => (proto[name] = originals[i]));
});
