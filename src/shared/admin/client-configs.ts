// Contracts of the client-config tools; their handlers are in src/main/core/admin/client-config-tools.ts
// (get, list) and client-config-add.ts (add, remove).
import { z } from 'zod';
import { CLIENT_IDS } from '../schemas/clients';
import { planeName } from '../schemas/entities';
import { clientEnvironmentSchema } from './client-environment';
import { contract } from './contract';

export const clientIdSchema = z.enum(CLIENT_IDS);

const clientInput = clientIdSchema.describe(`The AI client: ${CLIENT_IDS.join(', ')}.`);
const changeSchema = z.enum(['create-file', 'add', 'update', 'unchanged']);

export const getInput = z.strictObject({
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

export const getClientConfig = contract({
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
});

const listedEntry = z.object({
  name: z.string(),
  plane: planeName,
  customer_id: z.string().nullable(),
  status: z.enum(['current', 'stale']),
  reasons: z.array(z.string()).describe('Why a stale entry is stale (empty when current).'),
});

export const listedClient = z.object({
  client: clientIdSchema,
  display_name: z.string(),
  detected: z.boolean().describe('Whether the client looks installed here (its config folder exists).'),
  path: z.string(),
  transport: z.enum(['http', 'stdio']),
  entries: z.array(listedEntry).describe("Portico's entries in the file."),
  error: z.string().optional().describe('Why the file could not be read (it is left as it is).'),
});

export const listClientConfigs = contract({
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
});

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

export const addClientConfig = contract({
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
});

export const removeClientConfig = contract({
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
});

/** The client-config tools, in the order they are listed. */
export const clientConfigContracts = [
  getClientConfig,
  listClientConfigs,
  addClientConfig,
  removeClientConfig,
] as const;
