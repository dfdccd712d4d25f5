import { z } from 'zod';
import { type AddResult, applyAdd, applyRemove, CLIENT_IDS, planAdd } from '../clients';
import { claudeMcpAddJson, claudeMcpRemove } from '../clients/claude-code-cli';
import { planeName } from '../store/schema';
import {
  addedVia,
  asToolError,
  type ClientTarget,
  clientIdSchema,
  KEY_MASK,
  keyMintedFor,
  mintClientKey,
  removalTarget,
  resolveTarget,
  revokeKeys,
  unmintKey,
} from './client-config';
import {
  type ClientJob,
  clientJob,
  currentKeyId,
  existingEntry,
  fileRouteReason,
} from './client-config-plan';
import { clientEntry } from './client-entry';
import { clientEnvironmentSchema } from './client-environment';
import { type AdminContext, defineTool } from './registry';

/**
 * add_client_config / remove_client_config: Portico's entry in an AI client's config — the one
 * implementation behind `portico clients add|remove`, the tray's "Add to …" and the UI.
 */

const targetInput = {
  client: clientIdSchema.describe(`The AI client: ${CLIENT_IDS.join(', ')}.`),
  plane: planeName.describe('"admin" (control plane) or "gateway" (a customer\'s data plane).'),
  customer_id: z.string().optional().describe('Gateway plane only: the customer the entry is for.'),
  client_environment: clientEnvironmentSchema,
};

const method = z
  .enum(['file', 'claude-cli'])
  .describe('"file": the config file was edited; "claude-cli": Claude Code\'s own `claude mcp …` did it.');
const methodNote = z
  .string()
  .optional()
  .describe('Claude Code only: why the file was edited rather than `claude` run.');
const claudeCliError = z
  .string()
  .optional()
  .describe('Claude Code only: how `claude` failed before the file was edited instead (keys masked).');

