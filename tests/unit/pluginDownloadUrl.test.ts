import { pluginDownloadUrl } from "../../provider/plugin/packageSchema";

/** Where the CLI downloads the plugin (issue 36): the schema's pluginDownloadURL. */
describe("pluginDownloadURL", () => {
  test("this project's GitHub releases, from package.json's repository", () => {
    expect(pluginDownloadUrl("https://github.com/acme/pulumi-bitrix24-biconnector", {})).toBe(
      "github://api.github.com/acme/pulumi-bitrix24-biconnector",
    );
  });

  test("a build may point it elsewhere (a company mirror)", () => {
    expect(
      pluginDownloadUrl("https://github.com/acme/x", {
        BITRIX24_PLUGIN_DOWNLOAD_URL: "https://mirror.example.com/bitrix24/",
      }),
    ).toBe("https://mirror.example.com/bitrix24/");
  });

  test("a repository not on GitHub is an error that names it", () => {
    expect(() => pluginDownloadUrl("https://gitlab.com/acme/x", {})).toThrow(
      /not on GitHub: https:\/\/gitlab\.com\/acme\/x/,
    );
  });
});
