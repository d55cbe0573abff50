import axios from "axios";
import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import {
  CLI,
  Deployment,
  ROOT,
  deployment,
  expectNoPlaintext,
  filesUnder,
  emulatorAndPlugin,
  readmeBlock,
  runIn,
} from "./cliRun";
import { connectorYaml } from "./yamlConnector";

/**
 * Pulumi YAML under the real CLI (the YAML host of `npm run pulumi:install`, the native plugin on
 * PATH) against the emulator: examples/yaml-quickstart as it ships, and `pulumi import` of objects
 * made by hand.
 */
const cli = emulatorAndPlugin();

interface Project {
  d: Deployment;
  dir: string;
  /** One `pulumi` command in the project; fails the test with the CLI's output unless `mayFail`. */
  pulumi: (args: string[], mayFail?: boolean) => Promise<{ ok: boolean; output: string }>;
  /** Every secret the stack was given. */
  secrets: string[];
  /** The environment the test adds to every command (the emulator's, not the program's). */
  vars: Record<string, string>;
}

/**
 * `program` (a folder of examples/, or YAML text) as a project of its own with stack `dev`,
 * configured the way examples/yaml-quickstart's comments say: the portal's credentials as stack
 * config (`bitrix24:*`, secrets encrypted), as BITRIX24_* environment variables, or left to the
 * program (explicit providers). The emulator's token server, its loopback endpoints and a token
 * store come from the environment: the test's, not the example's.
 */
async function yamlProject(
  program: { example: string } | { yaml: string },
  credentials: "stack config" | "environment" | "program" = "stack config",
  extraVars: Record<string, string> = {},
): Promise<Project> {
  const d = deployment();
  const dir = path.join(d.workDir, "project");
  if ("example" in program)
    fs.cpSync(path.join(ROOT, "examples", program.example), dir, { recursive: true });
  else {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program.yaml);
  }
  const s = cli.emu.providerSettings("");
  const pair = cli.emu.oauth.issue(s.clientId);
  const vars: Record<string, string> = {
    BITRIX24_OAUTH_URL: s.oauthUrl,
    BITRIX24_ALLOW_PRIVATE_ENDPOINTS: "true",
    BITRIX24_TOKEN_STORE: path.join(d.workDir, "tokens.json"),
    ...(credentials === "environment"
      ? {
          BITRIX24_PORTAL_URL: s.portalUrl,
          BITRIX24_CLIENT_ID: s.clientId,
          BITRIX24_CLIENT_SECRET: s.clientSecret,
          BITRIX24_REFRESH_TOKEN: pair.refreshToken,
        }
      : {}),
    ...extraVars,
  };
  const pulumi = async (args: string[], mayFail = false) => {
    const r = await runIn(d, dir, CLI, args, { vars, morePath: [cli.pluginBin] });
    if (!r.ok && !mayFail) throw new Error(`pulumi ${args.join(" ")}:\n${r.output.slice(-4000)}`);
    return r;
  };
  await pulumi(["stack", "init", "dev"]);
  const { login, password } = cli.emu.sampleConnectorCredentials;
  const stackCredentials = [
    ["bitrix24:portalUrl", s.portalUrl],
    ["bitrix24:clientId", s.clientId],
    ["--secret", "bitrix24:clientSecret", s.clientSecret],
    ["--secret", "bitrix24:refreshToken", pair.refreshToken],
  ];
  for (const args of [
    ...(credentials === "stack config" ? stackCredentials : []),
    ["endpointBaseUrl", cli.emu.sampleConnectorUrl],
    ["dbLogin", login],
    ["--secret", "dbPassword", password],
  ])
    await pulumi(["config", "set", ...args]);
  return {
    d,
    dir,
    pulumi,
    secrets: [s.clientSecret, pair.refreshToken, password],
    vars,
  };
}

/** A biconnector call made by hand, as a one-off script would (outside Pulumi, its own token). */
async function byHand(method: string, params: object): Promise<unknown> {
  const { accessToken } = cli.emu.oauth.issue(cli.emu.providerSettings("").clientId);
  const r = await axios.post(`${cli.emu.portalUrl}rest/${method}`, {
    auth: accessToken,
    ...params,
  });
  const body = r.data as { result?: unknown; error?: unknown };
  if (body.error || (body.result as { error?: unknown })?.error)
    throw new Error(`${method}: ${JSON.stringify(body)}`);
  return body.result;
}

