import { randomBytes } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import { Bitrix24Error, Bitrix24TransportError } from "../core/errors/errors";
import { redact, registerSecret } from "../core/errors/redact";
import {
  DEFAULT_OAUTH_URL,
  SettingKey,
  defaultTokenStore,
  withTrailingSlash,
} from "../core/client/settings";
import { requestTokens, storedPair } from "../core/client/auth/tokenServer";
import { Transport, axiosTransport } from "../core/client/transport/transport";
import { TokenStoreError, fingerprint, tokenKey } from "../core/client/stores/tokenStore";
import { openTokenStore } from "../core/client/stores";
import { CliIo, printable, readLine } from "./io";
import { readStackConfig } from "./stackConfig";
import { cliSettings } from "./settingsSource";

export interface LoginOptions {
  flags: Partial<Record<SettingKey, string>>;
  port: number;
  noBrowser: boolean;
  paste: boolean;
  stack?: string;
  /** How long to wait for the browser (or the paste), in seconds. */
  timeoutSec: number;
  transport?: Transport;
}

/** Bitrix24 authorization codes live 30 seconds and work once (docs/bitrix24-api.md, "Getting the first token pair"). */
const CODE_LIFE_SEC = 30;
const REQUEST_TIMEOUT_MS = 20_000;
/**
 * What a pasted code may look like: it travels as a query value of the redirect, and Bitrix24's
 * are letters and digits (tens of them); anything with spaces or markup was pasted by mistake.
 */
const CODE_SHAPE = /^[A-Za-z0-9._~-]{8,512}$/;

class LoginError extends Error {}

/**
 * `bitrix24-biconnector login`: the OAuth code flow of a local application. Opens (or prints) the
 * portal's authorize URL with a random state, receives the redirect on 127.0.0.1:<port>/callback
 * (or a pasted URL or code), exchanges the code at once and writes the pair to the token store.
 */
export async function login(opts: LoginOptions, io: CliIo): Promise<number> {
  try {
    return await run(opts, io);
  } catch (e) {
    if (e instanceof LoginError || e instanceof TokenStoreError || e instanceof Bitrix24Error) {
      io.err(redact(e.message));
      return 1;
    }
    throw e;
  }
}

