import * as fs from "fs";
import * as path from "path";
import { Emulator } from "bitrix24-biconnector-emulator";

/** One `pulumi` command of a test's project; its output, or a failure with what the CLI said. */
export type PulumiCommand = (args: string[]) => Promise<string>;

/** A connector on `provider` (a YAML resource name), or on the default provider. */
export const connectorYaml = (name: string, provider?: string) => `  ${name}:
    type: bitrix24:index:Connector
    properties:
      title: ${name} connector
      logo: https://connector.example.com/logo.svg
      urlCheck: https://connector.example.com/check
      urlTableList: https://connector.example.com/table_list
      urlTableDescription: https://connector.example.com/table_description
      urlData: https://connector.example.com/data
      settings:
        - name: Login
          code: login
          type: STRING
${provider ? `    options:\n      provider: \${${provider}}\n` : ""}`;

/**
 * A YAML program of one connector (and `extra` top-level lines) written into `dir`: the smallest
 * program that needs the native plugin, for tests of how the plugin is installed.
 */
export function writeYamlConnector(dir: string, extra = ""): void {
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: plugin-install\nruntime: yaml\n${extra}resources:\n${connectorYaml("installed")}`,
  );
}

/**
 * Stack `dev` of the project, configured for this emulator's OAuth application with a token pair
 * of its own (secrets as secrets). The token server's address is not stack config: pass
 * `oauthVars(emu)` in the environment of every command.
 */
export async function emulatorStack(
  emu: Emulator,
  tokenStore: string,
  pulumi: PulumiCommand,
): Promise<void> {
  const s = emu.providerSettings(tokenStore);
  await pulumi(["stack", "init", "dev"]);
  const pair = emu.oauth.issue(s.clientId);
  await pulumi([
    "config",
    "set-all",
    "--plaintext",
    `bitrix24:portalUrl=${s.portalUrl}`,
    "--plaintext",
    `bitrix24:clientId=${s.clientId}`,
    "--plaintext",
    `bitrix24:tokenStore=${s.tokenStore}`,
    "--secret",
    `bitrix24:clientSecret=${s.clientSecret}`,
    "--secret",
    `bitrix24:refreshToken=${pair.refreshToken}`,
  ]);
}

/** The environment that sends the plugin to this emulator's token server. */
export const oauthVars = (emu: Emulator): Record<string, string> => ({
  BITRIX24_OAUTH_URL: emu.providerSettings("").oauthUrl,
});
