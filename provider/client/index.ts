export * from "./errors";
export * from "./settings";
export * from "./client";
export { clientFor, currentClient, currentSettings, setStackConfig } from "./registry";
export { TokenStore } from "./tokenStore";
export { redact } from "./redact";
