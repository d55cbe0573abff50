import { FieldSpec } from "../../core/schema/spec";
import {
  AdoptPlan,
  Block,
  CLASS,
  PlanValue,
  Ref,
  SCHEMAS,
  SecretConfig,
  projectYaml,
} from "./plan";

/**
 * The plan as a Python program on the generated SDK (`pulumi_bitrix24_biconnector`) and the
 * native plugin: each resource takes its object over with the `import_` resource option.
 */
export function pythonProject(plan: AdoptPlan, project: string): Record<string, string> {
  return {
    "Pulumi.yaml": projectYaml(project, "\n  name: python\n  options:\n    virtualenv: venv"),
    "requirements.txt": "pulumi>=3.272.0,<4.0.0\npulumi-bitrix24-biconnector>=0.1.0\n",
    "__main__.py": program(plan),
  };
}

function program(plan: AdoptPlan): string {
  const lines = [
    '"""Written by `bitrix24-biconnector adopt`: every object the application sees, with its',
    "current values. Each resource takes its object over (`import_`); run adopt again to bring in",
    'what changed."""',
    "import pulumi",
    "",
    "import pulumi_bitrix24_biconnector as bitrix24",
    "",
  ];
  if (plan.secrets.length)
    lines.push(
      "# Source settings are credentials: each is a secret of the stack's config.",
      "config = pulumi.Config()",
      "",
    );
  for (const b of plan.blocks) lines.push(...block(b), "");
  for (const b of plan.blocks)
    lines.push(`pulumi.export(${JSON.stringify(b.variable)}, ${snake(b.variable)}.id)`);
  return `${lines.join("\n")}\n`;
}

/** `fooBarBaz` → `foo_bar_baz`: the SDK's Python names of the schema's fields. */
export function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

function block(b: Block): string[] {
  const fields = SCHEMAS[b.kind].fields;
  return [
    `# ${b.kind} ${b.id}`,
    `${snake(b.variable)} = bitrix24.${CLASS[b.kind]}(`,
    `    ${JSON.stringify(b.name)},`,
    ...b.args.map(
      ([k, v]) =>
        `    ${snake(k)}=${value(
          v,
          fields.find((f) => f.name === k),
          "    ",
        )},`,
    ),
    `    opts=pulumi.ResourceOptions(import_=${JSON.stringify(String(b.id))}),`,
    ")",
  ];
}

function value(v: PlanValue, spec: FieldSpec | undefined, indent: string): string {
  if (v instanceof Ref) return `${snake(v.variable)}.id`;
  if (v instanceof SecretConfig) return `config.require_secret(${JSON.stringify(v.key)})`;
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  const inner = `${indent}    `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((x) => `${inner}${item(x, spec, inner)},`);
    return `[\n${items.join("\n")}\n${indent}]`;
  }
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, PlanValue>);
    if (entries.length === 0) return "{}";
    // a map's keys are data (setting codes): as they are
    const lines = entries.map(
      ([k, x]) => `${inner}${JSON.stringify(k)}: ${value(x, undefined, inner)},`,
    );
    return `{\n${lines.join("\n")}\n${indent}}`;
  }
  return JSON.stringify(v);
}

/** A list item of an object type: its SDK Args class (`bitrix24.DatasetColumnArgs(...)`). */
function item(v: PlanValue, spec: FieldSpec | undefined, indent: string): string {
  if (
    !spec?.itemTypeName ||
    v === null ||
    typeof v !== "object" ||
    Array.isArray(v) ||
    v instanceof Ref ||
    v instanceof SecretConfig
  )
    return value(v, undefined, indent);
  const args = Object.entries(v as Record<string, PlanValue>).map(
    ([k, x]) =>
      `${snake(k)}=${value(
        x,
        spec.items?.find((f) => f.name === k),
        indent,
      )}`,
  );
  return `bitrix24.${spec.itemTypeName}Args(${args.join(", ")})`;
}
