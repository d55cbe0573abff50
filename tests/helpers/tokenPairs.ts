import { StoredTokens } from "../../provider/core/client/stores/tokenStore";

/** A stored token pair, numbered so that tests can tell saves apart. */
export const pair = (n: number, portal = "https://a.example.com"): StoredTokens => ({
  version: 1,
  portal,
  clientId: "local.app",
  accessToken: `access-token-${n}`,
  refreshToken: `refresh-token-${n}`,
  expires: 2_000_000_000 + n,
  origin: "f".repeat(64),
  updatedAt: new Date(0).toISOString(),
});
