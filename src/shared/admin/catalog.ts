// Contracts of the catalog tools; their handlers are in src/main/core/admin/catalog.ts.
import { z } from 'zod';
import { credentialsSchema } from '../schemas/credentials';
import { slugString } from '../schemas/entities';
import { pageInput, pageOutput } from './common';
import { contract } from './contract';

const kindEnum = z.enum(['http', 'mcp']);

export const catalogEntryOutput = z.object({
  catalog_id: z.string().describe('Pass to add_catalog_connector.'),
  name: z.string(),
  kind: kindEnum.describe('"mcp": an MCP server run locally over stdio; "http": an HTTP API.'),
  description: z.string(),
  credentials_hint: z.string().describe('What each customer must provide in their connection.'),
  credentials_example: credentialsSchema.describe(
    'The `credentials` create_connection takes for it, with "<…>" placeholders for the values (empty: none needed).',
  ),
  homepage: z.string().nullable(),
  slug: z.string().describe('The slug (and connector id) it gets unless add_catalog_connector is given one.'),
  command: z.string().nullable().describe('mcp: the command it runs.'),
  args: z.array(z.string()).nullable().describe('mcp: its arguments.'),
  base_url: z.string().nullable().describe("http: the API's base URL."),
  placeholders: z
    .array(z.string())
    .describe('Arguments to replace with your own values (pass `args` to add_catalog_connector).'),
});

export const listCatalog = contract({
  name: 'list_catalog',
  title: 'List the connector catalog',
  description:
    'List ready-made connectors: popular MCP servers (run locally with npx) and HTTP APIs with a curated OpenAPI document. ' +
    'Each entry says what credentials a customer must provide. Add one with add_catalog_connector. Paginated.',
  input: z.strictObject({
    ...pageInput,
    query: z
      .string()
      .optional()
      .describe('Only entries whose id, name or description contains this text (case-insensitive).'),
    kind: kindEnum.optional().describe('Only "mcp" (MCP servers) or "http" (HTTP APIs).'),
  }),
  output: z.object({ entries: z.array(catalogEntryOutput), ...pageOutput }),
  annotations: { readOnlyHint: true, idempotentHint: true },
});

export const addCatalogConnector = contract({
  name: 'add_catalog_connector',
  title: 'Add a connector from the catalog',
  description:
    'Create a connector from a list_catalog entry, as create_connector (MCP servers) or import_openapi (HTTP APIs) would, and say what each customer must provide next. ' +
    'Override the slug, name, MCP command/args/env, or an HTTP base_url (e.g. a staging host).',
  input: z.strictObject({
    catalog_id: z.string().describe('The entry to add, from list_catalog, e.g. "github" or "stripe".'),
    slug: slugString
      .optional()
      .describe(
        "Slug (and id) of the new connector; default: the entry's slug. Needed to add an entry twice.",
      ),
    name: z.string().min(1).max(200).optional().describe("Display name; default: the entry's name."),
    command: z
      .string()
      .min(1)
      .optional()
      .describe(
        'mcp: run this command instead of the entry\'s (e.g. a locally installed server instead of "npx").',
      ),
    args: z
      .array(z.string())
      .optional()
      .describe('mcp: replaces the entry\'s arguments, e.g. to fill in a placeholder such as "<directory>".'),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'mcp: environment shared by all customers (write-only, stored encrypted). Per-customer secrets go in connections.',
      ),
    base_url: z.string().optional().describe("http: use this base URL instead of the API's public one."),
  }),
  output: z.object({
    id: z.string(),
    connector_id: z.string(),
    catalog_id: z.string(),
    slug: z.string(),
    name: z.string(),
    kind: kindEnum,
    base_url: z.string().nullable().describe('http: where requests go.'),
    command: z.string().nullable().describe('mcp: the command it runs.'),
    args: z.array(z.string()).nullable().describe('mcp: its arguments.'),
    auth_scheme: z.string().describe('http: how requests authenticate ("none" for mcp).'),
    actions: z
      .array(z.string())
      .describe('Action names; empty for MCP servers until refresh_connector lists their tools.'),
    credentials_hint: z.string().describe('What each customer must provide in their connection.'),
    next_steps: z.string().describe('What to do next, with example calls.'),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
});

/** The catalog tools, in the order they are listed. */
export const catalogContracts = [listCatalog, addCatalogConnector] as const;
