import * as os from "os";
import * as path from "path";
import { TokenStore } from "./tokenStore";
import { CommandTokenStore } from "./command";
import { FileTokenStore } from "./file";

export { CommandTokenStore, FileTokenStore };

const COMMAND = "command:";

/**
 * The store named by bitrix24:tokenStore (BITRIX24_TOKEN_STORE): `command:<shell command>`, else a
 * file path (a leading `~/` is the home folder). `timeoutMs` bounds one run of a command.
 */
export function openTokenStore(spec: string, timeoutMs: number): TokenStore {
  if (spec.startsWith(COMMAND))
    return new CommandTokenStore(spec.slice(COMMAND.length).trim(), timeoutMs);
  const file = spec.startsWith("~/") ? path.join(os.homedir(), spec.slice(2)) : spec;
  return new FileTokenStore(path.resolve(file));
}
