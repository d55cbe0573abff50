import * as path from "path";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";
import { EngineStandIn, StackConfig } from "./engine/standIn";
import { REPO } from "./program";

export const EXAMPLES = path.join(REPO, "examples");

/** Provider settings as stack config, credentials as secrets (`pulumi config set --secret`). */
export function credentialsConfig(emu: Emulator, tokenStore: string): StackConfig {
  return {
    "bitrix24:portalUrl": { value: emu.portalUrl },
    "bitrix24:oauthUrl": { value: emu.oauthUrl },
    "bitrix24:clientId": { value: emu.app.clientId },
    "bitrix24:clientSecret": { value: emu.app.clientSecret, secret: true },
    "bitrix24:accessToken": { value: emu.tokens.accessToken, secret: true },
    "bitrix24:refreshToken": { value: emu.tokens.refreshToken, secret: true },
    "bitrix24:tokenStore": { value: tokenStore },
    "bitrix24:retryBaseDelayMs": { value: "20" },
    // The emulator and its sample connector listen on loopback (a private endpoint).
    "bitrix24:allowPrivateEndpoints": { value: "true" },
  };
}

export function credentialValues(emu: Emulator): string[] {
  return [emu.app.clientSecret, emu.tokens.accessToken, emu.tokens.refreshToken];
}

export async function lifecycleEmulator(): Promise<Emulator> {
  // Sources here call the built-in sample connector on loopback: allowed explicitly.
  return startEmulator({ rateLimit: { rps: 50, burst: 100 }, allowPrivateEndpoints: true });
}

export function standIn(
  programDir: string,
  project: string,
  config: StackConfig,
  env: NodeJS.ProcessEnv = {},
): EngineStandIn {
  return new EngineStandIn({
    programDir,
    project,
    stack: "dev",
    stateFile: path.join(tempDir("b24-state-"), "state.json"),
    config,
    env,
  });
}

export const writeOps = (calls: { op: string }[]) =>
  calls.filter((c) => ["create", "update", "delete"].includes(c.op));
