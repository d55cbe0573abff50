import * as fs from "fs";
import * as path from "path";
import { createClient } from "../../core/client/processWide";
import { SettingKey, resolveSettings } from "../../core/client/settings";
import { redact, registerSecret } from "../../core/errors/redact";
import { CliIo } from "../io";
import { cliSettings } from "../settingsSource";
import { readStackConfig } from "../stackConfig";
import { AdoptPlan, buildPlan } from "./plan";
import { readPortal } from "./readPortal";
import { setStackSecrets } from "./stackSecrets";
import { typescriptProject } from "./writeTypescript";
import { yamlProject } from "./writeYaml";
import { pythonProject } from "./writePython";
import { goProject } from "./writeGo";

/** The file in a written project that says adopt wrote it, and the names it gave. */
export const MANIFEST = ".bitrix24-adopt.json";

/** Each language: the files of its project, and which of them is the program (rewritten each run). */
const WRITERS = {
  typescript: { files: typescriptProject, program: "index.ts" },
  yaml: { files: yamlProject, program: "Pulumi.yaml" },
  python: { files: pythonProject, program: "__main__.py" },
  go: { files: goProject, program: "program.go" },
} as const;
export type Language = keyof typeof WRITERS;
export const LANGUAGES = Object.keys(WRITERS) as Language[];

interface Manifest {
  version: 1;
  language: Language;
  project: string;
  /** Each object's resource name, by `<kind>:<id>`: kept by the next run. */
  names: Record<string, string>;
}

export interface AdoptOptions {
  flags: Partial<Record<SettingKey, string>>;
  /**
   * The written project's stack: adopt creates it (if new) and sets each source setting in it as
   * an encrypted secret. Without it, the `pulumi config set --secret` commands are printed.
   */
  stack?: string;
  out: string;
  language: string;
  /** One connector (id or exact title), with its sources and datasets. */
  connector?: string;
  /** The written project's name (default: the folder's name). */
  project?: string;
}

/**
 * `bitrix24-biconnector adopt --out DIR`: every object the application can see becomes a program
 * that declares it with its current values and takes it over on the first `pulumi up` (nothing
 * written to the portal), with references between resources and source settings from stack
 * config. Run again on the same folder, it brings in what changed and keeps every name.
 */
export async function adopt(opts: AdoptOptions, io: CliIo): Promise<number> {
  if (!(LANGUAGES as readonly string[]).includes(opts.language)) {
    io.err(
      `--language must be one of ${LANGUAGES.join(", ")}, got ${JSON.stringify(opts.language)}`,
    );
    return 2;
  }
  const language = opts.language as Language;
  const out = path.resolve(io.cwd, opts.out);
  const earlier = previousRun(out);
  if (earlier === "refused") {
    io.err(
      `--out ${opts.out}: the folder exists and is not empty, and holds no earlier adopt output ` +
        `(${MANIFEST}). Give a new or empty folder, or the folder of an earlier adopt to update it.`,
    );
    return 2;
  }
  if (earlier && earlier.language !== language) {
    io.err(
      `--out ${opts.out} holds an adopted ${earlier.language} project; keep --language ${earlier.language}.`,
    );
    return 2;
  }
  const project = opts.project ?? earlier?.project ?? projectName(out);

  // Settings as the other commands read them: flags, the current stack's config here, BITRIX24_*.
  const stack = readStackConfig(io.cwd, undefined, io.env);
  const { get } = cliSettings(opts.flags, stack, io.env);
  let client, plan;
  try {
    client = createClient(resolveSettings(get), { isolated: true });
    const objects = await readPortal(client, opts.connector, (line) => io.err(line));
    plan = buildPlan(objects, earlier?.names ?? {});
  } catch (e) {
    // Nothing is written: a project from a partial read would declare less than is there.
    io.err(`adopt: ${redact(e instanceof Error ? e.message : String(e))}. Nothing was written.`);
    return 1;
  }
  for (const s of plan.secrets) registerSecret(s.value);

  const writer = WRITERS[language];
  const files = writer.files(plan, project);
  fs.mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(out, name);
    // The program is rewritten each run; what sits beside it is the user's once written.
    if (name !== writer.program && fs.existsSync(file)) continue;
    fs.writeFileSync(file, text);
  }
  const manifest: Manifest = { version: 1, language, project, names: plan.names };
  fs.writeFileSync(path.join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

  if (opts.stack) {
    const failed = await setStackSecrets(out, opts.stack, plan.secrets, io.env);
    if (failed) {
      io.err(`adopt: the project is written, but its stack's secrets are not: ${failed}`);
      return 1;
    }
  }
  report(plan, earlier?.names ?? {}, out, client.stats.requests, language, opts.stack, io);
  return 0;
}

