import { readLocalCredential, readServerInfo } from '../core/store/server-info';
import { adminArgs } from './admin-args';
import { globalFlags, resolveDataDir } from './global-flags';
import { type CliIO, json, UsageError } from './output';
import { callThroughServer } from './remote';

/**
 * `portico admin TOOL [JSON]` while a server runs for the data dir: the call goes through the
 * server, so this process needs none of Portico's own code — it forwards, prints and exits. Its
 * start costs a fraction of the full CLI's, which matters when scripts run many commands against a
 * busy gateway. Undefined when it does not apply (another command, help, no server): the full CLI
 * runs instead.
 */
export async function fastAdmin(argv: string[], io: CliIO): Promise<number | undefined> {
  let flags: ReturnType<typeof globalFlags>;
  try {
    flags = globalFlags(argv);
  } catch {
    return undefined;
  }
  const [command, tool, raw, ...extra] = flags.rest;
  if (command !== 'admin' || !tool || tool === 'help' || flags.help || extra.length) return undefined;
  const dataDir = resolveDataDir(flags.dataDir);
  const server = readServerInfo(dataDir);
  const credential = server?.url ? readLocalCredential(dataDir) : null;
  if (!server?.url || !credential) return undefined;
  let args: unknown;
  try {
    args = adminArgs(tool, raw);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    return 2;
  }
  const result = await callThroughServer({ ...server, url: server.url }, credential, tool, args);
  if (!result.ok) {
    io.err(result.error);
    return 1;
  }
  io.out(json(result.value));
  return 0;
}
