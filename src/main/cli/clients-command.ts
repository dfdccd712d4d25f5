import { parseArgs } from 'node:util';
import {
  clientById,
  clientEntry,
  deeplinkFor,
  entryName,
  expectedEntry,
  KEY_MASK,
  liveKeyId,
  mintClientKey,
  resolveTarget,
  revokeKeys,
  targetFromEntryName,
} from '../core/admin/client-config';
import type { AdminContext } from '../core/admin/registry';
import { ToolError } from '../core/admin/registry';
import {
  type AddResult,
  applyAdd,
  applyRemove,
  CLIENT_IDS,
  CLIENTS,
  ClientConfigError,
  type ClientDefinition,
  configPathFor,
  describeClient,
  entryStatus,
  type FoundEntry,
  planAdd,
  readEntries,
} from '../core/clients';
import {
  type ClaudeCli,
  claudeCli,
  claudeCliSkipReason,
  claudeMcpAddJson,
  claudeMcpRemove,
} from '../core/clients/claude-code-cli';
import { type CliTarget, openCliServices } from './context';
import { type CliIO, json, table, UsageError } from './output';

const USAGE = `Usage: portico clients list [CLIENT] [--plane admin|gateway] [--customer ID]
       portico clients add|remove|print CLIENT --plane admin|gateway [--customer ID]

CLIENT is one of: ${CLIENT_IDS.join(', ')}.
The gateway plane needs --customer ID: each customer gets its own entry (portico-<customer_id>).`;

const VIA = 'portico clients add';

