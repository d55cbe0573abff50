import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

/**
 * A loopback stand-in for a release host (a plugin's `pluginDownloadURL`, http form): GET /<file>
 * answers a file of `dir`, as GitHub's release downloads do. `mode` makes it a bad host: every
 * answer 404, or an archive cut to half its length (the full length announced, then the connection
 * closed: a download that breaks off). Records every request path.
 */
export interface ReleaseHost {
  readonly url: string;
  readonly requests: string[];
  mode: "serve" | "404" | "truncated";
  close(): Promise<void>;
}

export async function startReleaseHost(dir: string): Promise<ReleaseHost> {
  const requests: string[] = [];
  const host = { mode: "serve" as ReleaseHost["mode"] };
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").split("?")[0].slice(1));
    requests.push(`/${name}`);
    const file = path.join(dir, path.basename(name));
    if (host.mode === "404" || req.method !== "GET" || !fs.existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": String(body.length),
    });
    if (host.mode === "serve") {
      res.end(body);
      return;
    }
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(host, {
    url: `http://127.0.0.1:${port}/releases`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
