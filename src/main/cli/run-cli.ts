import { parseArgs } from 'node:util';
import { AlreadyRunningError } from '../core/server/server-info';
import { StoreCorruptError } from '../core/store/workspace-store';
import { VERSION } from '../core/version';
import { adminCommand } from './admin-command';
import { bridgeCommand } from './bridge/command';
import { clientsCommand } from './clients-command';
import { closeCliStores, resolveDataDir } from './context';
import { keysCommand } from './keys-command';
import { type CliIO, UsageError } from './output';
import { serveCommand } from './serve-command';
import { statusCommand } from './status-command';

const HELP = `portico ${VERSION} — a local MCP gateway: admin control plane and per-customer data plane

Usage: portico COMMAND [options]

  serve [--port N] [--host H] [--no-admin] [--no-gateway]   run the gateway and web UI (default 127.0.0.1:7430)
  keys create --name NAME --scope admin|gateway [--customer ID]…   create an API key (shown once)
  keys list [--all] | keys revoke ID
  admin TOOL [JSON]       run one control-plane tool (portico admin help lists them)
  status                  is a gateway running for this data dir, where, which planes
  clients list|add|remove|print CLIENT --plane admin|gateway [--customer ID]   Portico in AI clients' configs
  bridge --plane admin|gateway [--customer ID] [--url URL]   stdio MCP server forwarding to the gateway (key in env PORTICO_API_KEY)

Every command takes --data-dir DIR (env PORTICO_DATA_DIR) and --json where it prints data.`;

/** Splits the global flags (--data-dir, --json, --help) from a command's own arguments. */
function globalFlags(argv: string[]) {
  const rest: string[] = [];
  let dataDir: string | undefined;
  let asJson = false;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--data-dir') {
      dataDir = argv[i + 1];
      if (!dataDir) throw new UsageError('--data-dir needs a folder');
      i += 1;
    } else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--json') asJson = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else rest.push(arg);
  }
  return { rest, dataDir, asJson, help };
}

/** Runs one `portico` invocation and returns its exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  try {
    return await runCommand(argv, io);
  } finally {
    try {
      closeCliStores();
    } catch (error) {
      io.err(`portico: ${(error as Error).message}`);
    }
  }
}

async function runCommand(argv: string[], io: CliIO): Promise<number> {
  try {
    const { rest, dataDir: dataDirFlag, asJson, help } = globalFlags(argv);
    const [command, ...args] = rest;
    if (!command || help || command === 'help') {
      io.out(HELP);
      return command || help ? 0 : 2;
    }
    if (command === '--version' || command === 'version') {
      io.out(VERSION);
      return 0;
    }
    const dataDir = resolveDataDir(dataDirFlag);
    switch (command) {
      case 'serve':
        return await serveCommand(dataDir, args, io);
      case 'keys':
        return await keysCommand(dataDir, args, asJson, io);
      case 'admin':
        return await adminCommand(dataDir, args, io);
      case 'clients':
        return await clientsCommand(dataDir, args, asJson, io);
      case 'bridge':
        return await bridgeCommand(dataDir, args, io);
      case 'status':
        parseArgs({ args, options: {}, strict: true });
        return statusCommand(dataDir, asJson, io);
      default:
        throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof StoreCorruptError ||
      error instanceof AlreadyRunningError
    ) {
      io.err(error.message);
      return error instanceof UsageError ? 2 : 1;
    }
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}. Run \`portico --help\` for usage.`);
      return 2;
    }
    io.err(`portico: ${(error as Error).message}`);
    return 1;
  }
}
