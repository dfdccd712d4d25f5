import { z } from 'zod';
import {
  CLIENT_IDS,
  CLIENTS,
  ClientConfigError,
  type ClientDefinition,
  describeClient,
  entryStatus,
  planAdd,
  readEntries,
} from '../clients';
import { planeName } from '../store/schema';
import {
  asToolError,
  clientById,
  clientIdSchema,
  KEY_MASK,
  maskKeys,
  mintClientKey,
  resolveTarget,
  targetFromEntryName,
} from './client-config';
import { clientConfigWriteTools } from './client-config-add';
import { clientJob, currentKeyId, existingEntry, fileRouteReason } from './client-config-plan';
import { clientEntry, deeplinkFor, expectedEntry } from './client-entry';
import { clientEnvironmentSchema, clientMachine } from './client-environment';
import { type AdminContext, defineTool } from './registry';

const clientInput = clientIdSchema.describe(`The AI client: ${CLIENT_IDS.join(', ')}.`);
const changeSchema = z.enum(['create-file', 'add', 'update', 'unchanged']);

const getInput = z.strictObject({
  client: clientInput,
  plane: planeName.describe('"admin" (control plane) or "gateway" (a customer\'s data plane).'),
  customer_id: z.string().optional().describe('Gateway plane only: the customer the entry is for.'),
  include_key: z
    .boolean()
    .default(false)
    .describe('Mint a new key for this client and put it in the entry (shown only in this response).'),
  include_file: z
    .boolean()
    .default(false)
    .describe('Also return the whole config file as add_client_config would leave it.'),
  client_environment: clientEnvironmentSchema,
});

const getClientConfig = defineTool({
  name: 'get_client_config',
  title: 'Get an AI client config entry',
  description:
    'The config entry that connects an AI client (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, …) to a Portico plane: ' +
    'the file it belongs in, the server name and the entry, what add_client_config would change, plus a one-click install link for Cursor and VS Code. ' +
    'Writes no file. The key is masked unless include_key is true: then a fresh key is minted for this client and shown in the entry once. ' +
    "include_file adds the whole file as add_client_config would leave it (Portico keys masked; the file's other servers are shown as they are).",
  input: getInput,
  output: z.object({
    client: clientIdSchema,
    display_name: z.string(),
    transport: z
      .enum(['http', 'stdio'])
      .describe('How the client talks to Portico: HTTP, or stdio through `portico bridge`.'),
    path: z.string().describe("The client's config file on this machine."),
    server_name: z.string().describe('The key of the entry in the servers map.'),
    root_key: z.string().describe('The map in the config file that holds the entry.'),
    entry: z
      .record(z.string(), z.unknown())
      .describe('The entry value. The key is masked unless include_key minted one.'),
    key_id: z.string().optional().describe('The id of the key minted for this entry (include_key only).'),
    change: changeSchema.describe(
      'What add_client_config would do to the file ("unchanged": the entry is current).',
    ),
    method: z
      .enum(['file', 'claude-cli'])
      .describe('How add_client_config would write it: edit the file, or run `claude mcp add-json`.'),
    method_note: z.string().optional().describe('Claude Code only: why the file would be edited.'),
    file: z.string().optional().describe('include_file only: the whole file after add, keys masked.'),
    deeplink: z.string().optional().describe('One-click install link (Cursor, VS Code); it carries no key.'),
    restart_hint: z.string().describe('What the user does for the client to pick the entry up.'),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  handler(input, ctx) {
    try {
      return getEntry(ctx, input);
    } catch (error) {
      throw asToolError(error);
    }
  },
});

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

const listedEntry = z.object({
  name: z.string(),
  plane: planeName,
  customer_id: z.string().nullable(),
  status: z.enum(['current', 'stale']),
  reasons: z.array(z.string()).describe('Why a stale entry is stale (empty when current).'),
});

const listedClient = z.object({
  client: clientIdSchema,
  display_name: z.string(),
  detected: z.boolean().describe('Whether the client looks installed here (its config folder exists).'),
  path: z.string(),
  transport: z.enum(['http', 'stdio']),
  entries: z.array(listedEntry).describe("Portico's entries in the file."),
  error: z.string().optional().describe('Why the file could not be read (it is left as it is).'),
});

const listClientConfigs = defineTool({
  name: 'list_client_configs',
  title: 'List AI clients and their Portico entries',
  description:
    'Every AI client Portico can configure: whether it looks installed, its config file, and the Portico entries in it — ' +
    "each current or stale (and why: revoked key, moved port, …). A file that cannot be read is reported in that client's `error`.",
  input: z.strictObject({
    client: clientInput.optional(),
    plane: planeName.optional().describe('Only entries for this plane.'),
    customer_id: z.string().optional().describe("Only this customer's entry."),
    client_environment: clientEnvironmentSchema,
  }),
  output: z.object({ clients: z.array(listedClient) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler(input, ctx) {
    const clients = input.client ? [clientById(input.client)] : CLIENTS;
    const machine = clientMachine(input.client_environment);
    return { clients: clients.map((client) => listClient(ctx, client, machine.files, input)) };
  },
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