async function run(opts: LoginOptions, io: CliIo): Promise<number> {
  const stack = readStackConfig(io.cwd, opts.stack, io.env);
  const { get, origin } = cliSettings(opts.flags, stack, io.env);
  const portal = get("portalUrl");
  const clientId = get("clientId");
  const clientSecret = get("clientSecret");
  registerSecret(clientSecret);
  const missing = [
    !portal && "--portal (bitrix24:portalUrl, BITRIX24_PORTAL_URL)",
    !clientId && "--client-id (bitrix24:clientId, BITRIX24_CLIENT_ID)",
    !clientSecret && "--client-secret (bitrix24:clientSecret, BITRIX24_CLIENT_SECRET)",
  ].filter(Boolean);
  if (missing.length) {
    io.err(
      `login needs ${missing.join(", ")}. They are the portal's address and the local ` +
        `application's client_id and client_secret (Applications → Developer resources → Other → Local application).`,
    );
    return 2;
  }
  let portalUrl: string;
  try {
    portalUrl = withTrailingSlash(new URL(portal as string).toString());
  } catch {
    io.err("--portal must be the portal's http(s) URL, e.g. https://example.bitrix24.com");
    return 2;
  }
  const oauthUrl = withTrailingSlash(get("oauthUrl") ?? DEFAULT_OAUTH_URL);
  const storeSpec = get("tokenStore") ?? defaultTokenStore();
  const store = openTokenStore(storeSpec, REQUEST_TIMEOUT_MS);
  const key = tokenKey(portalUrl, clientId as string);
  // Before the user spends a code: the store must take a write.
  await store.withEntry(key, REQUEST_TIMEOUT_MS, async (e) => {
    await e.read().catch(() => undefined);
    await e.proveWritable();
  });

  const state = randomBytes(16).toString("hex");
  const authorize = new URL("oauth/authorize/", portalUrl);
  authorize.searchParams.set("client_id", clientId as string);
  authorize.searchParams.set("state", state);

  const code = opts.paste
    ? await pasted(authorize.toString(), state, opts, io)
    : await viaCallback(authorize.toString(), state, opts, io);
  registerSecret(code.value);

  const transport = opts.transport ?? axiosTransport();
  const tokens = await exchange().catch((e: unknown) => {
    code.respond(false, "The sign-in did not complete; see the terminal.");
    throw e;
  });
  code.respond(true, "Signed in. You can close this tab and go back to the terminal.");
  function exchange() {
    return store.withEntry(key, REQUEST_TIMEOUT_MS, async (entry) => {
      let answer;
      try {
        answer = await requestTokens(
          transport,
          { oauthUrl, clientId: clientId as string, clientSecret: clientSecret as string },
          { grant_type: "authorization_code", code: code.value },
          { timeoutMs: REQUEST_TIMEOUT_MS },
        );
      } catch (e) {
        if (e instanceof Bitrix24Error && e.code === "invalid_grant")
          throw new LoginError(
            `The token server refused the authorization code (invalid_grant: ${e.description || "no description"}). ` +
              `A code lives ${CODE_LIFE_SEC} seconds and works once: run login again and finish it right away` +
              (opts.paste ? " (paste the address as soon as the browser shows it)." : "."),
          );
        if (e instanceof Bitrix24Error && e.code === "invalid_client")
          throw new LoginError(
            "The token server refused the application (invalid_client): check the client_id and " +
              "client_secret, and that the application is installed in the portal.",
          );
        if (e instanceof Bitrix24TransportError)
          throw new LoginError(
            `The token server ${oauthUrl} did not answer: ${e.reason}. Check --oauth-url.`,
          );
        throw e;
      }
      const stored = storedPair(
        portalUrl,
        clientId as string,
        answer,
        fingerprint(answer.refreshToken),
      );
      await entry.write(stored);
      return { stored, scope: answer.scope };
    });
  }

  io.out(
    `Signed in: the token pair for ${tokens.stored.portal} (application ${clientId}) is stored in ` +
      `${store.description}, entry ${key}.`,
  );
  const steps: string[] = [];
  const fromStack = (k: SettingKey) =>
    origin(k).from === "stack" || origin(k).from === "stack-secret";
  if (!fromStack("portalUrl"))
    steps.push(`pulumi config set bitrix24:portalUrl ${tokens.stored.portal}`);
  if (!fromStack("clientId")) steps.push(`pulumi config set bitrix24:clientId ${clientId}`);
  if (!fromStack("clientSecret"))
    steps.push("pulumi config set --secret bitrix24:clientSecret   # it asks for the value");
  // Another token server than Bitrix24's (a box portal's own, the emulator's): the provider must
  // refresh where login signed in, or its first refresh goes to the default and fails.
  if (oauthUrl !== withTrailingSlash(DEFAULT_OAUTH_URL) && !fromStack("oauthUrl"))
    steps.push(`pulumi config set bitrix24:oauthUrl ${oauthUrl}`);
  // --plaintext: the CLI refuses a value under a key naming a token, when it looks random, unless
  // told it is no secret (the store's location is not; its contents are).
  if (get("tokenStore") && !fromStack("tokenStore"))
    steps.push(
      store.kind === "file"
        ? `pulumi config set --plaintext bitrix24:tokenStore ${storeSpec}`
        : "pulumi config set --plaintext bitrix24:tokenStore 'command:…'   # the same store command",
    );
  for (const k of ["accessToken", "refreshToken"] as const)
    if (origin(k).from !== "unset")
      steps.push(
        `remove bitrix24:${k} (now from ${origin(k).from === "env" ? "the environment" : "stack config"}): ` +
          "a configured token takes precedence over the stored pair",
      );
  steps.push("npx bitrix24-biconnector doctor", "pulumi up");
  io.out("Next:");
  for (const s of steps) io.out(`  ${s}`);
  if (tokens.scope !== undefined && !tokens.scope.split(/[ ,]+/).includes("biconnector")) {
    io.err(
      `The application's scope is "${tokens.scope}", without biconnector: in the portal, add the ` +
        "biconnector scope to the local application, save it, and run login again.",
    );
    return 1;
  }
  return 0;
}

interface Code {
  value: string;
  /** Answers the browser (no-op for a pasted code). */
  respond(ok: boolean, message: string): void;
}

