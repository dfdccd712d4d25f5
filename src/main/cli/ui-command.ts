import { parseArgs } from 'node:util';
import { readLocalCredential, readServerInfo } from '../core/store/server-info';
import type { CliIO } from './output';
import { postToServer } from './remote';

/**
 * `portico ui`: a fresh one-time sign-in link for the web UI of the server running on this data
 * dir (the one `portico serve` printed may be used or expired). Minted by that server, asked for
 * with the local credential only this OS user can read.
 */
export async function uiCommand(
  dataDir: string,
  args: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const server = readServerInfo(dataDir);
  const credential = server?.url ? readLocalCredential(dataDir) : null;
  if (!server?.url || !credential) {
    io.err(
      `Portico is not running for ${dataDir}. Start it with \`portico serve\` (it prints a sign-in link).`,
    );
    return 1;
  }
  const result = await postToServer({ ...server, url: server.url }, credential, '/api/login-link', {});
  if (!result.ok) {
    io.err(result.error);
    return 1;
  }
  const { url } = result.value as { url: string };
  io.out(
    asJson ? JSON.stringify({ url }) : `${url}\n  (one-time sign-in link for the web UI, valid 15 minutes)`,
  );
  return 0;
}