/** Everything Pulumi keeps of a project's stack, for the plaintext search. */
async function kept(p: Project): Promise<{ file: string; text: string }[]> {
  const exported = await p.pulumi(["stack", "export"]);
  return [
    ...filesUnder(p.d.state),
    { file: "Pulumi.dev.yaml", text: fs.readFileSync(path.join(p.dir, "Pulumi.dev.yaml"), "utf8") },
    { file: "pulumi stack export", text: exported.output },
  ];
}

const UP = ["up", "--yes", "--non-interactive", "--skip-preview"];

describe("examples/yaml-quickstart as it ships", () => {
  test("up (its invoke returns what the portal holds), drift reported by refresh, up repairs, a bad input fails at preview, no secret in plaintext, destroy", async () => {
    const p = await yamlProject({ example: "yaml-quickstart" });
    // A connector made by hand whose title contains "Ware": the program's listConnectors finds it.
    const legacy = (await byHand("biconnector.connector.add", {
      fields: {
        title: "Ware made by hand",
        logo: "https://connector.example.com/logo.svg",
        urlCheck: "https://connector.example.com/check",
        urlTableList: "https://connector.example.com/table_list",
        urlTableDescription: "https://connector.example.com/table_description",
        urlData: "https://connector.example.com/data",
        settings: [{ name: "Login", code: "login", type: "STRING" }],
      },
    })) as { id: number };
    const before = cli.emu.state.connectors.size;
    await p.pulumi(UP);
    expect(cli.emu.state.connectors.size).toBe(before + 1);
    const outputs = JSON.parse((await p.pulumi(["stack", "output", "--json"])).output) as {
      connectorId: string;
      sourceId: string;
      connectorsNamedWare: { id: string; title: string }[];
    };
    const ware = [...cli.emu.state.connectors.values()].filter((c) =>
      String(c.fields.title).includes("Ware"),
    );
    for (const item of outputs.connectorsNamedWare)
      expect(ware.map((c) => [String(c.id), c.fields.title])).toContainEqual([item.id, item.title]);
    expect(outputs.connectorsNamedWare.map((c) => c.id)).toContain(String(legacy.id));

    const source = cli.emu.state.sources.get(Number(outputs.sourceId));
    expect(source?.fields.title).toBe("Warehouse DB");
    source!.fields.title = "Renamed in the portal";
    const refresh = await p.pulumi(["refresh", "--yes", "--non-interactive", "--diff"]);
    expect(refresh.output).toMatch(/~ title\s*:\s*"Warehouse DB" => "Renamed in the portal"/);
    await p.pulumi(UP);
    expect(source!.fields.title).toBe("Warehouse DB");

    // A bad input fails at preview, naming the property; nothing reaches the portal.
    const calls = cli.emu.calls.length;
    const bad = await p.pulumi(
      ["preview", "--non-interactive", "--config", "endpointBaseUrl=not a url"],
      true,
    );
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/property urlCheck value .*not a url/);
    expect(cli.emu.calls.slice(calls).filter((c) => !/\.list$|^batch$/.test(c.method))).toEqual([]);
    await p.pulumi(["config", "set", "endpointBaseUrl", cli.emu.sampleConnectorUrl]); // --config saved it

    expectNoPlaintext(await kept(p), p.secrets);
    await p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    expect([...cli.emu.state.connectors.keys()]).toEqual([legacy.id]);
    expect(cli.emu.state.sources.size + cli.emu.state.datasets.size).toBe(0);
    await byHand("biconnector.connector.delete", { id: legacy.id });
  });
});

/** A connector on the emulator's sample endpoints, a source of it and a dataset, made by hand. */
async function madeByHand(
  title: string,
): Promise<{ connector: number; source: number; dataset: number }> {
  const base = cli.emu.sampleConnectorUrl;
  const { id: connector } = (await byHand("biconnector.connector.add", {
    fields: {
      title,
      logo: "https://connector.example.com/logo.svg",
      urlCheck: `${base}/check`,
      urlTableList: `${base}/table_list`,
      urlTableDescription: `${base}/table_description`,
      urlData: `${base}/data`,
      settings: [
        { name: "Login", code: "login", type: "STRING" },
        { name: "Password", code: "password", type: "STRING" },
      ],
    },
  })) as { id: number };
  const { id: source } = (await byHand("biconnector.source.add", {
    fields: {
      title: `${title} DB`,
      connectorId: connector,
      settings: cli.emu.sampleConnectorCredentials,
    },
  })) as { id: number };
  const { id: dataset } = (await byHand("biconnector.dataset.add", {
    fields: {
      sourceId: source,
      name: `${title.toLowerCase()}_deals`,
      externalCode: "deals",
      externalName: "Deals",
      fields: [
        { type: "int", name: "DEAL_ID", externalCode: "deal_id" },
        { type: "double", name: "AMOUNT", externalCode: "amount" },
      ],
    },
  })) as { id: number };
  return { connector, source, dataset };
}

