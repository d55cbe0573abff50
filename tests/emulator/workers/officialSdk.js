// The official Bitrix24 JS SDK (@bitrix24/b24jssdk, a devDependency) as an integrator runs it
// against the emulator, in a process of its own: Node reads NODE_EXTRA_CA_CERTS (the emulator's
// certificate) only when a process starts. Its webhook client is https-only; its OAuth client
// calls client_endpoint + "/" + method (`/rest//METHOD`). Prints one JSON line of what it saw.
const sdk = require("@bitrix24/b24jssdk");

async function main() {
  const s = JSON.parse(process.env.B24_SETTINGS);
  const hook = sdk.B24Hook.fromWebhookUrl(s.webhookUrl);
  const fields = await hook.actions.v2.call.make({
    method: "biconnector.connector.fields",
    params: {},
  });
  const oauth = new sdk.B24OAuth(
    {
      applicationToken: "",
      userId: 1,
      memberId: "emulator",
      accessToken: s.accessToken,
      refreshToken: s.refreshToken,
      expires: Math.floor(Date.now() / 1000) + 3600,
      expiresIn: 3600,
      scope: "biconnector",
      domain: new URL(s.portalUrl).host,
      clientEndpoint: `${s.portalUrl}rest/`,
      serverEndpoint: `${s.oauthUrl}rest/`,
      status: "L",
      issuer: "request",
    },
    { clientId: s.clientId, clientSecret: s.clientSecret },
  );
  const listed = await oauth.actions.v2.call.make({
    method: "biconnector.connector.list",
    params: {},
  });
  const batch = await oauth.actions.v2.batch.make({
    calls: [
      ["biconnector.connector.list", {}],
      ["biconnector.source.list", {}],
    ],
    options: { isHaltOnError: true, returnAjaxResult: true },
  });
  const rows = batch.isSuccess ? batch.getData() : [];
  console.log(
    JSON.stringify({
      hook: {
        ok: fields.isSuccess,
        fields: Object.keys(fields.getData()?.result?.fields ?? {}).length,
      },
      oauth: { ok: listed.isSuccess, result: listed.getData()?.result },
      batch: {
        ok: batch.isSuccess,
        times: rows.map((r) => r.getData()?.time),
      },
      errors: [fields, listed, batch].flatMap((r) => (r.isSuccess ? [] : r.getErrorMessages())),
    }),
  );
}

main().catch((e) => {
  console.log(JSON.stringify({ crashed: String(e && e.message) }));
  process.exit(1);
});