/** What an earlier run left in `out`: its manifest, nothing (new or empty), or a foreign folder. */
function previousRun(out: string): Manifest | undefined | "refused" {
  if (!fs.existsSync(out) || fs.readdirSync(out).length === 0) return undefined;
  const file = path.join(out, MANIFEST);
  if (!fs.existsSync(file)) return "refused";
  try {
    const m = JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
    if (m.version === 1 && typeof m.names === "object" && m.names !== null) return m;
  } catch {
    // below
  }
  return "refused";
}

/** A Pulumi project name from a folder name: letters, digits, `-`, `_` and `.`. */
function projectName(out: string): string {
  const base = path
    .basename(out)
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[-.]+/, "");
  return base || "adopted-bitrix24";
}

/** What a user installs for each language's project before its first `up`. */
const INSTALL: Record<Language, string[]> = {
  typescript: ["  npm install"],
  yaml: ["  # the native plugin on PATH: npm install -g pulumi-bitrix24-biconnector"],
  python: [
    "  # the native plugin on PATH: npm install -g pulumi-bitrix24-biconnector",
    "  python3 -m venv venv && venv/bin/pip install -r requirements.txt",
  ],
  go: [
    "  # the native plugin on PATH: npm install -g pulumi-bitrix24-biconnector",
    "  go mod tidy",
  ],
};

function report(
  plan: AdoptPlan,
  before: Record<string, string>,
  out: string,
  requests: number,
  language: Language,
  stack: string | undefined,
  io: CliIo,
): void {
  const count = (kind: string) => plan.blocks.filter((b) => b.kind === kind).length;
  io.out(
    `Adopted ${count("connector")} connectors, ${count("source")} sources and ${count("dataset")} ` +
      `datasets into ${out} (${requests} requests).`,
  );
  const added = Object.keys(plan.names).filter((k) => !(k in before));
  const gone = Object.keys(before).filter((k) => !(k in plan.names));
  if (Object.keys(before).length) {
    for (const k of added) io.out(`  new: ${k.replace(":", " ")} as ${plan.names[k]}`);
    for (const k of gone)
      io.out(
        `  gone from the portal: ${k.replace(":", " ")} (was ${before[k]}); its block is removed`,
      );
  }
  const lines = [
    "",
    "Next, in that folder:",
    ...INSTALL[language],
    stack
      ? `  # stack ${stack} holds the ${plan.secrets.length} source settings (encrypted); set the rest:`
      : "  pulumi stack init <stack>",
    "  pulumi config set bitrix24:portalUrl … (and the other bitrix24:* settings, as for any program)",
  ];
  if (plan.secrets.length && !stack) {
    lines.push(
      "  # each source setting, as a secret (the values are the portal's; none is written here):",
    );
    for (const s of plan.secrets)
      lines.push(`  pulumi config set --secret ${s.key} '<${s.code} of source ${s.source}>'`);
  }
  lines.push("  pulumi up        # takes each object over; writes nothing to the portal");
  lines.push("  pulumi preview --expect-no-changes");
  for (const l of lines) io.out(redact(l));
}
