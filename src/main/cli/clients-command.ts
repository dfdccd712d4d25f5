import { parseArgs } from 'node:util';
import { CLIENT_ENVIRONMENT_VARIABLES } from '../../shared/admin/client-environment';
import type { ToolInput, ToolName, ToolOutput } from '../core/admin';
import { KEY_MASK } from '../core/admin/client-config';
import { CLIENT_IDS, type ClientId, isClientId } from '../core/clients';
import { type CliTarget, openCliRegistry } from './context';
import { type CliIO, json, table, UsageError } from './output';

const USAGE = `Usage: portico clients list [CLIENT] [--plane admin|gateway] [--customer ID]
       portico clients add|remove|print CLIENT --plane admin|gateway [--customer ID]

CLIENT is one of: ${CLIENT_IDS.join(', ')}.
The gateway plane needs --customer ID: each customer gets its own entry (portico-<customer_id>).`;

interface Parsed {
  client?: ClientId;
  plane?: 'admin' | 'gateway';
  customer?: string;
}

function parse(argv: string[], needClient: boolean): Parsed {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { plane: { type: 'string' }, customer: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1)
    throw new UsageError(`Too many arguments: ${positionals.join(' ')}.\n\n${USAGE}`);
  const [client] = positionals;
  if (needClient && !client) throw new UsageError(`Which client?\n\n${USAGE}`);
  const plane = values.plane;
  if (plane !== undefined && plane !== 'admin' && plane !== 'gateway') {
    throw new UsageError(`--plane is "admin" or "gateway", not "${plane}".`);
  }
  if (needClient && !plane)
    throw new UsageError(`Which plane? Add --plane admin or --plane gateway.\n\n${USAGE}`);
  if (client !== undefined && !isClientId(client)) {
    throw new UsageError(`Unknown client "${client}". Known clients: ${CLIENT_IDS.join(', ')}.`);
  }
  return { client, plane, customer: values.customer };
}

/**
 * This shell's environment, as far as client configs go (HOME, PATH, the PORTICO_*_CONFIG
 * overrides…): sent with every call, so that a running server writes this user's files.
 */
function callerEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of CLIENT_ENVIRONMENT_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** A failed call: its message on stderr, exit code 1. */
class CallFailed extends Error {}

/**
 * `portico clients list|add|remove|print`: thin callers of list_client_configs, add_client_config,
 * remove_client_config and get_client_config — through the running server when one runs.
 */
export async function clientsCommand(
  target: Omit<CliTarget, 'readOnly'>,
  argv: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help') {
    io.out(USAGE);
    return sub ? 0 : 2;
  }
  if (!['list', 'add', 'remove', 'print'].includes(sub)) {
    throw new UsageError(`Unknown subcommand "clients ${sub}".\n\n${USAGE}`);
  }
  const args = parse(rest, sub !== 'list');
  const session = await openCliRegistry({ ...target, readOnly: sub === 'list' || sub === 'print' });
  const run = async <N extends ToolName>(tool: N, input: ToolInput<N>): Promise<ToolOutput<N>> => {
    const result = await session.client.call(tool, input);
    if (!result.ok) throw new CallFailed(result.error);
    return result.value;
  };
  try {
    const common = {
      ...(args.customer !== undefined ? { customer_id: args.customer } : {}),
      client_environment: callerEnvironment(),
    };
    if (sub === 'list') {
      const { clients } = await run('list_client_configs', {
        ...common,
        ...(args.client ? { client: args.client } : {}),
        ...(args.plane ? { plane: args.plane } : {}),
      });
      return printList(clients, asJson, io);
    }
    const entry = { ...common, client: args.client as ClientId, plane: args.plane ?? 'admin' };
    if (sub === 'add') return printAdd(await run('add_client_config', entry), asJson, io);
    if (sub === 'remove') return printRemove(await run('remove_client_config', entry), asJson, io);
    return printEntry(await run('get_client_config', { ...entry, include_file: true }), asJson, io);
  } catch (error) {
    if (!(error instanceof CallFailed)) throw error;
    io.err(error.message);
    return 1;
  } finally {
    await session.close();
  }
}

const restartLine = (r: { restart_required: boolean; restart_hint: string }) =>
  r.restart_required ? `Restart needed: ${r.restart_hint}` : r.restart_hint;

