import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureFirstAdminKey, startPortico } from '../core/app';
import { defaultClientContext } from '../core/clients';
import { AccessPolicyError, accessPolicy } from '../core/server/request-guards';
import type { CliTarget } from './context';
import { type CliIO, UsageError } from './output';

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Invalid port "${text}": use a number from 0 to 65535 (0 picks a free port).`);
  }
  return port;
}

/**
 * A whole number ≥ 1 from a flag or else its env variable; a UsageError names where the bad value
 * came from and what is accepted. Undefined when neither is set.
 */
function parseCount(
  flag: string,
  env: string,
  fromFlag: string | undefined,
  what: string,
): number | undefined {
  const fromEnv = process.env[env];
  const [text, source] =
    fromFlag !== undefined ? [fromFlag, `--${flag}`] : fromEnv ? [fromEnv, `${env}`] : [undefined, ''];
  if (text === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(
      `Invalid ${source} "${text}": use ${what}, a whole number of at least 1 (--${flag} N, or env ${env}).`,
    );
  }
  return value;
}

/** The built web UI (out/renderer), found from this module: out/main/cli.js or a chunk below it. */
function webUiDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '..', 'renderer'), join(here, '..', '..', 'renderer')].find((dir) =>
    existsSync(join(dir, 'index.html')),
  );
}

/** `portico serve`: the headless gateway and web UI in this process, until SIGINT/SIGTERM. */
export async function serveCommand(
  { dataDir, databaseUrl }: Omit<CliTarget, 'readOnly'>,
  argv: string[],
  io: CliIO,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'no-admin': { type: 'boolean' },
      'no-gateway': { type: 'boolean' },
      'session-idle-timeout': { type: 'string' },
      'max-sessions-per-key': { type: 'string' },
      'webhook-timeout': { type: 'string' },
      'public-url': { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      'allowed-origin': { type: 'string', multiple: true },
      oauth: { type: 'boolean' },
      'no-oauth': { type: 'boolean' },
      'oauth-issuer': { type: 'string' },
    },
    strict: true,
  });
  const list = (flag: string[] | undefined, env: string | undefined) =>
    flag?.length
      ? flag
      : (env
          ?.split(',')
          .map((v) => v.trim())
          .filter(Boolean) ?? []);
  const publicUrl = values['public-url'] ?? (process.env.PORTICO_PUBLIC_URL || undefined);
  const allowedHosts = list(values['allowed-host'], process.env.PORTICO_ALLOWED_HOSTS);
  const allowedOrigins = list(values['allowed-origin'], process.env.PORTICO_ALLOWED_ORIGINS);
  // OAuth for MCP clients: on with a public URL (team mode) unless --no-oauth; --oauth turns it on locally.
  const oauthEnv = process.env.PORTICO_OAUTH;
  const oauthIssuer = values['oauth-issuer'] ?? (process.env.PORTICO_OAUTH_ISSUER || undefined);
  if (oauthIssuer && !/^https?:\/\/[^/]/.test(oauthIssuer))
    throw new UsageError(
      `--oauth-issuer "${oauthIssuer}" is not a URL; give the OpenID Connect issuer, e.g. https://login.example.com/realms/team.`,
    );
  const oauth = values['no-oauth']
    ? false
    : values.oauth || (oauthEnv ? oauthEnv === '1' || oauthEnv === 'true' : undefined);
  // Checked before anything starts (the bind host too, when given): a bad value opens nothing.
  try {
    accessPolicy({ host: values.host ?? '127.0.0.1', publicUrl, allowedHosts, allowedOrigins });
  } catch (error) {
    if (error instanceof AccessPolicyError) throw new UsageError(error.message);
    throw error;
  }
  // Checked before anything starts, so a typo never leaves a half-started server.
  const port = parsePort(values.port) ?? parsePort(process.env.PORTICO_PORT);
  const sessionIdleTimeoutSeconds = parseCount(
    'session-idle-timeout',
    'PORTICO_SESSION_IDLE_TIMEOUT',
    values['session-idle-timeout'],
    'the seconds an idle MCP session stays open (default 1800)',
  );
  const maxSessionsPerKey = parseCount(
    'max-sessions-per-key',
    'PORTICO_MAX_SESSIONS_PER_KEY',
    values['max-sessions-per-key'],
    'the most open MCP sessions one API key may hold (default 1000)',
  );
  const webhookTimeoutSeconds = parseCount(
    'webhook-timeout',
    'PORTICO_WEBHOOK_TIMEOUT',
    values['webhook-timeout'],
    'the seconds a webhook receiver may take to answer (default 10)',
  );
  // Signals are handled from the start: one arriving while Portico starts stops it once started.
  let stopRequested: string | undefined;
  let onSignal = (signal: string) => {
    stopRequested ??= signal;
  };
  const relay = (signal: 'SIGINT' | 'SIGTERM') => () => onSignal(signal);
  process.on('SIGINT', relay('SIGINT'));
  process.on('SIGTERM', relay('SIGTERM'));
  const app = await startPortico({
    dataDir,
    databaseUrl,
    host: values.host,
    port,
    publicUrl,
    allowedHosts,
    allowedOrigins,
    oauth,
    oauthIssuer,
    sessionIdleTimeoutSeconds,
    maxSessionsPerKey,
    ...(webhookTimeoutSeconds ? { webhookTimeoutMs: webhookTimeoutSeconds * 1000 } : {}),
    noAdmin: values['no-admin'],
    noGateway: values['no-gateway'],
    staticDir: webUiDir(),
    log: (line) => io.err(line),
    clientConfigs: defaultClientContext(),
  });
  const firstKey = await ensureFirstAdminKey(app.store);
  if (firstKey) {
    io.out(
      [
        '',
        'First start: created an admin API key. It is shown only this once — copy it now:',
        '',
        `  ${firstKey}`,
        '',
        `Add Portico to an AI client: point it at ${app.url}/mcp/admin with the header "Authorization: Bearer <key>",`,
        'or run `portico clients add claude-desktop --plane admin` / `portico clients add cursor --plane admin`.',
        '',
      ].join('\n'),
    );
  }
  io.out(`Web UI: ${app.loginLink()}`);
  if (publicUrl) io.out(`Public URL: ${publicUrl} (clients, links and OAuth redirects use it)`);
  io.out('  (a one-time sign-in link, valid 15 minutes; `portico ui` prints a new one)');
  // Last, so that a reader waiting for this line has everything printed before it.
  io.out(`Portico listening on ${app.url}`);
  const planes = app.planes();
  if (!planes.admin || !planes.gateway) {
    io.err(`Planes: admin ${planes.admin ? 'on' : 'off'}, gateway ${planes.gateway ? 'on' : 'off'}.`);
  }
  return new Promise<number>((resolve) => {
    let stoppingAt = 0;
    onSignal = (signal: string) => {
      // The same signal twice within a second (a terminal and a process manager) counts once.
      if (stoppingAt && Date.now() - stoppingAt < 1_000) return;
      if (stoppingAt) {
        io.err(`Second ${signal}: exiting without waiting.`);
        process.exit(1);
      }
      stoppingAt = Date.now();
      io.err(`${signal}: stopping (finishing in-flight calls, up to 5 s)…`);
      app.close().then(
        () => resolve(0),
        (error: unknown) => {
          io.err(`Shutdown failed: ${error instanceof Error ? error.message : error}`);
          resolve(1);
        },
      );
    };
    if (stopRequested) onSignal(stopRequested);
  });
}
