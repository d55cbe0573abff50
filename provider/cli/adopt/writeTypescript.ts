import { AdoptPlan, Block, CLASS, PlanValue, Ref, SecretConfig, projectYaml } from "./plan";

/**
 * The plan as a TypeScript program on the dynamic provider: each resource takes its object over
 * with `adoptId` (read, compared, updated only where it differs — right after adopting, nowhere),
 * and keeps it afterwards. Returns the files to write, by name.
 */
export function typescriptProject(plan: AdoptPlan, project: string): Record<string, string> {
  return {
    "Pulumi.yaml": projectYaml(project, "nodejs"),
    "package.json": `${JSON.stringify(
      {
        name: project,
        private: true,
        main: "index.ts",
        dependencies: {
          "@pulumi/pulumi": "^3.139.0",
          "pulumi-bitrix24-biconnector": "^0.1.0",
        },
        devDependencies: { typescript: "^5.9.3", "@types/node": "^20.19.43" },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          target: "es2022",
          module: "commonjs",
          moduleResolution: "node",
          esModuleInterop: true,
          skipLibCheck: true,
        },
        files: ["index.ts"],
      },
      null,
      2,
    )}\n`,
    "index.ts": program(plan),
  };
}

function program(plan: AdoptPlan): string {
  const used = [...new Set(plan.blocks.map((b) => CLASS[b.kind]))].sort();
  const head = [
    "// Written by `bitrix24-biconnector adopt`: every object the application sees, with its current",
    "// values. Each block stands for one object (`adoptId`); run adopt again to bring in what changed.",
    'import * as pulumi from "@pulumi/pulumi";',
    `import { ${used.join(", ")} } from "pulumi-bitrix24-biconnector";`,
    "",
    ...(plan.secrets.length
      ? [
          "// Source settings are credentials: each is a secret of the stack's config.",
          "const config = new pulumi.Config();",
          "",
        ]
      : []),
  ];
  const exports = plan.blocks.map((b) => `  ${JSON.stringify(b.name)}: ${b.variable}.id,`);
  return [...head, ...plan.blocks.map(block), `export const ids = {`, ...exports, "};", ""].join(
    "\n",
  );
}

/** One object's block: a comment naming it on the portal, then the resource. */
function block(b: Block): string {
  const args = [
    `  adoptId: ${b.id},`,
    ...b.args.map(([k, v]) => `  ${key(k)}: ${value(v, "  ")},`),
  ];
  return [
    `// ${b.kind} ${b.id}`,
    `const ${b.variable} = new ${CLASS[b.kind]}(${JSON.stringify(b.name)}, {`,
    ...args,
    "});",
    "",
  ].join("\n");
}

const key = (k: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));

function value(v: PlanValue, indent: string): string {
  if (v instanceof Ref) return `${v.variable}.id`;
  if (v instanceof SecretConfig) return `config.requireSecret(${JSON.stringify(v.key)})`;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const inner = indent + "  ";
    return `[\n${v.map((x) => `${inner}${value(x, inner)},`).join("\n")}\n${indent}]`;
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v);
    if (entries.length === 0) return "{}";
    const inner = indent + "  ";
    return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${value(x, inner)},`).join("\n")}\n${indent}}`;
  }
  return JSON.stringify(v);
}
