import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { main } from "../../provider/cli";
import { readPortal } from "../../provider/cli/adopt/readPortal";
import { DatasetProvider } from "../../provider/core/lifecycle/datasetProvider";
import {
  CONNECTOR_TITLES,
  SeededPortal,
  addDataset,
  adoptEnv,
  seedAdoptPortal,
} from "../helpers/adoptPortal";
import { testIo } from "../helpers/cliIo";
import { clientWith, oauthSettings, tempDir } from "../helpers/portal";
import { namedEncodedForms } from "../hostile/arbitraries";

/**
 * `bitrix24-biconnector adopt` (issue 34) against the emulator, in process: what it reads, what it
 * writes (TypeScript), names that stay across runs, references, no secret anywhere. The written
 * program under the real CLI is tests/cli/adopt.test.ts.
 */
let emu: Emulator;
let seeded: SeededPortal;
let store: string;

beforeEach(async () => {
  emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
  store = path.join(tempDir("b24-adopt-"), "tokens.json");
  seeded = await seedAdoptPortal(emu, clientWith(oauthSettings(emu, store)));
});
afterEach(() => emu.close());

/** Runs adopt with the emulator's application from the environment, as a user's shell has it. */
async function adopt(out: string, ...more: string[]) {
  const t = testIo(adoptEnv(emu, store));
  const before = emu.calls.length;
  const code = await main(["adopt", "--out", out, ...more], t.io);
  return { code, t, requests: emu.calls.length - before };
}

const read = (dir: string, file = "index.ts") => fs.readFileSync(path.join(dir, file), "utf8");

function expectNoSecret(texts: string[]) {
  for (const secret of seeded.secrets)
    for (const form of [secret, ...Object.values(namedEncodedForms(secret))])
      for (const text of texts)
        if (text.includes(form)) throw new Error(`a form of a setting value is shown: ${form}`);
}