/** The `resources:` entries of generated YAML, appended to the project's Pulumi.yaml. */
function addToProgram(p: Project, generated: string): void {
  const entries = generated.slice(generated.indexOf("resources:") + "resources:".length);
  const file = path.join(p.dir, "Pulumi.yaml");
  const program = fs.readFileSync(file, "utf8");
  const header = /^resources:/m.test(program) ? "" : "resources:";
  fs.appendFileSync(file, header + entries.replace(/^\n+/, "\n").trimEnd() + "\n");
}

/**
 * The literal ids the generated code holds (`connectorId: '7'`) replaced with references to the
 * imported resources (`${legacy.id}`): imported resources carry no dependencies until the program
 * declares them, and without them a destroy deletes a connector beside its sources.
 */
function useReferences(p: Project, names: Record<string, number>): void {
  const file = path.join(p.dir, "Pulumi.yaml");
  let program = fs.readFileSync(file, "utf8");
  for (const [name, id] of Object.entries(names))
    program = program.replace(
      new RegExp(`((?:connectorId|sourceId): )'${id}'`, "g"),
      (_, key: string) => `${key}\${${name}.id}`,
    );
  fs.writeFileSync(file, program);
}

const PROGRAM = [
  "name: imports",
  "runtime: yaml",
  "config:",
  "  dbPassword:",
  "    type: string",
  "    secret: true",
  "",
].join("\n");

describe("pulumi import into a YAML project", () => {
  test("a connector, a source and a dataset made by hand, one at a time: in state, the generated YAML (no secret in it) previews with no changes (also with the settings from config), destroy deletes them from the portal", async () => {
    const p = await yamlProject({ yaml: PROGRAM });
    const ids = await madeByHand("Legacy");
    // README's import block, as written, in the project's folder.
    const block = readmeBlock("import-yaml");
    const ran = await runIn(p.d, p.dir, "bash", ["-euo", "pipefail", "-c", block], {
      vars: {
        ...p.vars,
        CONNECTOR_ID: String(ids.connector),
        SOURCE_ID: String(ids.source),
        DATASET_ID: String(ids.dataset),
      },
      morePath: [cli.pluginBin],
    });
    if (!ran.ok) throw new Error(ran.output);
    const generated = ["legacy", "legacyDb", "legacyDeals"].map((name) =>
      fs.readFileSync(path.join(p.dir, `${name}.yaml`), "utf8"),
    );
    const state = JSON.parse((await p.pulumi(["stack", "export"])).output) as {
      deployment: { resources: { type: string; id?: string }[] };
    };
    expect(
      state.deployment.resources
        .filter((r) => r.type.startsWith("bitrix24:index:"))
        .map((r) => r.id),
    ).toEqual([ids.connector, ids.source, ids.dataset].map(String));
    // The generated code holds no secret, not even marked as one; the state keeps it, encrypted.
    expectNoPlaintext(
      generated.map((text, i) => ({ file: `generated YAML ${i + 1}`, text })),
      [cli.emu.sampleConnectorCredentials.password],
    );
    expect(generated[1]).toMatch(/settings: \{\}/);
    expectNoPlaintext(await kept(p), p.secrets);

    for (const text of generated) addToProgram(p, text);
    await p.pulumi(["preview", "--non-interactive", "--expect-no-changes"]);
    // The safe way to manage an imported source's settings: from config, the password a secret.
    const program = fs.readFileSync(path.join(p.dir, "Pulumi.yaml"), "utf8");
    fs.writeFileSync(
      path.join(p.dir, "Pulumi.yaml"),
      program.replace(
        "settings: {}",
        `settings:\n        login: ${cli.emu.sampleConnectorCredentials.login}\n        password: \${dbPassword}`,
      ),
    );
    await p.pulumi(["preview", "--non-interactive", "--expect-no-changes"]);
    useReferences(p, { legacy: ids.connector, legacyDb: ids.source });
    await p.pulumi([...UP, "--expect-no-changes"]);

    await p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    expect(cli.emu.state.connectors.has(ids.connector)).toBe(false);
    expect(cli.emu.state.sources.has(ids.source)).toBe(false);
    expect(cli.emu.state.datasets.has(ids.dataset)).toBe(false);
  });

  test("the bulk form (--file) with several resources: no secret in the generated YAML, no changes at preview, destroy after the ids become references", async () => {
    const p = await yamlProject({ yaml: PROGRAM });
    const a = await madeByHand("Alpha");
    const b = await madeByHand("Beta");
    const file = path.join(p.d.workDir, "import.json");
    const resources = [a, b].flatMap((ids, i) => [
      { type: "bitrix24:index:Connector", name: `connector${i}`, id: String(ids.connector) },
      { type: "bitrix24:index:Source", name: `source${i}`, id: String(ids.source) },
      { type: "bitrix24:index:Dataset", name: `dataset${i}`, id: String(ids.dataset) },
    ]);
    fs.writeFileSync(file, JSON.stringify({ resources }));
    const out = path.join(p.d.workDir, "bulk.yaml");
    await p.pulumi([
      "import",
      "--file",
      file,
      "--yes",
      "--non-interactive",
      "--protect=false",
      "--out",
      out,
    ]);
    const generated = fs.readFileSync(out, "utf8");
    expectNoPlaintext(
      [{ file: "generated YAML", text: generated }],
      [cli.emu.sampleConnectorCredentials.password],
    );
    addToProgram(p, generated);
    await p.pulumi(["preview", "--non-interactive", "--expect-no-changes"]);
    useReferences(p, {
      connector0: a.connector,
      source0: a.source,
      connector1: b.connector,
      source1: b.source,
    });
    await p.pulumi([...UP, "--expect-no-changes"]);
    await p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    for (const ids of [a, b]) {
      expect(cli.emu.state.connectors.has(ids.connector)).toBe(false);
      expect(cli.emu.state.datasets.has(ids.dataset)).toBe(false);
    }
  });
});

