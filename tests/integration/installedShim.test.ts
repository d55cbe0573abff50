/**
 * The `__provider` text of a program whose package is installed as npm installs it (a folder under
 * node_modules, not a link to a checkout): the Node SDK's serializer names the shim's module
 * instead of writing its code, so every resource's state carries a few hundred bytes, not ~2 KB
 * (issue 38: the engine rewrites the whole state after each step). Run in a child Node process:
 * the serializer looks modules up in Node's own require cache, which jest replaces.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";

const ROOT = path.resolve(__dirname, "..", "..");

/** Runs `script` (CommonJS) with Node in `cwd`; returns what it printed. */
function node(script: string, cwd: string): string {
  return execFileSync(process.execPath, ["-e", script], { cwd, encoding: "utf8", timeout: 60_000 });
}

test("installed under node_modules, the state holds a require of the kind's shim, and it runs", () => {
  const project = tempDir("b24-installed-");
  const pkg = path.join(project, "node_modules", "pulumi-bitrix24-biconnector");
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(pkg, "package.json"));
  fs.cpSync(path.join(ROOT, "dist"), path.join(pkg, "dist"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"), "dir");
  const sdk = path.join(ROOT, "node_modules", "@pulumi", "pulumi");
  const texts = JSON.parse(
    node(
      `const { serializeFunction } = require(${JSON.stringify(path.join(sdk, "runtime", "closure", "serializeClosure"))});
       (async () => {
         const out = {};
         for (const kind of ["connector", "source", "dataset"]) {
           // What the Connector class hands the SDK: the kind module's exports (the SDK serializes
           // \`() => provider\`, as its dynamic.Resource does).
           const shim = require(${JSON.stringify(pkg)} + "/dist/provider/dynamic/shims/" + kind + ".js");
           out[kind] = (await serializeFunction(() => shim, { allowSecrets: true })).text;
         }
         console.log(JSON.stringify(out));
       })();`,
      project,
    ),
  ) as Record<string, string>;
  for (const [kind, text] of Object.entries(texts)) {
    expect(text).toContain(
      `require("pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/${kind}.js")`,
    );
    expect(text.length).toBeLessThan(600);
  }
  // The text works as the dynamic provider's host runs it: evaluated, handler() gives the
  // provider, whose check reaches the installed package's logic (no portal needed to check).
  const checked = node(
    `const requireFromString = require(require.resolve("require-from-string", { paths: [${JSON.stringify(sdk)}] }));
     const provider = requireFromString(${JSON.stringify(texts.connector)}).handler();
     provider.check({}, { title: "", logo: "x" }).then(
       (r) => console.log(JSON.stringify(r.failures.map((f) => f.property))),
       (e) => { console.error(e); process.exit(1); });`,
    project,
  );
  expect(JSON.parse(checked)).toEqual(expect.arrayContaining(["title", "urlCheck"]));
});