test("reads 16 objects in at most ceil(16/50)+5 requests, writes nothing to the portal, and a TypeScript project with every object", async () => {
  const out = path.join(tempDir("b24-out-"), "adopted");
  const writes = emu.writeCalls().length;
  const { code, t, requests } = await adopt(out);
  expect(t.err.join("\n")).toMatch(/read 3 connectors, 5 sources, 8 datasets/);
  expect(code).toBe(0);
  expect(requests).toBeLessThanOrEqual(Math.ceil(16 / 50) + 5);
  console.log(`adopt of 16 objects: ${requests} requests`);
  expect(emu.writeCalls()).toHaveLength(writes);
  expect(fs.readdirSync(out).sort()).toEqual(
    [".bitrix24-adopt.json", "Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"].sort(),
  );
  const program = read(out);
  expect(program.match(/= new Connector\(/g)).toHaveLength(3);
  expect(program.match(/= new Source\(/g)).toHaveLength(5);
  expect(program.match(/= new Dataset\(/g)).toHaveLength(8);
  // titles as they are, quotes and all; names as readable slugs, the id only to break a tie
  for (const title of CONNECTOR_TITLES)
    expect(program).toContain(`title: ${JSON.stringify(title)}`);
  expect(program).toContain('new Connector("sales-db", {');
  expect(program).toContain('new Connector("prodazhi", {');
  expect(program).toContain('new Source("main", {');
  expect(program).toContain(`new Source("main-${seeded.sources[1]}", {`);
  expect(program).toContain('new Source("sklad", {');
  // references, not literal ids; settings from config, as secrets
  expect(program).toContain("connectorId: connectorSalesDb.id,");
  expect(program).toContain("sourceId: sourceMain.id,");
  expect(program).toMatch(/password: config\.requireSecret\("sourceMainPassword"\)/);
  expect(program).toMatch(/token: config\.requireSecret\("sourceSkladToken"\)/);
  // the hidden column is declared hidden; visible ones as the default
  expect(program).toMatch(
    /type: "double",\n\s+name: "AMOUNT",\n\s+externalCode: "amount",\n\s+visible: false,/,
  );
  expect(program.match(/visible: false/g)).toHaveLength(1);
  for (const id of seeded.connectors) expect(program).toContain(`adoptId: ${id},`);

  const printed = [...t.out, ...t.err].join("\n");
  expect(printed).toMatch(
    /pulumi config set --secret sourceMainPassword '<password of source main>'/,
  );
  const files = fs.readdirSync(out).map((f) => read(out, f));
  expectNoSecret([...files, printed]);
});

test("a second run keeps every name and changes the program by exactly the added and the deleted dataset's blocks", async () => {
  const out = path.join(tempDir("b24-out-"), "adopted");
  expect((await adopt(out)).code).toBe(0);
  const first = read(out);
  // One dataset added, another deleted in the portal.
  const datasets = new DatasetProvider(() => clientWith(oauthSettings(emu, store)));
  const added = await addDataset(datasets, seeded.sources[2], 8);
  const gone = seeded.datasets[3];
  emu.state.datasets.delete(Number(gone));
  const second = await adopt(out);
  expect(second.code).toBe(0);
  const now = read(out);
  const removed = first.split("\n").filter((l) => !now.split("\n").includes(l));
  const addedLines = now.split("\n").filter((l) => !first.split("\n").includes(l));
  expect(removed.join("\n")).toContain(`// dataset ${gone}`);
  expect(removed.join("\n")).toContain(`adoptId: ${gone},`);
  expect(addedLines.join("\n")).toContain(`// dataset ${added}`);
  // nothing else moved: every other block is there as it was
  const blocks = (text: string) =>
    text.split("\n\n").filter((b) => /^\/\/ (connector|source|dataset) \d+/.test(b));
  const kept = blocks(first).filter((b) => !b.startsWith(`// dataset ${gone}\n`));
  expect(blocks(now).filter((b) => !b.startsWith(`// dataset ${added}\n`))).toEqual(kept);
  expect(second.t.out.join("\n")).toMatch(
    new RegExp(`gone from the portal: dataset ${gone} \\(was deals-3\\)`),
  );
  expect(second.t.out.join("\n")).toMatch(new RegExp(`new: dataset ${added} as deals-8`));
});

test("--connector by title: that connector, its sources and their datasets only", async () => {
  const out = path.join(tempDir("b24-out-"), "one");
  const { code } = await adopt(out, "--connector", "Продажи 🚀");
  expect(code).toBe(0);
  const program = read(out);
  expect(program.match(/= new Connector\(/g)).toHaveLength(1);
  expect(program.match(/= new Source\(/g)).toHaveLength(1);
  expect(program.match(/= new Dataset\(/g)).toHaveLength(2);
});

test("an --out that exists and is not adopt's is refused, and nothing is written there", async () => {
  const out = tempDir("b24-out-");
  fs.writeFileSync(path.join(out, "notes.txt"), "mine");
  const { code, t } = await adopt(out);
  expect(code).toBe(2);
  expect(t.err.join("\n")).toMatch(/exists and is not empty/);
  expect(fs.readdirSync(out)).toEqual(["notes.txt"]);
});

test("a portal answer it cannot read names the object and the field, and writes nothing", async () => {
  const [first] = [...emu.state.connectors.values()];
  first.fields.sort = { toString: 1 } as never;
  const out = path.join(tempDir("b24-out-"), "adopted");
  const { code, t } = await adopt(out);
  expect(code).toBe(1);
  expect(t.err.join("\n")).toMatch(/biconnector\.connector\.list.*connector\[?.*sort/);
  expect(fs.existsSync(out)).toBe(false);
});

test("a long read says it is alive on stderr: requests so far and the time spent", async () => {
  await emu.close();
  // A portal 400 ms away: every request takes a while.
  emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true, latencyMs: 400 });
  store = path.join(tempDir("b24-adopt-"), "tokens.json");
  seeded = await seedAdoptPortal(emu, clientWith(oauthSettings(emu, store)));
  const lines: string[] = [];
  const objects = await readPortal(
    clientWith(oauthSettings(emu, store)),
    undefined,
    (l) => lines.push(l),
    300,
  );
  expect(objects.dataset).toHaveLength(8);
  expect(lines.some((l) => /^still reading: \d+ requests in \d+ s/.test(l))).toBe(true);
  expect(lines.join("\n")).toMatch(/read 3 connectors, 5 sources, 8 datasets/);
}, 120_000);
