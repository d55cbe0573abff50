export * from "./errors";
export * from "./settings";
export * from "./client";
export { clientFor, currentClient, currentSettings, setStackConfig } from "./registry";
export type { StoredTokens, TokenStore } from "./tokenStore";
export { TokenStoreError, tokenKey } from "./tokenStore";
export { openTokenStore, FileTokenStore, CommandTokenStore } from "./tokenStores";
export { redact } from "./redact";