function printAdd(r: ToolOutput<'add_client_config'>, asJson: boolean, io: CliIO): number {
  for (const warning of r.warnings) io.err(`Warning: ${warning}`);
  if (asJson) {
    io.out(json(r));
    return 0;
  }
  if (r.change === 'unchanged') {
    io.out(
      `${r.server_name} in ${r.display_name}'s config is current, so it was left as it is: ${r.path}\n` +
        `It uses key ${r.key_id} ("${r.key_name}"); no key was minted.`,
    );
    return 0;
  }
  const lines =
    r.method === 'claude-cli'
      ? [
          `${r.change === 'update' ? 'Replaced' : 'Added'} ${r.server_name} in Claude Code: added with \`claude mcp add-json --scope user\` (Claude Code keeps it in ${r.path}).`,
        ]
      : [
          `${r.change === 'update' ? 'Updated' : 'Added'} ${r.server_name} in ${r.display_name}'s config: ${r.path}`,
          r.method_note ? `Edited ${r.path} directly (${r.method_note}).` : '',
          r.backup_path ? `Backup of the previous file: ${r.backup_path}` : 'No previous file, so no backup.',
        ];
  lines.push(`Minted key ${r.key_id} for this entry ("${r.key_name}"); it is stored in the entry only.`);
  if (r.revoked_key_ids.length)
    lines.push(`Revoked key ${r.revoked_key_ids.join(', ')}, which the replaced entry used.`);
  lines.push(restartLine(r));
  io.out(lines.filter(Boolean).join('\n'));
  return 0;
}

function printRemove(r: ToolOutput<'remove_client_config'>, asJson: boolean, io: CliIO): number {
  for (const warning of r.warnings) io.err(`Warning: ${warning}`);
  if (asJson) io.out(json(r));
  else if (!r.removed) io.out(`No ${r.server_name} entry in ${r.path}; nothing to remove.`);
  else {
    const lines = [
      r.method === 'file'
        ? `Removed ${r.server_name} from ${r.display_name}'s config: ${r.path}`
        : `Removed ${r.server_name} from Claude Code with \`claude mcp remove --scope user\` (Claude Code keeps it in ${r.path}).`,
      r.method_note ? `Edited ${r.path} directly (${r.method_note}).` : '',
      r.backup_path ? `Backup of the previous file: ${r.backup_path}` : '',
      r.revoked_key_ids.length
        ? `Revoked its key ${r.revoked_key_ids.join(', ')}.`
        : 'Its key was not a live key Portico minted for this entry; nothing to revoke.',
      restartLine(r),
    ];
    io.out(lines.filter(Boolean).join('\n'));
  }
  return 0;
}

const WOULD: Record<ToolOutput<'get_client_config'>['change'], string> = {
  'create-file': 'create',
  add: 'add the entry to',
  update: 'replace the entry in',
  unchanged: 'leave unchanged',
};

function printEntry(r: ToolOutput<'get_client_config'>, asJson: boolean, io: CliIO): number {
  if (asJson) {
    io.out(json(r));
    return 0;
  }
  const lines = [
    `portico clients add would ${WOULD[r.change]} ${r.path} (nothing was written, no key minted):`,
    '',
    (r.file ?? '').trimEnd(),
    '',
    r.change === 'unchanged'
      ? `The entry is current; ${KEY_MASK} stands for the key it holds.`
      : `${KEY_MASK} stands for the new key add mints for ${r.display_name}.`,
  ];
  if (r.method === 'claude-cli') {
    lines.push(
      '',
      `\`claude\` is on PATH, so add would run \`claude mcp add-json --scope user ${r.server_name} …\` with this entry instead, and Claude Code would write ${r.path} itself.`,
    );
  }
  if (r.deeplink) {
    lines.push(
      '',
      `Install link for ${r.display_name} (it carries no key: ${r.client === 'cursor' ? 'set PORTICO_API_KEY in its environment or paste the key into mcp.json' : 'VS Code asks for the key and keeps it in its secret storage'}):`,
      r.deeplink,
    );
  }
  for (const warning of r.warnings) lines.push('', `Warning: ${warning}`);
  io.out(lines.join('\n'));
  return 0;
}

function printList(
  clients: ToolOutput<'list_client_configs'>['clients'],
  asJson: boolean,
  io: CliIO,
): number {
  if (asJson) io.out(json(clients));
  else {
    const rows: string[][] = [];
    for (const c of clients) {
      const detected = c.detected ? 'yes' : 'no';
      if (c.error) rows.push([c.client, detected, '-', 'unreadable (see below)', c.path]);
      else if (c.entries.length === 0) rows.push([c.client, detected, '-', '', c.path]);
      for (const e of c.entries) {
        const status = e.status === 'current' ? 'current' : `stale: ${e.reasons.join('; ')}`;
        rows.push([c.client, detected, e.name, status, c.path]);
      }
    }
    io.out(table(['CLIENT', 'DETECTED', 'ENTRY', 'STATUS', 'CONFIG'], rows));
    if (clients.some((c) => c.entries.some((e) => e.status === 'stale'))) {
      io.out('\nFix a stale entry with `portico clients add CLIENT --plane …` (it mints a fresh key).');
    }
    for (const c of clients) if (c.error) io.err(c.error);
  }
  return clients.some((c) => c.error) ? 1 : 0;
}
