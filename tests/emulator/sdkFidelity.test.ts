/**
 * Where the official JS SDK (@bitrix24/b24jssdk) and our first reading of the docs disagreed, the
 * emulator now answers as the portal does: `/rest//METHOD` is the method (the SDK joins the
 * portal's client_endpoint, ending in `/rest/`, with `/` + method), each batch command's
 * `result_time` carries the method's operating fields, and HTTPS is offered with a certificate
 * for 127.0.0.1. (The 429's missing time block and the code exchange's fields: portalLimits and
 * oauth tests.) Raw HTTP over loopback, no provider.
 */
import axios from "axios";
import { execFile } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { X509Certificate } from "crypto";
import { Emulator, startEmulator } from "bitrix24-biconnector-emulator";
import { tempDir } from "../helpers/portal";

const client = axios.create({ validateStatus: () => true, timeout: 10_000 });

describe("the official SDK's ways of calling", () => {
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  afterEach(() => emu.close());

  test("/rest//METHOD (client_endpoint + '/' + method) is the same method, for OAuth calls", async () => {
    const doubled = await client.post(`${emu.portalUrl}rest//biconnector.connector.list`, {
      auth: emu.tokens.accessToken,
    });
    expect(doubled.status).toBe(200);
    expect(doubled.data.result).toEqual([]);
    // and the token answer's client_endpoint is what the SDK joins
    const refreshed = await client.post(
      `${emu.oauthUrl}oauth/token/`,
      new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: emu.tokens.refreshToken,
        client_id: emu.app.clientId,
        client_secret: emu.app.clientSecret,
      }).toString(),
    );
    const endpoint = String(refreshed.data.client_endpoint);
    expect(endpoint).toMatch(/\/rest\/$/);
    const joined = await client.post(`${endpoint}/biconnector.connector.list`, {
      auth: refreshed.data.access_token,
    });
    expect(joined.status).toBe(200);
    // an unknown method is still unknown
    const unknown = await client.post(`${emu.portalUrl}rest//no.such.method`, {
      auth: refreshed.data.access_token,
    });
    expect([unknown.status, unknown.data.error]).toEqual([404, "ERROR_METHOD_NOT_FOUND"]);
  });

  test("each batch command's result_time has the method's operating and operating_reset_at, as a single call's time block", async () => {
    const r = await client.post(`${emu.portalUrl}rest/batch`, {
      auth: emu.tokens.accessToken,
      halt: 0,
      cmd: { a: "biconnector.connector.list", b: "biconnector.source.list" },
    });
    expect(r.status).toBe(200);
    for (const key of ["a", "b"]) {
      const t = r.data.result.result_time[key];
      expect(typeof t.operating).toBe("number");
      expect(t.operating).toBeGreaterThanOrEqual(0);
      expect(t.operating_reset_at).toBeGreaterThan(Date.now() / 1000);
      for (const k of ["start", "finish", "duration", "processing", "date_start", "date_finish"])
        expect(t).toHaveProperty(k);
    }
    // the method's time counts in its window, whether it ran alone or in a batch
    const alone = await client.post(`${emu.portalUrl}rest/biconnector.connector.list`, {
      auth: emu.tokens.accessToken,
    });
    expect(alone.data.time.operating).toBeGreaterThanOrEqual(r.data.result.result_time.a.operating);
  });
});

