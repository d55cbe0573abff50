import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/portal";

export const REPO = path.resolve(__dirname, "..", "..");

/**
 * A program folder outside the repo, as a user would have: the example's files, and node_modules
 * holding @pulumi/pulumi and this package — linked to the repo's build ("linked"), or installed from
 * the `npm pack` tarball ("packed", exactly what a user gets from the registry).
 */
export function programFrom(
  example: string,
  how: "linked" | "packed" = "linked",
  tarball?: string,
): string {
  const dir = tempDir(`b24-program-${path.basename(example)}-`);
  for (const f of fs.readdirSync(example))
    if (f !== "node_modules" && !f.startsWith("Pulumi."))
      fs.copyFileSync(path.join(example, f), path.join(dir, f));
  fs.copyFileSync(path.join(example, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  if (how === "linked") {
    fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
    fs.symlinkSync(
      path.join(REPO, "node_modules", "@pulumi", "pulumi"),
      path.join(dir, "node_modules", "@pulumi", "pulumi"),
      "dir",
    );
    fs.symlinkSync(REPO, path.join(dir, "node_modules", "pulumi-bitrix24-biconnector"), "dir");
    return dir;
  }
  installPacked(dir, tarball as string);
  return dir;
}

/**
 * Writes the folder's package.json dependencies as a user's would be — the pinned SDK and this
 * package from the `npm pack` tarball — and runs `npm install` there.
 */
export function installPacked(dir: string, tarball: string): void {
  const file = path.join(dir, "package.json");
  const pkg = (
    fs.existsSync(file)
      ? JSON.parse(fs.readFileSync(file, "utf8"))
      : { name: "b24-user", private: true }
  ) as { dependencies: Record<string, string> };
  const sdkVersion = (
    JSON.parse(
      fs.readFileSync(path.join(REPO, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
    ) as { version: string }
  ).version;
  pkg.dependencies = {
    "@pulumi/pulumi": sdkVersion,
    "pulumi-bitrix24-biconnector": `file:${tarball}`,
  };
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2));
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: dir, stdio: "pipe" },
  );
}

/**
 * `npm pack` of the repo's build (the one `npm test` made before the tests), into a temp folder;
 * returns the tarball path. Its scripts are skipped: `prepare` would rebuild, deleting dist/ under
 * the tests running beside this one (the plugin's launchers run dist/provider/plugin/main.js).
 */
export function packRepo(): string {
  const out = tempDir("b24-pack-");
  const args = ["pack", "--pack-destination", out, "--ignore-scripts", "--loglevel=error"];
  const name = execFileSync("npm", args, {
    cwd: REPO,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop() as string;
  return path.join(out, name);
}