const addClientConfig = defineTool({
  name: 'add_client_config',
  title: 'Add Portico to an AI client',
  description:
    "Writes Portico's entry (portico-admin or portico-<customer_id>) into an AI client's config file, with a key minted for that client, " +
    'keeping everything else in the file (other servers, unknown keys, comments) and backing the old file up. ' +
    'For Claude Code, its own `claude mcp add-json` is used when `claude` is on PATH. ' +
    'Idempotent: an entry that is current (right URL, live key) is left as it is; a stale one gets a fresh key and the key it held is revoked. ' +
    'A file that does not parse is left untouched and the call fails naming the line and column.',
  input: z.strictObject(targetInput),
  output: z.object({
    client: clientIdSchema,
    display_name: z.string(),
    path: z
      .string()
      .describe('The config file (for Claude Code through `claude`: where Claude Code keeps it).'),
    server_name: z.string(),
    change: z
      .enum(['create-file', 'add', 'update', 'unchanged'])
      .describe('"unchanged": the entry was current and left as it is.'),
    method,
    method_note: methodNote,
    claude_cli_error: claudeCliError,
    backup_path: z.string().nullable().describe('The copy of the previous file, or null when none was made.'),
    key_id: z.string().describe("The id of the entry's key: minted now, or the current entry's own."),
    key_name: z.string(),
    revoked_key_ids: z.array(z.string()).describe('The key the replaced entry held, revoked.'),
    restart_required: z.boolean().describe('Whether the client must be restarted to pick the change up.'),
    restart_hint: z.string(),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    try {
      const target = resolveTarget(ctx.store.data, input.plane, input.customer_id);
      return await add(ctx, clientJob(input.client, target, input.client_environment));
    } catch (error) {
      throw asToolError(error);
    }
  },
});

async function add(ctx: AdminContext, job: ClientJob) {
  const { client, target, name, claude } = job;
  // Read (and so validate) the file before minting anything: a file that does not parse stops here.
  // Through `claude` the file is Claude Code's to look after; it is read only for the key being replaced.
  const previous = existingEntry(job);
  const check = claude
    ? undefined
    : planAdd(client, clientEntry(ctx, client, target, KEY_MASK).entry, job.files);
  const base = {
    client: client.id,
    display_name: client.displayName,
    server_name: name,
    restart_hint: client.restart.hint,
  };
  const keptKeyId = currentKeyId(ctx, job, previous);
  if (keptKeyId) {
    return {
      ...base,
      path: job.path,
      change: 'unchanged' as const,
      method: claude ? ('claude-cli' as const) : ('file' as const),
      backup_path: null,
      key_id: keptKeyId,
      key_name: ctx.store.data.apiKeys[keptKeyId]?.name ?? '',
      revoked_key_ids: [],
      restart_required: false,
      warnings: check?.warnings ?? [],
    };
  }
  const minted = mintClientKey(ctx, client, target, addedVia(ctx.caller.entryPoint));
  // Saved before any file holds it: a key in a config file must survive a crash right after.
  await ctx.store.flushed();
  const { entry } = clientEntry(ctx, client, target, minted.key);
  let claudeError: string | undefined;
  let result: AddResult | undefined;
  try {
    if (claude) {
      // add-json refuses a name that exists. Should this remove fail, add-json fails too and the file route takes over.
      if (previous) claudeMcpRemove(claude, name);
      const outcome = claudeMcpAddJson(claude, name, entry.value);
      if (!outcome.ok) claudeError = outcome.reason;
    }
    if (!claude || claudeError !== undefined) result = applyAdd(client, entry, job.files);
  } catch (error) {
    // Nothing was written: the key was never handed out, so it goes away again.
    await unmintKey(ctx, minted.id);
    throw error;
  }
  const oldKeyId = keyMintedFor(ctx.store.data, client, target, previous?.details.key);
  const note = result ? fileRouteReason(job, claudeError, 'add-json') : undefined;
  return {
    ...base,
    path: result?.path ?? job.path,
    change: result?.change ?? (previous ? ('update' as const) : ('add' as const)),
    method: result ? ('file' as const) : ('claude-cli' as const),
    ...(note ? { method_note: note } : {}),
    ...(claudeError !== undefined ? { claude_cli_error: claudeError } : {}),
    backup_path: result?.backupPath ?? null,
    key_id: minted.id,
    key_name: minted.name,
    revoked_key_ids: oldKeyId && oldKeyId !== minted.id ? revokeKeys(ctx, [oldKeyId]) : [],
    restart_required: client.restart.needed,
    warnings: [
      ...(claudeError !== undefined
        ? [`\`claude mcp add-json\` failed (${claudeError}); editing the config file instead.`]
        : []),
      ...(result?.warnings ?? []),
    ],
  };
}

const removeClientConfig = defineTool({
  name: 'remove_client_config',
  title: 'Remove Portico from an AI client',
  description:
    "Removes Portico's entry (portico-admin or portico-<customer_id>) from an AI client's config file — only that entry; " +
    'the old file is backed up — and revokes the key Portico minted for it. ' +
    'For Claude Code, its own `claude mcp remove` is used when `claude` is on PATH. ' +
    'An entry for a customer deleted since can still be removed.',
  input: z.strictObject(targetInput),
  output: z.object({
    client: clientIdSchema,
    display_name: z.string(),
    path: z.string(),
    server_name: z.string(),
    removed: z.boolean().describe('False when there was no such entry: nothing was changed.'),
    method,
    method_note: methodNote,
    claude_cli_error: claudeCliError,
    backup_path: z.string().nullable(),
    revoked_key_ids: z.array(z.string()).describe("The entry's key, when Portico minted it for this entry."),
    restart_required: z.boolean().describe('Whether the client must be restarted to drop the entry.'),
    restart_hint: z.string(),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  handler(input, ctx) {
    try {
      const target: ClientTarget = removalTarget(input.plane, input.customer_id);
      return remove(ctx, clientJob(input.client, target, input.client_environment));
    } catch (error) {
      throw asToolError(error);
    }
  },
});

function remove(ctx: AdminContext, job: ClientJob) {
  const { client, name, claude } = job;
  let found = claude ? existingEntry(job, false) : undefined;
  let claudeError: string | undefined;
  if (claude) {
    // The entry's key was learnt first: once `claude` has removed it, nothing says which key to revoke.
    const outcome = claudeMcpRemove(claude, name);
    if (!outcome.ok) claudeError = outcome.reason;
  }
  const viaClaude = claude !== undefined && claudeError === undefined;
  // The file route reads strictly: a file that does not parse stops here, untouched.
  if (!viaClaude) found = existingEntry(job, true);
  const base = {
    client: client.id,
    display_name: client.displayName,
    server_name: name,
    ...(claudeError !== undefined ? { claude_cli_error: claudeError } : {}),
    restart_hint: client.restart.hint,
  };
  if (!viaClaude && !found) {
    return {
      ...base,
      path: job.path,
      removed: false,
      method: 'file' as const,
      backup_path: null,
      revoked_key_ids: [],
      restart_required: false,
      warnings: [],
    };
  }
  const result = viaClaude ? undefined : applyRemove(client, [name], job.files);
  const keyId = keyMintedFor(ctx.store.data, client, job.target, found?.details.key);
  const note = result ? fileRouteReason(job, claudeError, 'remove') : undefined;
  return {
    ...base,
    path: result?.path ?? job.path,
    removed: result ? result.removed.includes(name) : true,
    method: result ? ('file' as const) : ('claude-cli' as const),
    ...(note ? { method_note: note } : {}),
    backup_path: result?.backupPath ?? null,
    revoked_key_ids: keyId ? revokeKeys(ctx, [keyId]) : [],
    restart_required: client.restart.needed,
    warnings:
      claudeError !== undefined
        ? [`\`claude mcp remove\` failed (${claudeError}); editing the config file instead.`]
        : [],
  };
}

export const clientConfigWriteTools = [addClientConfig, removeClientConfig] as const;
