import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { ConnectorProvider } from "../../provider/core/lifecycle/connectorProvider";
import { DatasetProvider } from "../../provider/core/lifecycle/datasetProvider";
import { SourceProvider } from "../../provider/core/lifecycle/sourceProvider";
import { SettingKey } from "../../provider/core/client/settings";
import { JsonObject } from "../../provider/core/schema/spec";
import {
  checked,
  clientWith,
  methodsRun,
  oauthSettings,
  sampleConnector,
  sampleSource,
  seedConnector,
  tempDir,
} from "../helpers/portal";

/**
 * A deployment killed halfway leaves no duplicate (issue 35), in process against the emulator:
 * each "run" is a client of its own (what a new provider process builds: no claims, no memory
 * shared), and only the token store file, where creates in flight are recorded, is shared.
 */
let emu: Emulator;
let settings: Partial<Record<SettingKey, string>>;
let store: string;

beforeEach(async () => {
  emu = await startEmulator({ rateLimit: false, allowPrivateEndpoints: true });
  store = path.join(tempDir("b24-killed-"), "tokens.json");
  settings = oauthSettings(emu, store);
});
afterEach(() => emu.close());

const URN = (stack: string, name: string, type = "Connector") =>
  `urn:pulumi:${stack}::proj::bitrix24:index:${type}::${name}`;

/** A new provider process: its own client (and so its own claims and memory of records). */
const run = () => {
  const client = clientWith(settings);
  return {
    client,
    connectors: new ConnectorProvider(() => client),
    sources: new SourceProvider(() => client),
    datasets: new DatasetProvider(() => client),
  };
};
const adds = () => methodsRun(emu.calls).filter((m) => /\.add$/.test(m)).length;

test("a create whose run died after the add answered: the next run's create takes that object, no add", async () => {
  const killed = run();
  const inputs = await checked(killed.connectors, seedConnector);
  const made = await killed.connectors.create(inputs, URN("dev", "sales"));
  // The engine died before saving this create: the next `up` asks for it again.
  const addsBefore = adds();
  const requestsBefore = emu.calls.length;
  const next = run();
  const again = await next.connectors.create(inputs, URN("dev", "sales"));
  expect(again.id).toBe(made.id);
  expect(adds()).toBe(addsBefore);
  expect(emu.state.connectors.size).toBe(1);
  expect(again.outs).toMatchObject({ title: seedConnector.title });
  console.log(
    `taking over a killed run's connector: ${emu.calls.length - requestsBefore} requests`,
  );
});

test("a run that died between sending the add and reading its answer: the object is looked for and taken", async () => {
  const killed = run();
  const inputs = await checked(killed.connectors, seedConnector);
  // What the killed run left: a record without id, and the object its add made.
  await killed.client.journal?.of(URN("dev", "sales")).begin("connector");
  const made = await run().connectors.create(inputs); // the add that ran (no record of its own)
  const addsBefore = adds();
  const again = await run().connectors.create(inputs, URN("dev", "sales"));
  expect(again.id).toBe(made.id);
  expect(adds()).toBe(addsBefore);
  expect(emu.state.connectors.size).toBe(1);
});

test("records cost no request: a create with its record sends what one without sends", async () => {
  const a = run();
  const inputs = await checked(a.connectors, seedConnector);
  let before = emu.calls.length;
  await a.connectors.create({ ...inputs, title: "without" });
  const without = emu.calls.length - before;
  before = emu.calls.length;
  await a.connectors.create({ ...inputs, title: "with" }, URN("dev", "with"));
  expect(emu.calls.length - before).toBe(without);
});

test("the record ends once the engine shows it holds the object (diff or delete with its id)", async () => {
  const a = run();
  const inputs = await checked(a.connectors, seedConnector);
  const made = await a.connectors.create(inputs, URN("dev", "sales"));
  const entry = () =>
    Object.keys(JSON.parse(fs.readFileSync(store, "utf8")) as object).filter((k) =>
      k.startsWith("BITRIX24_CREATES_"),
    );
  expect(entry()).toHaveLength(1);
  await a.connectors.diff(made.id, made.outs as JsonObject, inputs, URN("dev", "sales"));
  expect(entry()).toHaveLength(0);
  // Created again later (a state deleted by hand): the next create adds anew, as nothing is recorded.
  const b = run();
  await b.connectors.delete(made.id, made.outs as JsonObject, URN("dev", "sales"));
  const again = await b.connectors.create(inputs, URN("dev", "sales"));
  expect(again.id).not.toBe(made.id);
  await b.connectors.delete(again.id, again.outs as JsonObject, URN("dev", "sales"));
  expect(entry()).toHaveLength(0);
});

