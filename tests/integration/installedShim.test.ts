/**
 * The `__provider` text of a program whose package is installed as npm installs it (a folder under
 * node_modules, not a link to a checkout): one `require` of the kind's shim module by package name,
 * ~100 bytes, not the SDK's serialization of it (~330 bytes) nor the shim's code (~2 KB) — issue
 * 38: the engine rewrites the whole state after each step. Run in a child Node process, as a
 * program runs: the package's own module paths decide the text, and jest replaces Node's require.
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

test("installed under node_modules, each kind's state holds one require of its shim, and it runs", () => {
  const project = tempDir("b24-installed-");
  const pkg = path.join(project, "node_modules", "pulumi-bitrix24-biconnector");
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(pkg, "package.json"));
  fs.cpSync(path.join(ROOT, "dist"), path.join(pkg, "dist"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"), "dir");
  const sdk = path.join(ROOT, "node_modules", "@pulumi", "pulumi");
  // A program declaring one resource of each kind, under the SDK's mocks: what it registers.
  const texts = JSON.parse(
    node(
      `const pulumi = require(${JSON.stringify(sdk)});
       const texts = {};
       pulumi.runtime.setMocks({
         newResource: (args) => {
           texts[args.type] = args.inputs.__provider;
           return { id: "1", state: args.inputs };
         },
         call: () => ({}),
       }, "project", "stack", false);
       const b24 = require("pulumi-bitrix24-biconnector");
       const c = new b24.Connector("c", { title: "C", logo: "https://e.com/l.png",
         urlCheck: "https://e.com/c", urlTableList: "https://e.com/t",
         urlTableDescription: "https://e.com/d", urlData: "https://e.com/r", settings: [] });
       const s = new b24.Source("s", { connectorId: c.id, title: "S", settings: { login: "x" } });
       const d = new b24.Dataset("d", { sourceId: s.id, externalCode: "t", externalName: "t",
         fields: [{ externalCode: "a", type: "string", name: "A" }] });
       pulumi.all([c.id, s.id, d.id]).apply(() => setTimeout(() => console.log(JSON.stringify(texts)), 50));`,
      project,
    ),
  ) as Record<string, string>;
  expect(Object.keys(texts).sort()).toEqual([
    "pulumi-nodejs:dynamic/bitrix24:Connector",
    "pulumi-nodejs:dynamic/bitrix24:Dataset",
    "pulumi-nodejs:dynamic/bitrix24:Source",
  ]);
  for (const [type, text] of Object.entries(texts)) {
    const kind = type.split(":").pop()!.toLowerCase();
    expect(text).toBe(
      `exports.handler=()=>require("pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/${kind}.js")`,
    );
  }
  // The text works as the dynamic provider's host runs it, from the program's folder: evaluated,
  // handler() gives the provider, whose check reaches the installed package's logic (no portal
  // needed to check).
  const checked = node(
    `const requireFromString = require(require.resolve("require-from-string", { paths: [${JSON.stringify(sdk)}] }));
     const provider = requireFromString(${JSON.stringify(texts["pulumi-nodejs:dynamic/bitrix24:Connector"])}).handler();
     provider.check({}, { title: "", logo: "x" }).then(
       (r) => console.log(JSON.stringify(r.failures.map((f) => f.property))),
       (e) => { console.error(e); process.exit(1); });`,
    project,
  );
  expect(JSON.parse(checked)).toEqual(expect.arrayContaining(["title", "urlCheck"]));
});