async function pasted(url: string, state: string, opts: LoginOptions, io: CliIo): Promise<Code> {
  io.out("Open this address in a browser signed in to the portal and allow access:");
  io.out(`  ${url}`);
  io.out(
    `Then paste here the address the browser was sent to (it holds code=…), or just the code, ` +
      `within ${CODE_LIFE_SEC} seconds:`,
  );
  const read = await readLine(io.stdin, opts.timeoutSec * 1000);
  if ("ended" in read)
    throw new LoginError(
      "Standard input ended before anything was pasted: run login --paste in a terminal, or " +
        "without --paste to receive the redirect on 127.0.0.1.",
    );
  if ("timedOut" in read)
    throw new LoginError(`Nothing was pasted within ${opts.timeoutSec} s; run login again.`);
  const line = read.line;
  if (!/[?&]code=/.test(line) && !/^code=/.test(line)) {
    if (!CODE_SHAPE.test(line))
      throw new LoginError(
        `That is neither the address the browser was sent to (it holds code=…) nor a code ` +
          `(letters, digits and ._~- only, 8 to 512 of them); got ${printable(line, 60)}. ` +
          "Nothing was sent to the token server; run login again.",
      );
    return { value: line, respond: () => {} };
  }
  const params = new URLSearchParams(line.includes("?") ? line.slice(line.indexOf("?") + 1) : line);
  const code = params.get("code");
  if (!code) throw new LoginError("The pasted address holds no code; paste the whole address.");
  if (params.has("state") && params.get("state") !== state)
    throw new LoginError(
      "The pasted address carries another state than this login's: refused (it belongs to " +
        "another sign-in). Run login again and paste the address of this one.",
    );
  return { value: code, respond: () => {} };
}

function page(message: string): string {
  return `<!doctype html><meta charset="utf-8"><title>bitrix24-biconnector login</title><p>${message}</p>`;
}

async function viaCallback(
  url: string,
  state: string,
  opts: LoginOptions,
  io: CliIo,
): Promise<Code> {
  let resolveOutcome!: (r: Code | Error) => void;
  const outcome = new Promise<Code | Error>((resolve) => (resolveOutcome = resolve));
  // The first redirect of this login decides; one arriving later (a reload, a second tab) is
  // answered at once, so neither it nor the exchange of the first waits on the other.
  let received = false;
  const settle = (r: Code | Error) => {
    received = true;
    resolveOutcome(r);
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, message: string) => {
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", Connection: "close" });
      res.end(page(message));
    };
    if (req.method !== "GET" || u.pathname !== "/callback") return reply(404, "Not found.");
    if (received) {
      io.err("Another redirect arrived after the first one: answered, not used.");
      return reply(
        409,
        "This sign-in already received its answer and is finishing with it: this request was not used.",
      );
    }
    if (u.searchParams.get("state") !== state) {
      io.err("Refused a callback with a wrong state (not this login's); still waiting.");
      return reply(
        400,
        "Refused: this request does not belong to the running login (wrong state).",
      );
    }
    const error = u.searchParams.get("error");
    if (error) {
      reply(400, "The portal did not authorize the application; see the terminal.");
      // As the browser sent them: shown escaped and cut, never as terminal control sequences.
      const description = u.searchParams.get("error_description");
      return settle(
        new LoginError(
          `The portal answered error=${printable(error, 80)}${description ? `: ${printable(description)}` : ""}. ` +
            "Check that the application is installed and that you may use it.",
        ),
      );
    }
    const code = u.searchParams.get("code");
    if (!code) return reply(400, "The redirect holds no code.");
    let answered = false;
    settle({
      value: code,
      respond: (ok, message) => {
        if (!answered) reply(ok ? 200 : 400, message);
        answered = true;
      },
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new LoginError(
          e.code === "EADDRINUSE"
            ? `Port ${opts.port} on 127.0.0.1 is taken: pass --port with another one (and register ` +
                `http://127.0.0.1:<port>/callback as the application's handler path).`
            : `Cannot listen on 127.0.0.1:${opts.port}: ${e.message}`,
        ),
      ),
    );
    server.listen(opts.port, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  io.out(`Listening on http://127.0.0.1:${port}/callback (the application's handler path).`);
  io.out("Open this address in a browser signed in to the portal and allow access:");
  io.out(`  ${url}`);
  if (!opts.noBrowser)
    io.out(
      io.openBrowser(url)
        ? "(opened in your browser)"
        : "(could not open a browser here: no xdg-open, open or start found, or no desktop " +
            "session; open the address above by hand)",
    );
  const timer = setTimeout(
    () =>
      settle(
        new LoginError(
          `No redirect reached http://127.0.0.1:${port}/callback within ${opts.timeoutSec} s. If the ` +
            "application's handler path cannot be this address, use --paste.",
        ),
      ),
    opts.timeoutSec * 1000,
  );
  const got = await outcome;
  clearTimeout(timer);
  const close = () => {
    server.close();
    server.closeAllConnections();
  };
  if (got instanceof Error) {
    close();
    throw got;
  }
  return {
    value: got.value,
    respond: (ok, message) => {
      got.respond(ok, message);
      setImmediate(close);
    },
  };
}