test("a recorded object that is gone, or no longer fits what is declared, is not taken: an add goes", async () => {
  const a = run();
  const { connectorId } = await sampleSource(emu, a.connectors, a.sources);
  const other = await a.connectors.create(
    await checked(a.connectors, sampleConnector(emu, "Other")),
  );
  const declared = await checked(a.sources, {
    connectorId,
    title: "Warehouse 2",
    settings: { ...emu.sampleConnectorCredentials },
  });
  // Recorded, then deleted by hand before the next run.
  const made = await a.sources.create(declared, URN("dev", "wh2", "Source"));
  emu.state.sources.delete(Number(made.id));
  const again = await run().sources.create(declared, URN("dev", "wh2", "Source"));
  expect(again.id).not.toBe(made.id);
  // Recorded, then the program moved the source to another connector (it cannot move in place).
  const moved = await run().sources.create(
    { ...declared, connectorId: other.id },
    URN("dev", "wh2", "Source"),
  );
  expect(moved.id).not.toBe(again.id);
  expect(emu.state.sources.get(Number(again.id))).toBeDefined(); // left for `orphans` to find
});

test("two stacks declaring identical objects: each run takes back its own, never the other's", async () => {
  const a = run();
  const inputs = await checked(a.connectors, seedConnector);
  const dev = await a.connectors.create(inputs, URN("dev", "sales"));
  const prod = await a.connectors.create(inputs, URN("prod", "sales"));
  expect(prod.id).not.toBe(dev.id);
  const addsBefore = adds();
  expect((await run().connectors.create(inputs, URN("prod", "sales"))).id).toBe(prod.id);
  expect((await run().connectors.create(inputs, URN("dev", "sales"))).id).toBe(dev.id);
  expect(adds()).toBe(addsBefore);
});

test("a dataset killed before its hidden columns were set: taken and finished by the next run", async () => {
  const a = run();
  const { sourceId } = await sampleSource(emu, a.connectors, a.sources);
  const declared = await checked(a.datasets, {
    sourceId,
    name: "killed_deals",
    externalCode: "deals",
    externalName: "Deals",
    fields: [
      { name: "DEAL_ID", type: "int", externalCode: "deal_id" },
      { name: "AMOUNT", type: "double", externalCode: "amount", visible: false },
    ],
  });
  // The killed run: its record, and the add (all columns visible), but no fields.update.
  await a.client.journal?.of(URN("dev", "deals", "Dataset")).begin("dataset");
  const visible = await run().datasets.create({
    ...declared,
    fields: (declared.fields as JsonObject[]).map((f) => ({ ...f, visible: true })),
  });
  const addsBefore = adds();
  const taken = await run().datasets.create(declared, URN("dev", "deals", "Dataset"));
  expect(taken.id).toBe(visible.id);
  expect(adds()).toBe(addsBefore);
  const amount = (taken.outs.fields as JsonObject[]).find((f) => f.name === "AMOUNT");
  expect(amount?.visible).toBe(false);
});

test("a store that cannot be written: the create fails before any add, naming the store", async () => {
  // Webhook credentials: no OAuth session reads the store; only the record of the create does.
  const hooked = await startEmulator({
    rateLimit: false,
    allowPrivateEndpoints: true,
    webhook: { userId: 1, secret: "killedhooksecret" },
  });
  try {
    const folder = path.join(tempDir("b24-killed-"), "tokens.json");
    fs.mkdirSync(folder); // the token store's path is a folder: nothing can be written there
    const client = clientWith({
      webhookUrl: hooked.webhookUrl,
      tokenStore: folder,
      allowPrivateEndpoints: "true",
      rateLimitRps: "1000",
      rateLimitBurst: "1000",
    });
    const connectors = new ConnectorProvider(() => client);
    const inputs = await checked(connectors, seedConnector);
    await expect(connectors.create(inputs, URN("dev", "sales"))).rejects.toThrow(
      new RegExp(`token store ${folder.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    expect(methodsRun(hooked.calls).filter((m) => /\.add$/.test(m))).toHaveLength(0);
  } finally {
    await hooked.close();
  }
});
