// Contracts of workspace export / import; their handlers are in src/main/core/admin/portability.ts.
import { z } from 'zod';
import { contract, MAX_WORKSPACE_FILE_BYTES } from './contract';

/** The version of the export file this Portico writes and reads (`portico_workspace`). */
export const WORKSPACE_FILE_VERSION = 1;

const passphraseInput = z
  .string()
  .min(8)
  .max(1024)
  .describe(
    'Passphrase that encrypts (export) or decrypts (import) the secrets block: scrypt-derived key, AES-256-GCM. At least 8 characters.',
  );

export const exportWorkspace = contract({
  name: 'export_workspace',
  title: 'Export the workspace',
  description:
    'The workspace as one versioned JSON document with a stable key and record order (diffs well in git): connectors with their actions, auth configs, ' +
    'customers with their tool exposure and limits, webhooks — and with include_secrets, the connections. Secrets (OAuth client secrets, connection ' +
    "credentials, webhook signing secrets, MCP connectors' env and headers) are left out and listed in `secrets.left_out` unless include_secrets is true " +
    'with a passphrase: then they are encrypted in the document. API keys are never exported (only hashes of them are stored, usable on this machine only). ' +
    'With customer_id: only that customer, its connections and the connectors and auth configs it uses. Load it with import_workspace.',
  input: z.strictObject({
    customer_id: z.string().optional().describe('Export only this customer (and the connectors it uses).'),
    include_secrets: z
      .boolean()
      .default(false)
      .describe('Include secrets and connections, encrypted with `passphrase` (required then).'),
    passphrase: passphraseInput.optional(),
  }),
  output: z.object({
    document: z
      .record(z.string(), z.unknown())
      .describe('The export document ({"portico_workspace": 1, …}); write it to a file as JSON.'),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

const counts = z
  .object({
    connectors: z.number().int(),
    auth_configs: z.number().int(),
    customers: z.number().int(),
    webhooks: z.number().int(),
    connections: z.number().int(),
  })
  .describe('Records per kind.');
export type ImportCounts = z.infer<typeof counts>;

export const importWorkspace = contract({
  name: 'import_workspace',
  title: 'Import a workspace export',
  description:
    'Load a document from export_workspace into this workspace. Everything is validated first (version, shapes, references, the passphrase of an ' +
    'encrypted secrets block); on any error nothing is applied. Records are matched by id: new ones are added, different ones replaced, identical ones ' +
    'skipped; records not in the document are left alone. A secret the document leaves out keeps its current value here. dry_run reports what would ' +
    'happen and changes nothing.',
  input: z.strictObject({
    document: z
      .record(z.string(), z.unknown())
      .describe('The document export_workspace returned (the parsed file).'),
    dry_run: z.boolean().default(false).describe('Validate and report only; change nothing.'),
    passphrase: passphraseInput.optional().describe('Required when the document holds encrypted secrets.'),
  }),
  output: z.object({
    dry_run: z.boolean().describe('True when nothing was changed because dry_run was set.'),
    added: counts,
    changed: counts,
    skipped: counts.describe('Records identical to what the workspace already holds.'),
    notes: z
      .array(z.string())
      .describe('What needs attention after the import (e.g. secrets the file left out).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  maxInputBytes: MAX_WORKSPACE_FILE_BYTES,
});

export const portabilityContracts = [exportWorkspace, importWorkspace] as const;

/** A JSON value with every object's keys sorted, so the same workspace always serializes to the same bytes. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}
