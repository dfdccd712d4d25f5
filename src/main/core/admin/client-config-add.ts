import * as contracts from '../../../shared/admin/client-configs';
import { type AddResult, applyAdd, applyRemove, planAdd } from '../clients';
import { claudeMcpAddJson, claudeMcpRemove } from '../clients/claude-code-cli';
import {
  addedVia,
  asToolError,
  type ClientTarget,
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
import { type AdminContext, implement } from './registry';

/**
 * add_client_config / remove_client_config: Portico's entry in an AI client's config — the one
 * implementation behind `portico clients add|remove`, the tray's "Add to …" and the UI.
 */

const addClientConfig = implement(contracts.addClientConfig, async (input, ctx) => {
  try {
    const target = resolveTarget(ctx.store.data, input.plane, input.customer_id);
    return await add(ctx, clientJob(input.client, target, input.client_environment));
  } catch (error) {
    throw asToolError(error);
  }
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

const removeClientConfig = implement(contracts.removeClientConfig, (input, ctx) => {
  try {
    const target: ClientTarget = removalTarget(input.plane, input.customer_id);
    return remove(ctx, clientJob(input.client, target, input.client_environment));
  } catch (error) {
    throw asToolError(error);
  }
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
