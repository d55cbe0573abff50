import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as selfsigned from "selfsigned";

/** Where the emulator's HTTPS certificate lives, and its PEM text. */
export interface EmulatorCertificate {
  /** The certificate's file: give it to clients (NODE_EXTRA_CA_CERTS, curl --cacert, …). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Removes the files when the emulator made them in a folder of its own; else nothing. */
  readonly cleanup: () => void;
}

/**
 * `tls: true`: a new self-signed certificate in a temporary folder, removed on close.
 * `tls: {certFile, keyFile}`: those files when both exist (one certificate across starts: Node
 * reads NODE_EXTRA_CA_CERTS only when a process starts), else a new certificate written there and
 * kept. Valid for 127.0.0.1 and ::1 (IP subject alternative names) and localhost, for a year.
 */
export async function emulatorCertificate(
  tls: true | { certFile: string; keyFile: string },
): Promise<EmulatorCertificate> {
  if (tls !== true && fs.existsSync(tls.certFile) && fs.existsSync(tls.keyFile))
    return {
      ...tls,
      certPem: fs.readFileSync(tls.certFile, "utf8"),
      keyPem: fs.readFileSync(tls.keyFile, "utf8"),
      cleanup: () => {},
    };
  const pems = await selfsigned.generate([{ name: "commonName", value: "127.0.0.1" }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  const dir =
    tls === true ? fs.mkdtempSync(path.join(os.tmpdir(), "b24-emulator-tls-")) : undefined;
  const certFile = tls === true ? path.join(dir as string, "cert.pem") : tls.certFile;
  const keyFile = tls === true ? path.join(dir as string, "key.pem") : tls.keyFile;
  fs.mkdirSync(path.dirname(certFile), { recursive: true });
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  fs.writeFileSync(certFile, pems.cert);
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return {
    certFile,
    keyFile,
    certPem: pems.cert,
    keyPem: pems.private,
    cleanup: () => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
