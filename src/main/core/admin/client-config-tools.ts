import type { z } from 'zod';
import type { getInput, listedClient } from '../../../shared/admin/client-configs';
import * as contracts from '../../../shared/admin/client-configs';
import {
  CLIENTS,
  ClientConfigError,
  type ClientDefinition,
  describeClient,
  entryStatus,
  planAdd,
  readEntries,
} from '../clients';
import {
  asToolError,
  clientById,
  KEY_MASK,
  maskKeys,
  mintClientKey,
  resolveTarget,
  targetFromEntryName,
} from './client-config';
import { clientConfigWriteTools } from './client-config-add';
import { clientJob, currentKeyId, existingEntry, fileRouteReason } from './client-config-plan';
import { clientEntry, deeplinkFor, expectedEntry } from './client-entry';
import { clientMachine } from './client-environment';
import { type AdminContext, implement } from './registry';

const getClientConfig = {
  ...implement(contracts.getClientConfig, (input, ctx) => {
    try {
      return getEntry(ctx, input);
    } catch (error) {
      throw asToolError(error);
    }
  }),
  // It writes only when asked to mint a key: `portico clients print` stays read-only.
  readOnlyWhen: (input: z.output<typeof getInput>) => !input.include_key,
};

function getEntry(ctx: AdminContext, input: z.output<typeof getInput>) {
  const target = resolveTarget(ctx.store.data, input.plane, input.customer_id);
  const job = clientJob(input.client, target, input.client_environment);
  const { client } = job;
  const masked = clientEntry(ctx, client, target, KEY_MASK);
  // What add would do; a file that does not parse fails here, as add would.
  const plan = planAdd(client, masked.entry, job.files);
  const kept = currentKeyId(ctx, job, existingEntry(job, true)) !== undefined;
  // Minted only once the file is known to be good: a failed call hands out no key.
  const minted = input.include_key ? mintClientKey(ctx, client, target, 'get_client_config') : undefined;
  const entry = minted ? clientEntry(ctx, client, target, minted.key).entry : masked.entry;
  const deeplink = deeplinkFor(client, entry.name, masked.url);
  const note = job.claude ? undefined : fileRouteReason(job, undefined, 'add-json');
  return {
    client: client.id,
    display_name: client.displayName,
    transport: client.transport,
    path: plan.path,
    server_name: entry.name,
    root_key: client.rootKey,
    entry: entry.value,
    ...(minted ? { key_id: minted.id } : {}),
    change: kept ? ('unchanged' as const) : plan.change,
    method: job.claude ? ('claude-cli' as const) : ('file' as const),
    ...(note ? { method_note: note } : {}),
    ...(input.include_file ? { file: maskKeys(kept ? (plan.before ?? '') : plan.after) } : {}),
    ...(deeplink ? { deeplink } : {}),
    restart_hint: client.restart.hint,
    warnings: plan.warnings,
  };
}

const listClientConfigs = implement(contracts.listClientConfigs, (input, ctx) => {
  const clients = input.client ? [clientById(input.client)] : CLIENTS;
  const machine = clientMachine(input.client_environment);
  return { clients: clients.map((client) => listClient(ctx, client, machine.files, input)) };
});

function listClient(
  ctx: AdminContext,
  client: ClientDefinition,
  files: ReturnType<typeof clientMachine>['files'],
  filter: { plane?: 'admin' | 'gateway'; customer_id?: string },
): z.output<typeof listedClient> {
  const info = describeClient(client, files);
  const base = {
    client: client.id,
    display_name: client.displayName,
    detected: info.detected,
    path: info.configPath,
    transport: client.transport,
  };
  try {
    const entries = readEntries(client, { ctx: files }).flatMap((found) => {
      const target = targetFromEntryName(found.name);
      if (!target) return [];
      if (filter.plane && target.plane !== filter.plane) return [];
      if (filter.customer_id && target.customerId !== filter.customer_id) return [];
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
    return { ...base, entries };
  } catch (error) {
    if (!(error instanceof ClientConfigError)) throw error;
    return { ...base, entries: [], error: error.message };
  }
}

/** Every client-config tool, in the order they are listed. */
export const clientConfigTools = [getClientConfig, listClientConfigs, ...clientConfigWriteTools] as const;
