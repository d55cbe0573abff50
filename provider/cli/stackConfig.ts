import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { load as parse } from "js-yaml";

/** The bitrix24:* values of the current Pulumi stack's config file, read without the Pulumi CLI. */
export interface StackConfig {
  /** The stack config file read, when one was. */
  file?: string;
  stack?: string;
  /** Plain values by setting key (without the `bitrix24:` namespace). */
  values: Map<string, string>;
  /** Keys set as secrets (`secure:`): encrypted, readable only through the Pulumi CLI. */
  secretKeys: Set<string>;
  /** Why no file was read, when none was. */
  note?: string;
}

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"];
const NAMESPACE = "bitrix24:";

function findProjectFile(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    for (const f of PROJECT_FILES) if (fs.existsSync(path.join(dir, f))) return path.join(dir, f);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The stack `pulumi stack select` chose: the CLI keeps it in
 * ~/.pulumi/workspaces/<project>-<sha1 of the project file's path>-workspace.json as {"stack": …}.
 */
function selectedStack(projectFile: string, project: string, home: string): string | undefined {
  const hash = createHash("sha1").update(projectFile).digest("hex");
  const file = path.join(home, ".pulumi", "workspaces", `${project}-${hash}-workspace.json`);
  try {
    const stack = (JSON.parse(fs.readFileSync(file, "utf8")) as { stack?: unknown }).stack;
    return typeof stack === "string" && stack ? stack.split("/").pop() : undefined;
  } catch {
    return undefined;
  }
}

export function readStackConfig(
  cwd: string,
  stackFlag?: string,
  env: NodeJS.ProcessEnv = process.env,
): StackConfig {
  const values = new Map<string, string>();
  const secretKeys = new Set<string>();
  const projectFile = findProjectFile(cwd);
  if (!projectFile) return { values, secretKeys, note: "no Pulumi.yaml in this folder or above" };
  const dir = path.dirname(projectFile);
  let project: string | undefined;
  try {
    const parsed = parse(fs.readFileSync(projectFile, "utf8")) as { name?: unknown } | null;
    project = typeof parsed?.name === "string" ? parsed.name : undefined;
  } catch {
    return { values, secretKeys, note: `${projectFile} is not readable YAML` };
  }
  const candidates = fs
    .readdirSync(dir)
    .filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f) && !PROJECT_FILES.includes(f));
  const stack =
    stackFlag ??
    env.PULUMI_STACK ??
    (project ? selectedStack(projectFile, project, env.HOME ?? os.homedir()) : undefined) ??
    (candidates.length === 1 ? candidates[0].split(".")[1] : undefined);
  if (!stack)
    return {
      values,
      secretKeys,
      note: `the current stack of ${projectFile} is unknown (pass --stack NAME)`,
    };
  const file = candidates
    .map((f) => path.join(dir, f))
    .find((f) => path.basename(f).split(".")[1] === stack);
  if (!file) return { values, secretKeys, stack, note: `no stack config file for stack ${stack}` };
  let config: unknown;
  try {
    config = (parse(fs.readFileSync(file, "utf8")) as { config?: unknown } | null)?.config;
  } catch {
    return { values, secretKeys, stack, note: `${file} is not readable YAML` };
  }
  if (config && typeof config === "object")
    for (const [k, v] of Object.entries(config)) {
      if (!k.startsWith(NAMESPACE)) continue;
      const key = k.slice(NAMESPACE.length);
      if (v && typeof v === "object" && "secure" in v) secretKeys.add(key);
      else if (v !== null && v !== undefined && typeof v !== "object") values.set(key, String(v));
    }
  return { file, stack, values, secretKeys };
}
