#!/usr/bin/env node
import { parseArgs } from "util";
import { redact } from "../core/errors/redact";
import { SettingKey } from "../core/client/settings";
import { adopt } from "./adopt/adopt";
import { doctor } from "./doctor";
import { CliIo, processIo } from "./io";
import { login } from "./login";
import { orphans } from "./orphans";
import { FLAGS } from "./settingsSource";

const USAGE = `Usage: bitrix24-biconnector <command> [flags]

Commands:
  login    sign in as the portal's local application and store the token pair
  doctor   check settings, token store, token, scope and the biconnector methods
  adopt    write a program that declares (and takes over) every object the application sees
  orphans  list the objects the application sees that no named stack holds (and delete them)

Flags (else the current stack's config, else BITRIX24_* variables):
  --portal URL           portal address (bitrix24:portalUrl)
  --client-id ID         application client_id (bitrix24:clientId)
  --client-secret SECRET application client_secret (bitrix24:clientSecret)
  --oauth-url URL        token server (bitrix24:oauthUrl, default https://oauth.bitrix.info)
  --token-store STORE    file path or command:<shell command> (bitrix24:tokenStore)
  --stack NAME           the stack whose Pulumi.<NAME>.yaml to read (login, doctor)
login only:
  --port N               callback port on 127.0.0.1 (default 8765); handler path
                         http://127.0.0.1:<port>/callback
  --no-browser           print the address, do not open a browser
  --paste                no listener: paste the redirected address (or the code)
  --timeout SECONDS      how long to wait for the browser or the paste (default 300)
adopt only:
  --out DIR              the project folder to write (new, empty, or an earlier adopt's)
  --language LANG        typescript (default), python, go or yaml
  --connector ID|TITLE   one connector, with its sources and datasets
  --project NAME         the project's name (default: the folder's name)
  --stack NAME           (adopt) create this stack of the written project and set each source
                         setting in it as a secret, through the pulumi CLI on PATH
orphans only:
  --stack NAME           a stack whose state to read (pulumi stack export); repeat it for every
                         stack that manages objects on this portal
  --delete               delete the orphans (after typing "delete", or with --yes)
  --only KIND:ID         only this orphan (e.g. connector:17); may repeat
  --yes                  delete without asking`;

/** Runs the command line `argv` (without node and script); resolves to the exit status. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        portal: { type: "string" },
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        "oauth-url": { type: "string" },
        "token-store": { type: "string" },
        stack: { type: "string", multiple: true },
        port: { type: "string", default: "8765" },
        "no-browser": { type: "boolean", default: false },
        paste: { type: "boolean", default: false },
        timeout: { type: "string", default: "300" },
        out: { type: "string" },
        language: { type: "string", default: "typescript" },
        connector: { type: "string" },
        project: { type: "string" },
        delete: { type: "boolean", default: false },
        only: { type: "string", multiple: true },
        yes: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command] = positionals;
  if (values.help || !command) {
    (command || values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const stacks = values.stack ?? [];
  if (stacks.length > 1 && command !== "orphans") {
    io.err(`--stack may be given once for ${command}.\n\n${USAGE}`);
    return 2;
  }
  const stack = stacks[0];
  const flags: Partial<Record<SettingKey, string>> = {};
  for (const [key, flag] of Object.entries(FLAGS)) {
    const v = values[flag as keyof typeof values];
    if (typeof v === "string" && v !== "") flags[key as SettingKey] = v;
  }
  const port = Number(values.port);
  const timeoutSec = Number(values.timeout);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port must be a port number (0-65535), got ${JSON.stringify(values.port)}`);
    return 2;
  }
  if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) {
    io.err(`--timeout must be a positive number of seconds, got ${JSON.stringify(values.timeout)}`);
    return 2;
  }
  switch (command) {
    case "login":
      return login(
        {
          flags,
          port,
          noBrowser: values["no-browser"],
          paste: values.paste,
          stack,
          timeoutSec,
        },
        io,
      );
    case "doctor":
      return doctor({ flags, stack }, io);
    case "adopt":
      if (!values.out) {
        io.err(`adopt needs --out DIR, the folder to write the project into.\n\n${USAGE}`);
        return 2;
      }
      return adopt(
        {
          flags,
          stack,
          out: values.out,
          language: values.language,
          connector: values.connector,
          project: values.project,
        },
        io,
      );
    case "orphans":
      return orphans(
        {
          flags,
          stacks,
          delete: values.delete,
          yes: values.yes,
          only: values.only ?? [],
        },
        io,
      );
    default:
      io.err(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
      return 2;
  }
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${redact(e instanceof Error ? e.message : String(e))}\n`);
      process.exit(1);
    },
  );