describe("provider config the ways the CLI hands it to a native plugin", () => {
  test("the environment alone (BITRIX24_*), no bitrix24 stack config", async () => {
    const p = await yamlProject(
      { yaml: `name: from-env\nruntime: yaml\nresources:\n${connectorYaml("fromEnv")}` },
      "environment",
    );
    expect(fs.readFileSync(path.join(p.dir, "Pulumi.dev.yaml"), "utf8")).not.toMatch(/bitrix24:/);
    const before = cli.emu.state.connectors.size;
    await p.pulumi(UP);
    expect(cli.emu.state.connectors.size).toBe(before + 1);
    await p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    expect(cli.emu.state.connectors.size).toBe(before);
  });

  test("two explicit pulumi:providers:bitrix24 resources, one per portal, with their own arguments (secrets from config, a typed number): each connector lands on its own portal", async () => {
    const other = await startEmulator({ rateLimit: false });
    try {
      const portals = { sales: cli.emu, crm: other };
      const lines = ["name: two-portals", "runtime: yaml", "config:"];
      for (const name of Object.keys(portals))
        lines.push(
          `  ${name}ClientSecret:`,
          "    type: string",
          "    secret: true",
          `  ${name}RefreshToken:`,
          "    type: string",
          "    secret: true",
        );
      lines.push("resources:");
      const secrets: string[] = [];
      const config: string[][] = [];
      for (const [name, portal] of Object.entries(portals)) {
        const s = portal.providerSettings("");
        const pair = portal.oauth.issue(s.clientId);
        secrets.push(s.clientSecret, pair.refreshToken);
        config.push(
          ["--secret", `${name}ClientSecret`, s.clientSecret],
          ["--secret", `${name}RefreshToken`, pair.refreshToken],
        );
        lines.push(
          `  ${name}Portal:`,
          "    type: pulumi:providers:bitrix24",
          "    properties:",
          `      portalUrl: ${s.portalUrl}`,
          `      oauthUrl: ${s.oauthUrl}`,
          `      clientId: ${s.clientId}`,
          `      clientSecret: \${${name}ClientSecret}`,
          `      refreshToken: \${${name}RefreshToken}`,
          `      tokenStore: ${tempDir("b24-tokens-")}/${name}.json`,
          "      rateLimitShare: 1",
        );
        lines.push(connectorYaml(name, `${name}Portal`).trimEnd());
      }
      const p = await yamlProject({ yaml: lines.join("\n") + "\n" }, "program");
      for (const args of config) await p.pulumi(["config", "set", ...args]);
      const titles = (e: Emulator) => [...e.state.connectors.values()].map((c) => c.fields.title);
      const before = titles(cli.emu);
      await p.pulumi(UP);
      expect(titles(cli.emu)).toEqual([...before, "sales connector"]);
      expect(titles(other)).toEqual(["crm connector"]);
      expectNoPlaintext(await kept(p), secrets);
      await p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
      expect(titles(cli.emu)).toEqual(before);
      expect(other.state.connectors.size).toBe(0);
    } finally {
      await other.close();
    }
  });
});
