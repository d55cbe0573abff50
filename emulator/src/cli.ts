#!/usr/bin/env node
import * as fs from "fs";
import { parseArgs } from "util";
import { startEmulator } from "./server";
import { settingsAsEnv } from "./providerSettings";

/**
 * `npm run emulator -- [--port 8787] [--rps 2 --burst 50] [--latency 0] [--fault-rate 0 --seed 1]
 * [--credentials-file F] [--allow-private-endpoints] [--handler-url URL] [--scope S] [--access-token-ttl s]
 * [--tls [--tls-cert F --tls-key F]] [--operation-limit-timings] [--code-answer-docs-example]`
 */
/** The provider's `login` command's default callback address. */
const LOGIN_CALLBACK = "http://127.0.0.1:8765/callback";

async function main(): Promise<void> {
  const env = process.env;
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: env.EMULATOR_PORT ?? "8787" },
      rps: { type: "string", default: env.EMULATOR_RPS ?? "2" },
      burst: { type: "string", default: env.EMULATOR_BURST ?? "50" },
      "no-rate-limit": { type: "boolean", default: false },
      latency: { type: "string", default: env.EMULATOR_LATENCY_MS ?? "0" },
      "fault-rate": { type: "string", default: env.EMULATOR_FAULT_RATE ?? "0" },
      seed: { type: "string", default: env.EMULATOR_SEED ?? "1" },
      "credentials-file": { type: "string", default: env.EMULATOR_CREDENTIALS_FILE },
      "allow-private-endpoints": { type: "boolean", default: false },
      "handler-url": { type: "string", default: env.EMULATOR_HANDLER_URL },
      scope: { type: "string", default: env.EMULATOR_SCOPE ?? "biconnector" },
      "access-token-ttl": { type: "string", default: env.EMULATOR_ACCESS_TOKEN_TTL ?? "3600" },
      tls: { type: "boolean", default: false },
      "tls-cert": { type: "string", default: env.EMULATOR_TLS_CERT },
      "tls-key": { type: "string", default: env.EMULATOR_TLS_KEY },
      "operation-limit-timings": { type: "boolean", default: false },
      "code-answer-docs-example": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Local Bitrix24 emulator (biconnector methods, OAuth token server, fault injection).\n" +
        "Flags (env): --port (EMULATOR_PORT, 8787) --rps (EMULATOR_RPS, 2) --burst (EMULATOR_BURST, 50)\n" +
        "  --no-rate-limit --latency ms (EMULATOR_LATENCY_MS) --fault-rate 0..1 (EMULATOR_FAULT_RATE)\n" +
        "  --seed n (EMULATOR_SEED) --credentials-file path (EMULATOR_CREDENTIALS_FILE: JSON with the settings)\n" +
        "  --allow-private-endpoints (let sources call connector endpoints on loopback/private hosts)\n" +
        "  --handler-url URL (EMULATOR_HANDLER_URL: where /oauth/authorize/ redirects with the code;\n" +
        "    default http://127.0.0.1:8765/callback, where the login command listens)\n" +
        "  --scope list (EMULATOR_SCOPE, biconnector) --access-token-ttl s (EMULATOR_ACCESS_TOKEN_TTL, 3600)\n" +
        "  --tls (HTTPS with a self-signed certificate for 127.0.0.1; printed: its file)\n" +
        "  --tls-cert F --tls-key F (EMULATOR_TLS_CERT, EMULATOR_TLS_KEY: reuse these, or create them there)\n" +
        "  --operation-limit-timings (OPERATION_TIME_LIMIT answers carry a time block; the portal's do not)\n" +
        "  --code-answer-docs-example (the code exchange answers as the docs' example: no expires, no user_id)",
    );
    return;
  }
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`--${name} must be a non-negative number, got ${v}`);
    return n;
  };
  const faultRate = num("fault-rate", values["fault-rate"]);
  const certFile = values["tls-cert"];
  const keyFile = values["tls-key"];
  if (!certFile !== !keyFile) throw new Error("--tls-cert and --tls-key go together");
  const emu = await startEmulator({
    port: num("port", values.port),
    rateLimit: values["no-rate-limit"]
      ? false
      : { rps: num("rps", values.rps), burst: num("burst", values.burst) },
    latencyMs: num("latency", values.latency),
    randomFaults: faultRate > 0 ? { seed: num("seed", values.seed), rate: faultRate } : undefined,
    allowPrivateEndpoints: values["allow-private-endpoints"],
    // Where the authorize page sends the browser: `bitrix24-biconnector login`'s own listener by
    // default (it listens on 127.0.0.1:8765/callback unless given --port), so that login against
    // this emulator works as printed below.
    handlerUrl: values["handler-url"] ?? LOGIN_CALLBACK,
    scope: values.scope,
    accessTokenTtlSec: num("access-token-ttl", values["access-token-ttl"]),
    tls: certFile && keyFile ? { certFile, keyFile } : values.tls ? true : undefined,
    operationLimitTimings: values["operation-limit-timings"],
    codeAnswerDocsExample: values["code-answer-docs-example"],
  });
  const settings = settingsAsEnv(emu.providerSettings());
  if (values["credentials-file"])
    fs.writeFileSync(values["credentials-file"], JSON.stringify(settings, null, 2), {
      mode: 0o600,
    });
  console.log(`Bitrix24 emulator listening on ${emu.url} (local test credentials, not real ones):`);
  for (const [k, v] of Object.entries(settings)) console.log(`export ${k}=${v}`);
  // The built-in sample connector and any local endpoint live on loopback, which a provider
  // refuses as a connector endpoint unless told that the portal is local.
  console.log("export BITRIX24_ALLOW_PRIVATE_ENDPOINTS=true");
  // Node reads NODE_EXTRA_CA_CERTS when a process starts: set it before starting the client.
  if (emu.certificate)
    console.log(`export NODE_EXTRA_CA_CERTS=${emu.certificate.file} # the emulator's certificate`);
  console.log(`# webhook (answers only *.fields, like a real portal): ${emu.webhookUrl}`);
  console.log(`# authorize page: ${emu.authorizeUrl}&state=<random>`);
  console.log(
    `# sign in as its application (the variables above set; it redirects to ${emu.app.handlerUrl}):`,
  );
  console.log(
    `#   npx bitrix24-biconnector login --portal ${emu.portalUrl} --client-id ${emu.app.clientId} --oauth-url ${emu.oauthUrl}` +
      (emu.app.handlerUrl === LOGIN_CALLBACK ? "" : " --port <the handler URL's port>"),
  );
  console.log(
    `# control endpoints ${emu.url}_emulator/… need: Authorization: Bearer ${emu.adminToken}`,
  );
  const stop = () => void emu.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
