// One "process of a deployment": settings from BITRIX24_* env only, waits for the start signal
// (the file B24_GO) so that every worker calls at once, makes one read-only call, reports as JSON.
const fs = require("fs");
const path = require("path");

const dist = path.resolve(__dirname, "..", "..", "..", "dist", "provider", "core", "client");
const client = require(dist);

async function main() {
  const settings = client.resolveSettings(client.layeredSource(() => undefined, process.env));
  const c = client.createClient
    ? client.createClient(settings)
    : new client.Bitrix24Client(settings);
  const go = process.env.B24_GO;
  for (let i = 0; go && !fs.existsSync(go) && i < 2000; i++)
    await new Promise((r) => setTimeout(r, 5));
  const call = c.operation ? (m) => c.operation().call(m, {}) : (m) => c.call(m, {});
  await call("biconnector.connector.list");
}

main().then(
  () => process.stdout.write(JSON.stringify({ ok: true }) + "\n"),
  (e) => {
    process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.message) }) + "\n");
    process.exitCode = 1;
  },
);
