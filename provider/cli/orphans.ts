import { createClient } from "../core/client/processWide";
import { SettingKey, resolveSettings } from "../core/client/settings";
import { redact } from "../core/errors/redact";
import { ConnectorProvider } from "../core/lifecycle/connectorProvider";
import { DatasetProvider } from "../core/lifecycle/datasetProvider";
import { ObjectProvider } from "../core/lifecycle/objectProvider";
import { SourceProvider } from "../core/lifecycle/sourceProvider";
import { Kind } from "./adopt/plan";
import { slug } from "./adopt/names";
import { CliIo, readLine } from "./io";
import { runPulumi } from "./pulumiCli";
import { cliSettings } from "./settingsSource";
import { readStackConfig } from "./stackConfig";

export interface OrphansOptions {
  flags: Partial<Record<SettingKey, string>>;
  /** Every stack that manages objects of this application on the portal. */
  stacks: string[];
  delete: boolean;
  yes: boolean;
  /** `<kind>:<id>`: only these orphans are deleted. */
  only: string[];
}

/** How long a user has to type the confirmation. */
const CONFIRM_TIMEOUT_MS = 300_000;
/** Our resource types in a state: the native plugin's and the dynamic provider's. */
const TYPE = /^(bitrix24:index:|pulumi-nodejs:dynamic\/bitrix24:)(Connector|Source|Dataset)$/;
const CLASS: Record<Kind, string> = {
  connector: "Connector",
  source: "Source",
  dataset: "Dataset",
};

interface Orphan {
  kind: Kind;
  id: number;
  title: string;
}

interface StateResource {
  type?: unknown;
  id?: unknown;
}

/** The `<kind>:<id>` of every object of ours a stack's state holds, and whether it is dynamic. */
export function heldBy(exported: string): { held: Set<string>; dynamic: boolean } {
  const state = JSON.parse(exported) as { deployment?: { resources?: StateResource[] } };
  const held = new Set<string>();
  let dynamic = false;
  for (const r of state.deployment?.resources ?? []) {
    const m = typeof r.type === "string" ? TYPE.exec(r.type) : null;
    if (!m || typeof r.id !== "string" || r.id === "") continue;
    held.add(`${m[2].toLowerCase()}:${r.id}`);
    if (m[1].startsWith("pulumi-nodejs")) dynamic = true;
  }
  return { held, dynamic };
}

/**
 * `bitrix24-biconnector orphans --stack NAME…`: the objects the application sees on the portal
 * that none of the named stacks' states holds (read with `pulumi stack export` through the CLI on
 * PATH) — left by a deleted state, a lost record of a create, a program changed after a killed
 * run. Per object: the command that brings it into the stack, and the one that deletes it.
 * Deletes only with --delete, after the user types "delete" (or with --yes).
 */
export async function orphans(opts: OrphansOptions, io: CliIo): Promise<number> {
  if (!opts.stacks.length) {
    io.err(
      "orphans needs --stack NAME: every stack of this project that manages objects on the portal " +
        "(an object no named stack holds is an orphan).",
    );
    return 2;
  }
  const held = new Set<string>();
  let dynamic = false;
  for (const stack of opts.stacks) {
    const r = await runPulumi(["stack", "export", "--stack", stack], io.cwd, io.env);
    if (!r.ok) {
      io.err(`orphans: reading stack ${stack}: ${r.error}`);
      return 1;
    }
    const state = heldBy(r.stdout);
    state.held.forEach((k) => held.add(k));
    dynamic ||= state.dynamic;
  }
  const stack = readStackConfig(io.cwd, opts.stacks[0], io.env);
  const client = createClient(resolveSettings(cliSettings(opts.flags, stack, io.env).get), {
    isolated: true,
  });
  const providers: Record<Kind, ObjectProvider> = {
    connector: new ConnectorProvider(() => client),
    source: new SourceProvider(() => client),
    dataset: new DatasetProvider(() => client),
  };
  let seen: Orphan[];
  try {
    // The three lists at once: their first pages travel together in one `batch`.
    const [c, s, d] = await Promise.all(
      (["connector", "source", "dataset"] as const).map((k) => providers[k].lookupAll(client)),
    );
    seen = [
      ...c.map((o) => ({ kind: "connector" as const, id: o.id, title: String(o.title) })),
      ...s.map((o) => ({ kind: "source" as const, id: o.id, title: String(o.title) })),
      ...d.map((o) => ({ kind: "dataset" as const, id: o.id, title: String(o.name) })),
    ];
  } catch (e) {
    io.err(`orphans: ${redact(e instanceof Error ? e.message : String(e))}`);
    return 1;
  }
  const found = seen.filter((o) => !held.has(`${o.kind}:${o.id}`));
  const stacks = opts.stacks.join(", ");
  if (!found.length) {
    io.out(
      `No orphans: stack ${stacks} holds each of the ${seen.length} objects the application sees.`,
    );
    return 0;
  }
  report(found, opts.stacks[0], dynamic, seen.length, stacks, io);
  if (!opts.delete) return 0;
  return remove(found, opts, providers, io);
}

function report(
  found: Orphan[],
  stack: string,
  dynamic: boolean,
  seen: number,
  stacks: string,
  io: CliIo,
): void {
  io.out(
    `${found.length} of the ${seen} objects the application sees are in no state of ${stacks}:`,
  );
  for (const o of found) {
    io.out(`  ${o.kind} ${o.id}  ${JSON.stringify(o.title)}`);
    io.out(
      dynamic
        ? `    take over: declare it in the program with adoptId: ${o.id}, then pulumi up`
        : `    import:    pulumi import bitrix24:index:${CLASS[o.kind]} ${slug(o.title) || o.kind} ${o.id} --stack ${stack}`,
    );
    io.out(
      `    delete:    bitrix24-biconnector orphans --stack ${stack} --delete --only ${o.kind}:${o.id}`,
    );
  }
  io.out(
    "Objects of other stacks on this portal show here too: name each with --stack. " +
      "Nothing is deleted without --delete.",
  );
}

async function remove(
  found: Orphan[],
  opts: OrphansOptions,
  providers: Record<Kind, ObjectProvider>,
  io: CliIo,
): Promise<number> {
  const keys = new Set(found.map((o) => `${o.kind}:${o.id}`));
  const unknown = opts.only.filter((k) => !keys.has(k));
  if (unknown.length) {
    io.err(
      `--only ${unknown.join(", ")}: not an orphan here (a stack holds it, or it is not there).`,
    );
    return 2;
  }
  const targets = opts.only.length
    ? found.filter((o) => opts.only.includes(`${o.kind}:${o.id}`))
    : found;
  if (!opts.yes) {
    io.out(`Delete these ${targets.length} objects from the portal? Type "delete" to confirm:`);
    const answer = await readLine(io.stdin, CONFIRM_TIMEOUT_MS);
    if (!("line" in answer) || answer.line !== "delete") {
      io.err("Nothing deleted.");
      return 1;
    }
  }
  let failed = 0;
  // Tables before their sources, sources before their connectors.
  for (const kind of ["dataset", "source", "connector"] as const)
    await Promise.all(
      targets
        .filter((o) => o.kind === kind)
        .map(async (o) => {
          try {
            await providers[kind].delete(String(o.id), {});
            io.out(`deleted ${o.kind} ${o.id}`);
          } catch (e) {
            failed++;
            io.err(`${o.kind} ${o.id}: ${redact(e instanceof Error ? e.message : String(e))}`);
          }
        }),
    );
  io.out(`Deleted ${targets.length - failed} of ${targets.length}.`);
  return failed ? 1 : 0;
}
