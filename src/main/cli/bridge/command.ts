import { parseArgs } from 'node:util';
import { type CliIO, UsageError } from '../output';
import { DEFAULT_BASE } from './endpoint';
import { Bridge } from './relay';

/**
 * `portico bridge`: an MCP stdio server that forwards every JSON-RPC message, both ways, to a
 * Portico plane over Streamable HTTP. Claude Desktop (stdio only) runs it. A restarted gateway is
 * re-joined transparently with the client's original initialize parameters.
 *
 * The pieces: endpoint.ts finds the plane's URL, upstream-link.ts opens one upstream session,
 * upstream-session.ts keeps one alive across gateway restarts, relay.ts moves the messages,
 * upstream-failure.ts and error-replies.ts sort failures and word them for the client.
 */

/** `portico bridge --plane admin|gateway [--customer ID] [--url URL]`; the key comes from env PORTICO_API_KEY only. */
export async function bridgeCommand(dataDir: string, argv: string[], io: CliIO): Promise<number> {
  const keyFlag = argv.find((a) => /^--(api-?)?key(=|$)/i.test(a));
  if (keyFlag) {
    throw new UsageError(
      `portico bridge does not take the key on the command line (${keyFlag.split('=')[0]}): arguments are visible to other programs. ` +
        'Set it in the environment instead: PORTICO_API_KEY=ptc_… portico bridge --plane …',
    );
  }
  const { values } = parseArgs({
    args: argv,
    options: { plane: { type: 'string' }, customer: { type: 'string' }, url: { type: 'string' } },
    strict: true,
  });
  const { plane, customer, url } = values;
  if (plane !== 'admin' && plane !== 'gateway') {
    throw new UsageError(
      'Usage: PORTICO_API_KEY=ptc_… portico bridge --plane admin|gateway [--customer ID] [--url URL]',
    );
  }
  if (plane === 'gateway' && !customer) {
    throw new UsageError('portico bridge --plane gateway needs --customer ID.');
  }
  if (plane === 'admin' && customer)
    throw new UsageError('The admin plane is not per customer: drop --customer.');
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new UsageError(`--url must be an http(s) URL, like ${DEFAULT_BASE}; got "${url}".`);
    }
  }
  // stdout carries the protocol only: anything a library prints goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const key = process.env.PORTICO_API_KEY?.trim() || undefined;
  if (!key) io.err('portico bridge: PORTICO_API_KEY is not set; initialize will fail until it is.');
  return new Bridge({ dataDir, plane, customer, url, key, log: (line) => io.err(line) }).run();
}
