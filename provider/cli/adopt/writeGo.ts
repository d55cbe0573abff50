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

/** The Go module of the generated SDK (sdk/go of this repository). */
export const GO_SDK_MODULE =
  "github.com/pulumi-bitrix24-biconnector/pulumi-bitrix24-biconnector/sdk/go";

/**
 * The plan as a Go program on the generated SDK and the native plugin: each resource takes its
 * object over with the `pulumi.Import` resource option. `main.go` runs `program` (program.go).
 */
export function goProject(plan: AdoptPlan, project: string): Record<string, string> {
  return {
    "Pulumi.yaml": projectYaml(project, "go"),
    "go.mod": `module ${project}\n\ngo 1.26\n\nrequire (\n\t${GO_SDK_MODULE} v0.1.0\n\tgithub.com/pulumi/pulumi/sdk/v3 v3.276.0\n)\n`,
    "main.go":
      'package main\n\nimport "github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n\nfunc main() { pulumi.Run(program) }\n',
    "program.go": program(plan),
  };
}

function program(plan: AdoptPlan): string {
  const lines = [
    "// Written by `bitrix24-biconnector adopt`: every object the application sees, with its current",
    "// values. Each resource takes its object over (pulumi.Import); run adopt again to bring in what",
    "// changed.",
    "package main",
    "",
    "import (",
    `\tbitrix24 "${GO_SDK_MODULE}/bitrix24"`,
    '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
    ...(plan.secrets.length ? ['\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"'] : []),
    ")",
    "",
    "func program(ctx *pulumi.Context) error {",
  ];
  if (plan.secrets.length)
    lines.push(
      "\t// Source settings are credentials: each is a secret of the stack's config.",
      '\tcfg := config.New(ctx, "")',
    );
  for (const b of plan.blocks) lines.push("", ...block(b));
  lines.push(
    "",
    ...plan.blocks.map((b) => `\tctx.Export(${JSON.stringify(b.variable)}, ${b.variable}.ID())`),
  );
  lines.push("\treturn nil", "}");
  return `${lines.join("\n")}\n`;
}

const pascal = (name: string): string => name[0].toUpperCase() + name.slice(1);

function block(b: Block): string[] {
  const fields = SCHEMAS[b.kind].fields;
  return [
    `\t// ${b.kind} ${b.id}`,
    `\t${b.variable}, err := bitrix24.New${CLASS[b.kind]}(ctx, ${JSON.stringify(b.name)}, &bitrix24.${CLASS[b.kind]}Args{`,
    ...b.args.map(
      ([k, v]) =>
        `\t\t${pascal(k)}: ${value(
          v,
          fields.find((f) => f.name === k),
          "\t\t",
        )},`,
    ),
    `\t}, pulumi.Import(pulumi.ID(${JSON.stringify(String(b.id))})))`,
    "\tif err != nil {",
    "\t\treturn err",
    "\t}",
  ];
}

function value(v: PlanValue, spec: FieldSpec | undefined, indent: string): string {
  if (v instanceof Ref) return `${v.variable}.ID().ToStringOutput()`;
  if (v instanceof SecretConfig) return `cfg.RequireSecret(${JSON.stringify(v.key)})`;
  const inner = `${indent}\t`;
  if (Array.isArray(v)) {
    const type = spec?.itemTypeName ?? "";
    const items = v.map((x) => `${inner}${item(x, spec, inner)},`);
    return `bitrix24.${type}Array{\n${items.join("\n")}\n${indent}}`;
  }
  if (v !== null && typeof v === "object") {
    // a map's keys are data (setting codes): as they are
    const lines = Object.entries(v as Record<string, PlanValue>).map(
      ([k, x]) => `${inner}${JSON.stringify(k)}: ${value(x, undefined, inner)},`,
    );
    return `pulumi.StringMap{\n${lines.join("\n")}\n${indent}}`;
  }
  return scalar(v, spec);
}

/** A list item of an object type: its SDK Args struct. */
function item(v: PlanValue, spec: FieldSpec | undefined, indent: string): string {
  if (
    v === null ||
    typeof v !== "object" ||
    Array.isArray(v) ||
    v instanceof Ref ||
    v instanceof SecretConfig
  )
    return value(v, undefined, indent);
  const type = spec?.itemTypeName ?? "";
  const args = Object.entries(v as Record<string, PlanValue>).map(([k, x]) => {
    const sub = spec?.items?.find((f) => f.name === k);
    // enum fields are typed strings of the SDK: bitrix24.DatasetColumnType("int")
    const text =
      sub?.enum && typeof x === "string"
        ? `bitrix24.${type}${pascal(k)}(${JSON.stringify(x)})`
        : value(x, sub, indent);
    return `${pascal(k)}: ${text}`;
  });
  return `bitrix24.${type}Args{${args.join(", ")}}`;
}

function scalar(v: PlanValue, spec: FieldSpec | undefined): string {
  if (typeof v === "boolean") return `pulumi.Bool(${v})`;
  if (typeof v === "number")
    return spec?.type === "integer" || Number.isInteger(v)
      ? `pulumi.Int(${v})`
      : `pulumi.Float64(${v})`;
  return `pulumi.String(${JSON.stringify(v)})`;
}
