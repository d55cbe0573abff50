export { startEmulator } from "./server";
export type { Emulator, EmulatorOptions, CallRecord } from "./server";
export type { FaultKind, FaultRule, RandomFaults } from "./faults";
export type { OAuthApp, TokenPair } from "./oauthServer";
export { OAuthServer, CODE_TTL_MS } from "./oauthServer";
export { PortalState } from "./state";
export type { ProviderSettings } from "./providerSettings";
export { settingsAsEnv } from "./providerSettings";
export type { JsonObject, JsonValue } from "./json";