interface Parsed {
  client?: ClientDefinition;
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
  const [clientId] = positionals;
  if (needClient && !clientId) throw new UsageError(`Which client?\n\n${USAGE}`);
  const plane = values.plane;
  if (plane !== undefined && plane !== 'admin' && plane !== 'gateway') {
    throw new UsageError(`--plane is "admin" or "gateway", not "${plane}".`);
  }
  if (needClient && !plane)
    throw new UsageError(`Which plane? Add --plane admin or --plane gateway.\n\n${USAGE}`);
  let client: ClientDefinition | undefined;
  if (clientId) {
    try {
      client = clientById(clientId);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return { client, plane, customer: values.customer };
}

/** `portico clients list|add|remove|print`: Portico's entries in AI clients' config files. */
export async function clientsCommand(
  target: Omit<CliTarget, 'readOnly'>,
  argv: string[],
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const [sub, ...rest] = argv;
  const open = async (readOnly: boolean) => {
    const session = await openCliServices({ ...target, readOnly });
    opened.push(session);
    const ctx: AdminContext = { ...session.services, caller: { entryPoint: 'cli' } };
    return ctx;
  };
  const opened: { close(): Promise<void> }[] = [];
  try {
    switch (sub) {
      case 'list':
        return list(await open(true), parse(rest, false), asJson, io);
      case 'add':
        return add(await open(false), parse(rest, true), asJson, io);
      case 'remove':
        return remove(await open(false), parse(rest, true), asJson, io);
      case 'print':
        return printEntry(await open(true), parse(rest, true), asJson, io);
      case undefined:
      case 'help':
        io.out(USAGE);
        return sub ? 0 : 2;
      default:
        throw new UsageError(`Unknown subcommand "clients ${sub}".\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof ClientConfigError || error instanceof ToolError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    for (const session of opened) await session.close();
  }
}

function restartLine(client: ClientDefinition): string {
  return client.restart.needed ? `Restart needed: ${client.restart.hint}` : client.restart.hint;
}

/**
 * Claude Code's own CLI when it is on PATH (see claude-code-cli.ts); undefined means the config
 * file is edited, as for every other client.
 */
function claudeFor(client: ClientDefinition): ClaudeCli | undefined {
  return client.id === 'claude-code' ? claudeCli() : undefined;
}

/**
 * Our entries, or none when the file does not parse. Used when `claude` owns the file: it is only
 * read to learn which key an entry holds, and must not stop `claude` from doing its job.
 */
function entriesIfReadable(client: ClientDefinition): FoundEntry[] {
  try {
    return readEntries(client);
  } catch (error) {
    if (error instanceof ClientConfigError) return [];
    throw error;
  }
}

/** For Claude Code's file route: one line saying the file was edited, and why not through `claude`. */
function editedLine(client: ClientDefinition, path: string, claudeError: string | undefined, verb: string) {
  if (client.id !== 'claude-code') return '';
  const why = claudeError ? `\`claude mcp ${verb}\` failed: ${claudeError}` : claudeCliSkipReason();
  return `Edited ${path} directly (${why}).`;
}

function add(ctx: AdminContext, args: Parsed, asJson: boolean, io: CliIO): number {
  const client = args.client as ClientDefinition;
  const target = resolveTarget(ctx.store.data, args.plane ?? 'admin', args.customer);
  const name = entryName(target);
  const claude = claudeFor(client);
  // Read (and so validate) the file before minting anything: a file that does not parse stops here.
  // Through `claude` the file is Claude Code's to look after; it is read only for the key being replaced.
  const previous = (claude ? entriesIfReadable(client) : readEntries(client)).find((e) => e.name === name);
  if (!claude) planAdd(client, clientEntry(ctx, client, target, KEY_MASK).entry);
  const minted = mintClientKey(ctx, client, target, VIA);
  const { entry } = clientEntry(ctx, client, target, minted.key);
  let claudeError: string | undefined;
  if (claude) {
    // add-json refuses a name that exists. Should this remove fail, add-json fails too and the file route takes over.
    if (previous) claudeMcpRemove(claude, name);
    const outcome = claudeMcpAddJson(claude, name, entry.value);
    if (!outcome.ok) {
      claudeError = outcome.reason;
      io.err(`Warning: \`claude mcp add-json\` failed (${claudeError}); editing the config file instead.`);
    }
  }
  const viaClaude = claude !== undefined && claudeError === undefined;
  let result: AddResult | undefined;
  if (!viaClaude) {
    try {
      result = applyAdd(client, entry);
    } catch (error) {
      // Nothing was written: the key was never handed out, so it goes away again.
      ctx.store.mutate((ws) => {
        delete ws.apiKeys[minted.id];
      });
      throw error;
    }
  }
  const path = result?.path ?? configPathFor(client);
  const change = result?.change ?? (previous ? 'update' : 'add');
  const oldKeyId = liveKeyId(ctx.store.data, previous?.details.key);
  const revoked = oldKeyId && oldKeyId !== minted.id ? revokeKeys(ctx, [oldKeyId]) : [];
  for (const warning of result?.warnings ?? []) io.err(`Warning: ${warning}`);
  if (asJson) {
    io.out(
      json({
        client: client.id,
        path,
        server_name: name,
        change,
        method: viaClaude ? 'claude-cli' : 'file',
        ...(claudeError ? { claude_cli_error: claudeError } : {}),
        backup_path: result?.backupPath ?? null,
        key_id: minted.id,
        revoked_key_ids: revoked,
        restart_needed: client.restart.needed,
        restart_hint: client.restart.hint,
      }),
    );
    return 0;
  }
  const lines = viaClaude
    ? [
        `${change === 'update' ? 'Replaced' : 'Added'} ${name} in Claude Code: added with \`claude mcp add-json --scope user\` (Claude Code keeps it in ${path}).`,
      ]
    : [
        `${change === 'update' ? 'Updated' : 'Added'} ${name} in ${client.displayName}'s config: ${path}`,
        editedLine(client, path, claudeError, 'add-json'),
        result?.backupPath
          ? `Backup of the previous file: ${result.backupPath}`
          : 'No previous file, so no backup.',
      ];
  lines.push(
    `Minted key ${minted.id} for this entry ("${client.displayName}${target.customerId ? `, customer ${target.customerId}` : ''} (${VIA})"); it is stored in the entry only.`,
  );
  if (revoked.length) lines.push(`Revoked key ${revoked.join(', ')}, which the replaced entry used.`);
  lines.push(restartLine(client));
  io.out(lines.filter(Boolean).join('\n'));
  return 0;
}

function remove(ctx: AdminContext, args: Parsed, asJson: boolean, io: CliIO): number {
  const client = args.client as ClientDefinition;
  if (args.plane === 'admin' && args.customer) {
    throw new UsageError('The admin plane is not per customer: drop --customer.');
  }
  if (args.plane === 'gateway' && !args.customer) {
    throw new UsageError('Which customer? Add --customer ID (the entry is portico-<customer_id>).');
  }
  // No workspace check: an entry for a customer deleted since must still be removable.
  const name = entryName({ plane: args.plane ?? 'admin', customerId: args.customer });
  const claude = claudeFor(client);
  let found: FoundEntry | undefined;
  let claudeError: string | undefined;
  if (claude) {
    // Learn the entry's key first: once `claude` has removed it, nothing says which key to revoke.
    found = entriesIfReadable(client).find((e) => e.name === name);
    const outcome = claudeMcpRemove(claude, name);
    if (!outcome.ok) claudeError = outcome.reason;
  }
  const viaClaude = claude !== undefined && claudeError === undefined;
  // The file route reads strictly, as before: a file that does not parse stops here, untouched.
  if (!viaClaude) found = readEntries(client).find((e) => e.name === name);
  const path = configPathFor(client);
  if (!viaClaude && !found) {
    if (asJson) {
      io.out(json({ client: client.id, path, server_name: name, removed: false, revoked_key_ids: [] }));
    } else io.out(`No ${name} entry in ${path}; nothing to remove.`);
    return 0;
  }
  if (claudeError && found) {
    io.err(`Warning: \`claude mcp remove\` failed (${claudeError}); editing the config file instead.`);
  }
  const result = viaClaude ? undefined : applyRemove(client, [name]);
  const keyId = liveKeyId(ctx.store.data, found?.details.key);
  const revoked = keyId ? revokeKeys(ctx, [keyId]) : [];
  if (asJson) {
    io.out(
      json({
        client: client.id,
        path: result?.path ?? path,
        server_name: name,
        removed: result ? result.removed.includes(name) : true,
        method: viaClaude ? 'claude-cli' : 'file',
        ...(claudeError ? { claude_cli_error: claudeError } : {}),
        backup_path: result?.backupPath ?? null,
        revoked_key_ids: revoked,
        restart_hint: client.restart.hint,
      }),
    );
    return 0;
  }
  const lines = [
    result
      ? `Removed ${name} from ${client.displayName}'s config: ${result.path}`
      : `Removed ${name} from Claude Code with \`claude mcp remove --scope user\` (Claude Code keeps it in ${path}).`,
    result ? editedLine(client, result.path, claudeError, 'remove') : '',
    result?.backupPath ? `Backup of the previous file: ${result.backupPath}` : '',
    revoked.length
      ? `Revoked its key ${revoked.join(', ')}.`
      : 'Its key was not a live key of this workspace; nothing to revoke.',
    restartLine(client),
  ].filter(Boolean);
  io.out(lines.join('\n'));
  return 0;
}

function printEntry(ctx: AdminContext, args: Parsed, asJson: boolean, io: CliIO): number {
  const client = args.client as ClientDefinition;
  const target = resolveTarget(ctx.store.data, args.plane ?? 'admin', args.customer);
  const { entry, url } = clientEntry(ctx, client, target, KEY_MASK);
  const plan = planAdd(client, entry);
  const deeplink = deeplinkFor(client, entry.name, url);
  const claude = claudeFor(client);
  if (asJson) {
    io.out(
      json({
        client: client.id,
        path: plan.path,
        server_name: entry.name,
        change: plan.change,
        method: claude ? 'claude-cli' : 'file',
        entry: entry.value,
        file: plan.after,
        ...(deeplink ? { deeplink } : {}),
        warnings: plan.warnings,
      }),
    );
    return 0;
  }
  const verb = {
    'create-file': 'create',
    add: 'add the entry to',
    update: 'replace the entry in',
    unchanged: 'leave unchanged',
  }[plan.change];
  const lines = [
    `portico clients add would ${verb} ${plan.path} (nothing was written, no key minted):`,
    '',
    plan.after.trimEnd(),
    '',
    `${KEY_MASK} stands for the new key add mints for ${client.displayName}.`,
  ];
  if (claude) {
    lines.push(
      '',
      `\`claude\` is on PATH, so add would run \`claude mcp add-json --scope user ${entry.name} …\` with this entry instead, and Claude Code would write ${plan.path} itself.`,
    );
  }
  if (deeplink) {
    lines.push(
      '',
      `Install link for ${client.displayName} (it carries no key: ${client.id === 'cursor' ? 'set PORTICO_API_KEY in its environment or paste the key into mcp.json' : 'VS Code asks for the key and keeps it in its secret storage'}):`,
      deeplink,
    );
  }
  for (const warning of plan.warnings) lines.push('', `Warning: ${warning}`);
  io.out(lines.join('\n'));
  return 0;
}

interface ListedEntry {
  name: string;
  plane: string | null;
  customer_id: string | null;
  status: 'current' | 'stale';
  reasons: string[];
}

function list(ctx: AdminContext, args: Parsed, asJson: boolean, io: CliIO): number {
  const clients = args.client ? [args.client] : CLIENTS;
  let failed = false;
  const listed = clients.map((client) => {
    const info = describeClient(client);
    let entries: ListedEntry[] = [];
    let error: string | undefined;
    try {
      entries = readEntries(client).flatMap((found): ListedEntry[] => {
        const target = targetFromEntryName(found.name);
        if (!target) return [];
        if (args.plane && target.plane !== args.plane) return [];
        if (args.customer && target.customerId !== args.customer) return [];
        const status = entryStatus(found, expectedEntry(ctx, client, target));
        return [
          {
            name: found.name,
            plane: target.plane,
            customer_id: target.customerId ?? null,
            status: status.status,
            reasons: status.status === 'stale' ? status.reasons.map((r) => r.message) : [],
          },
        ];
      });
    } catch (e) {
      if (!(e instanceof ClientConfigError)) throw e;
      failed = true;
      error = e.message;
    }
    return {
      client: client.id,
      display_name: client.displayName,
      detected: info.detected,
      path: info.configPath,
      transport: client.transport,
      entries,
      ...(error ? { error } : {}),
    };
  });
  if (asJson) io.out(json(listed));
  else {
    const rows: string[][] = [];
    for (const c of listed) {
      const detected = c.detected ? 'yes' : 'no';
      if (c.error) rows.push([c.client, detected, '-', 'unreadable (see below)', c.path]);
      else if (c.entries.length === 0) rows.push([c.client, detected, '-', '', c.path]);
      for (const e of c.entries) {
        const status = e.status === 'current' ? 'current' : `stale: ${e.reasons.join('; ')}`;
        rows.push([c.client, detected, e.name, status, c.path]);
      }
    }
    const errors = listed.flatMap((c) => (c.error ? [c.error] : []));
    io.out(table(['CLIENT', 'DETECTED', 'ENTRY', 'STATUS', 'CONFIG'], rows));
    if (listed.some((c) => c.entries.some((e) => e.status === 'stale'))) {
      io.out('\nFix a stale entry with `portico clients add CLIENT --plane …` (it mints a fresh key).');
    }
    for (const message of errors) io.err(message);
  }
  return failed ? 1 : 0;
}