describe("HTTPS (tls)", () => {
  test("tls: true — an https URL, a certificate for 127.0.0.1 (IP SAN) given as file and PEM, trusted by a client that is given it; removed on close", async () => {
    const emu = await startEmulator({ rateLimit: false, tls: true, allowPrivateEndpoints: true });
    try {
      expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const cert = emu.certificate!;
      expect(fs.readFileSync(cert.file, "utf8")).toBe(cert.pem);
      const x509 = new X509Certificate(cert.pem);
      expect(x509.subjectAltName).toContain("IP Address:127.0.0.1");
      expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
      // refused without the certificate, answered with it
      const untrusting = await client
        .post(`${emu.portalUrl}rest/biconnector.connector.list`, { auth: emu.tokens.accessToken })
        .then(
          () => "answered",
          (e: { code?: string }) => e.code,
        );
      expect(untrusting).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
      const agent = new https.Agent({ ca: cert.pem });
      const trusted = await client.post(
        `${emu.portalUrl}rest/biconnector.connector.list`,
        { auth: emu.tokens.accessToken },
        { httpsAgent: agent },
      );
      expect(trusted.status).toBe(200);
      // the token server's answer points at the https portal
      expect(emu.providerSettings().portalUrl).toMatch(/^https:/);
      // the portal calls a connector's urlCheck over https too: its own sample connector here
      const base = emu.sampleConnectorUrl;
      expect(base).toMatch(/^https:/);
      const rest = (method: string, body: object) =>
        client.post(
          `${emu.portalUrl}rest/${method}`,
          { ...body, auth: emu.tokens.accessToken },
          { httpsAgent: agent },
        );
      const connector = await rest("biconnector.connector.add", {
        fields: {
          title: "Over TLS",
          logo: "https://connector.example.com/logo.svg",
          urlCheck: `${base}/check`,
          urlTableList: `${base}/table_list`,
          urlTableDescription: `${base}/table_description`,
          urlData: `${base}/data`,
          settings: [
            { name: "Login", code: "login", type: "STRING" },
            { name: "Password", code: "password", type: "STRING" },
          ],
        },
      });
      const source = await rest("biconnector.source.add", {
        fields: {
          title: "Over TLS",
          connectorId: connector.data.result.id,
          settings: emu.sampleConnectorCredentials,
        },
      });
      expect(source.data.result).toEqual({ id: expect.any(Number) });
    } finally {
      await emu.close();
    }
    expect(fs.existsSync(emu.certificate!.file)).toBe(false);
  });

  test("tls: {certFile, keyFile} — created there on the first start, reused (same certificate) on the next, kept after close", async () => {
    const dir = tempDir("b24-tls-");
    const files = { certFile: path.join(dir, "cert.pem"), keyFile: path.join(dir, "key.pem") };
    const first = await startEmulator({ rateLimit: false, tls: files });
    const pem = first.certificate!.pem;
    await first.close();
    expect(fs.readFileSync(files.certFile, "utf8")).toBe(pem);
    const second = await startEmulator({ rateLimit: false, tls: files });
    try {
      expect(second.certificate).toEqual({ file: files.certFile, pem });
      const r = await client.post(
        `${second.portalUrl}rest/biconnector.connector.list`,
        { auth: second.tokens.accessToken },
        { httpsAgent: new https.Agent({ ca: pem }) },
      );
      expect(r.status).toBe(200);
    } finally {
      await second.close();
    }
    expect(fs.existsSync(files.certFile)).toBe(true);
  });
});

describe("the official SDK itself (@bitrix24/b24jssdk 2.2.0) against the emulator", () => {
  test("its https-only webhook client (the emulator over TLS, its certificate in NODE_EXTRA_CA_CERTS), its OAuth client (/rest//METHOD) and its batch (operating in each command's time)", async () => {
    const emu = await startEmulator({ rateLimit: false, tls: true });
    try {
      const settings = { ...emu.providerSettings(), webhookUrl: emu.webhookUrl };
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [path.join(__dirname, "workers", "officialSdk.js")],
          {
            timeout: 60_000,
            env: {
              ...process.env,
              NODE_EXTRA_CA_CERTS: emu.certificate!.file,
              B24_SETTINGS: JSON.stringify(settings),
            },
          },
          (error, stdout, stderr) => (error ? reject(new Error(stdout + stderr)) : resolve(stdout)),
        ),
      );
      const seen = JSON.parse(out.trim().split("\n").pop() as string);
      expect(seen.errors).toEqual([]);
      expect(seen.hook.ok).toBe(true);
      expect(seen.hook.fields).toBeGreaterThan(0);
      expect(seen.oauth).toEqual({ ok: true, result: [] });
      expect(seen.batch.ok).toBe(true);
      for (const t of seen.batch.times) {
        expect(typeof t.operating).toBe("number");
        expect(t.operating_reset_at).toBeGreaterThan(0);
      }
      expect(
        emu.requestLines.some((l) => l.startsWith("POST /rest//biconnector.connector.list")),
      ).toBe(true);
    } finally {
      await emu.close();
    }
  });
});
