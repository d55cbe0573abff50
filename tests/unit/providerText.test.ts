import { installedProviderText } from "../../provider/dynamic/providerText";

/** The `__provider` text names the shim module by package name only where a `require` finds it. */
describe("installedProviderText", () => {
  const text = (kind: string) =>
    `exports.handler=()=>require("pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/${kind}.js")`;

  test.each([
    [
      "npm and yarn: the package folder under node_modules",
      "/home/u/app/node_modules/pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/connector.js",
      "connector",
    ],
    [
      "pnpm: the store path ends with the package's own node_modules folder",
      "/home/u/app/node_modules/.pnpm/pulumi-bitrix24-biconnector@0.2.0/node_modules/pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/source.js",
      "source",
    ],
    [
      "Windows separators give the same package path",
      "C:\\app\\node_modules\\pulumi-bitrix24-biconnector\\dist\\provider\\dynamic\\shims\\dataset.js",
      "dataset",
    ],
  ])("%s", (_case, file, kind) => {
    expect(installedProviderText(file)).toBe(text(kind));
  });

  test("a checkout, a linked package or another package's copy: no text (the SDK serializes)", () => {
    for (const file of [
      "/work/pulumi-bitrix24-biconnector/dist/provider/dynamic/shims/connector.js",
      "/work/main/provider/dynamic/shims/connector.ts",
      "/app/node_modules/other-package/dist/provider/dynamic/shims/connector.js",
      "/app/node_modules/pulumi-bitrix24-biconnector/provider/dynamic/shims/connector.ts",
    ])
      expect(installedProviderText(file)).toBeUndefined();
  });
});
