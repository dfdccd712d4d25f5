import { parseArgs } from 'node:util';
import { DatabaseError } from '../core/store/database';
import { SecretsUnavailableError } from '../core/store/secrets';
import { AlreadyRunningError } from '../core/store/server-info';
import { VERSION } from '../core/util/version';
import { adminCommand, adminHelp } from './admin-command';
import { approvalsCommand } from './approvals-command';
import { bridgeCommand } from './bridge/command';
import { clientsCommand } from './clients-command';
import { exportCommand, importCommand } from './export-command';
import { globalFlags, resolveDataDir } from './global-flags';
import { keysCommand } from './keys-command';
import { type CliIO, UsageError } from './output';
import { serveCommand } from './serve-command';
import { statusCommand } from './status-command';
import { uiCommand } from './ui-command';

const HELP = `portico ${VERSION} — a local MCP gateway: admin control plane and per-customer data plane

Usage: portico COMMAND [options]

  serve [--port N] [--host H] [--no-admin] [--no-gateway]   run the gateway and web UI (default 127.0.0.1:7430)
        [--session-idle-timeout SECONDS] [--max-sessions-per-key N]   MCP sessions (defaults 1800 s, 1000)
        [--webhook-timeout SECONDS]   how long a webhook receiver may take (default 10; env PORTICO_WEBHOOK_TIMEOUT)
        [--public-url URL] [--allowed-host H]… [--allowed-origin O]…   beyond loopback or behind a proxy
                          (binding a non-loopback --host requires --public-url; env PORTICO_PUBLIC_URL,
                          PORTICO_ALLOWED_HOSTS, PORTICO_ALLOWED_ORIGINS, comma-separated)
        [--oauth | --no-oauth]   OAuth sign-in for MCP clients (default: on with --public-url; env PORTICO_OAUTH=1|0)
        [--oauth-issuer URL]     an external OpenID Connect provider signs the tokens (env PORTICO_OAUTH_ISSUER)
  keys create --name NAME --scope admin|gateway [--customer ID]…   create an API key (shown once)
  keys list [--all]       the API keys (revoked ones too with --all)
  keys revoke ID          revoke a key at once
  admin TOOL [JSON]       run one control-plane tool (portico admin help [TOOL] lists them, or shows one)
  status                  is a gateway running for this data dir, where, which planes
  ui                      a new one-time sign-in link for the running server's web UI
  clients list|add|remove|print CLIENT --plane admin|gateway [--customer ID]   Portico in AI clients' configs
  bridge --plane admin|gateway [--customer ID] [--url URL]   stdio MCP server forwarding to the gateway (key in env PORTICO_API_KEY)
  export FILE [--customer ID] [--include-secrets] [--force]   the workspace as a diff-friendly JSON file (secrets
                          only with --include-secrets, encrypted with the passphrase in env PORTICO_EXPORT_PASSPHRASE)
  import FILE [--dry-run]  load an export (all or nothing; passphrase from env PORTICO_EXPORT_PASSPHRASE)
  approvals [list [--all] [--customer ID]]   tool calls waiting for a person's approval (--all: decided too)
  approvals allow ID [--session|--always] | deny ID   decide one (the first decision wins)

Every command takes --data-dir DIR (env PORTICO_DATA_DIR), --database-url postgres://… (env
PORTICO_DATABASE_URL; default: SQLite in the data dir) and --json where it prints data. While a server
runs for the data dir, commands that change something go through it.`;

/** Runs one `portico` invocation and returns its exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  return runCommand(argv, io);
}

/** A postgres:// URL, or an error that says what is accepted. */
function checkDatabaseUrl(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new UsageError(
      '--database-url (PORTICO_DATABASE_URL) takes a PostgreSQL URL such as postgres://user:password@host:5432/portico; without it the workspace is SQLite in the data dir.',
    );
  return url;
}

async function runCommand(argv: string[], io: CliIO): Promise<number> {
  try {
    const { rest, dataDir: dataDirFlag, databaseUrl: urlFlag, asJson, help } = globalFlags(argv);
    const [command, ...args] = rest;
    // `portico admin TOOL --help` is that tool's help, as `portico admin help TOOL`.
    if (help && command === 'admin') return adminHelp(args[0] === 'help' ? args[1] : args[0], io);
    if (!command || help || command === 'help') {
      io.out(HELP);
      return command || help ? 0 : 2;
    }
    if (command === '--version' || command === 'version') {
      io.out(VERSION);
      return 0;
    }
    const dataDir = resolveDataDir(dataDirFlag);
    const target = { dataDir, databaseUrl: checkDatabaseUrl(urlFlag ?? process.env.PORTICO_DATABASE_URL) };
    switch (command) {
      case 'serve':
        return await serveCommand(target, args, io);
      case 'keys':
        return await keysCommand(target, args, asJson, io);
      case 'admin':
        return await adminCommand(target, args, io);
      case 'clients':
        return await clientsCommand(target, args, asJson, io);
      case 'bridge':
        return await bridgeCommand(dataDir, args, io);
      case 'export':
        return await exportCommand(target, args, asJson, io);
      case 'import':
        return await importCommand(target, args, asJson, io);
      case 'approvals':
        return await approvalsCommand(target, args, asJson, io);
      case 'ui':
        return await uiCommand(dataDir, args, asJson, io);
      case 'status':
        parseArgs({ args, options: {}, strict: true });
        return await statusCommand(target, asJson, io);
      default:
        throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof DatabaseError ||
      error instanceof SecretsUnavailableError ||
      error instanceof AlreadyRunningError
    ) {
      io.err(error.message);
      return error instanceof UsageError ? 2 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${message}. Run \`portico --help\` for usage.`);
      return 2;
    }
    io.err(`portico: ${message}`);
    return 1;
  }
}
