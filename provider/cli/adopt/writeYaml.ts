import { AdoptPlan, Block, CLASS, PlanValue, Ref, SecretConfig } from "./plan";

/**
 * The plan as a Pulumi YAML program on the native plugin (`pulumi-resource-bitrix24`): each
 * resource takes its object over with the `import` resource option, so the first `pulumi up`
 * reads it and records it in state without a write. One file: Pulumi.yaml is the project and the
 * program.
 */
export function yamlProject(plan: AdoptPlan, project: string): Record<string, string> {
  const lines = [
    "# Written by `bitrix24-biconnector adopt`: every object the application sees, with its current",
    "# values. Each resource takes its object over (`import`); run adopt again to bring in what changed.",
    `name: ${project}`,
    "runtime: yaml",
    "description: Bitrix24 BI Builder objects adopted by bitrix24-biconnector adopt",
  ];
  if (plan.secrets.length) {
    lines.push(
      "# Source settings are credentials: each is a secret of the stack's config.",
      "config:",
    );
    for (const s of plan.secrets) lines.push(`  ${s.key}:`, "    type: string", "    secret: true");
  }
  lines.push("resources:");
  for (const b of plan.blocks) lines.push(...block(b));
  lines.push("outputs:");
  for (const b of plan.blocks) lines.push(`  ${b.variable}: \${${b.variable}.id}`);
  return { "Pulumi.yaml": `${lines.join("\n")}\n` };
}

/** One object: a comment naming it on the portal, then the resource under its variable. */
function block(b: Block): string[] {
  return [
    `  # ${b.kind} ${b.id}`,
    `  ${b.variable}:`,
    `    type: bitrix24:index:${CLASS[b.kind]}`,
    `    name: ${JSON.stringify(b.name)}`,
    "    options:",
    `      import: ${JSON.stringify(String(b.id))}`,
    "    properties:",
    ...b.args.flatMap(([k, v]) => entry(k, v, "      ")),
    "",
  ];
}

/** `key: value` at `indent`, lists and maps in block style, scalars as JSON (valid YAML). */
function entry(key: string, v: PlanValue, indent: string): string[] {
  const k = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  if (isScalar(v)) return [`${indent}${k}: ${scalar(v)}`];
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${indent}${k}: []`];
    return [`${indent}${k}:`, ...v.flatMap((x) => item(x, `${indent}  `))];
  }
  const entries = Object.entries(v as Record<string, PlanValue>);
  if (entries.length === 0) return [`${indent}${k}: {}`];
  return [`${indent}${k}:`, ...entries.flatMap(([kk, x]) => entry(kk, x, `${indent}  `))];
}

/** A list item: `- ` then its first line, the rest indented under it. */
function item(v: PlanValue, indent: string): string[] {
  if (isScalar(v)) return [`${indent}- ${scalar(v)}`];
  const inner = Array.isArray(v)
    ? v.flatMap((x) => item(x, `${indent}  `))
    : Object.entries(v as Record<string, PlanValue>).flatMap(([k, x]) =>
        entry(k, x, `${indent}  `),
      );
  if (inner.length === 0) return [`${indent}- ${Array.isArray(v) ? "[]" : "{}"}`];
  return [`${indent}- ${inner[0].trimStart()}`, ...inner.slice(1)];
}

const isScalar = (v: PlanValue): boolean =>
  v instanceof Ref || v instanceof SecretConfig || v === null || typeof v !== "object";

function scalar(v: PlanValue): string {
  if (v instanceof Ref) return `\${${v.variable}.id}`;
  if (v instanceof SecretConfig) return `\${${v.key}}`;
  return JSON.stringify(v);
}
