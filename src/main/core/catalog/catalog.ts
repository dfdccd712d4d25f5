/**
 * The connector catalog: ready-made connector definitions shipped in resources/catalog/ (one JSON
 * file per entry), imported statically so they are bundled, and validated once at load.
 */
import { z } from 'zod';
import braveSearch from '../../../../resources/catalog/brave-search.json';
import everything from '../../../../resources/catalog/everything.json';
import filesystem from '../../../../resources/catalog/filesystem.json';
import github from '../../../../resources/catalog/github.json';
import githubRest from '../../../../resources/catalog/github-rest.json';
import httpbin from '../../../../resources/catalog/httpbin.json';
import jsonplaceholder from '../../../../resources/catalog/jsonplaceholder.json';
import memory from '../../../../resources/catalog/memory.json';
import postgres from '../../../../resources/catalog/postgres.json';
import puppeteer from '../../../../resources/catalog/puppeteer.json';
import sequentialThinking from '../../../../resources/catalog/sequential-thinking.json';
import slack from '../../../../resources/catalog/slack.json';
import slackWeb from '../../../../resources/catalog/slack-web.json';
import stripe from '../../../../resources/catalog/stripe.json';
import { authInputSchema } from '../../../shared/schemas/auth-input';
import { credentialsSchema } from '../connectors/credentials';
import { slugString } from '../store/schema';

/** An argument the user must replace before the connector can run, e.g. "<directory>". */
export const isPlaceholder = (arg: string): boolean => /^<[^<>]+>$/.test(arg);

const httpsUrl = z.url({ protocol: /^https?$/ });

const entryBase = {
  catalog_id: slugString.describe('Stable id of the entry, e.g. "github".'),
  name: z.string().min(1).max(200),
  description: z.string().min(20).max(2000),
  homepage: httpsUrl.optional(),
  credentials_hint: z.string().min(10).max(1000),
  /** An example `credentials` object for create_connection, with "<…>" placeholders for the values. */
  connection: credentialsSchema.default({}),
};

const mcpConnectorDefinition = z.strictObject({
  slug: slugString,
  transport: z.literal('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()),
  /** Non-secret environment shared by every customer; secrets belong in each customer's connection. */
  env: z.record(z.string(), z.string()).optional(),
});

const httpConnectorDefinition = z.strictObject({
  slug: slugString,
  /** Overrides the document's servers[0]. */
  base_url: httpsUrl.optional(),
  /** Overrides the auth the document's securitySchemes describe. */
  auth: authInputSchema.optional(),
  openapi: z
    .looseObject({ openapi: z.string().regex(/^3\./, 'an OpenAPI 3 document') })
    .refine((doc) => typeof doc.paths === 'object' && doc.paths !== null, 'the document needs `paths`'),
});

export const catalogEntrySchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...entryBase, kind: z.literal('mcp'), connector: mcpConnectorDefinition }),
  z.strictObject({ ...entryBase, kind: z.literal('http'), connector: httpConnectorDefinition }),
]);
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
export type McpCatalogEntry = Extract<CatalogEntry, { kind: 'mcp' }>;
export type HttpCatalogEntry = Extract<CatalogEntry, { kind: 'http' }>;

/** The raw files, in the order list_catalog shows them. */
export const catalogSources: ReadonlyArray<readonly [file: string, json: unknown]> = [
  ['everything.json', everything],
  ['memory.json', memory],
  ['filesystem.json', filesystem],
  ['sequential-thinking.json', sequentialThinking],
  ['github.json', github],
  ['slack.json', slack],
  ['postgres.json', postgres],
  ['puppeteer.json', puppeteer],
  ['brave-search.json', braveSearch],
  ['github-rest.json', githubRest],
  ['slack-web.json', slackWeb],
  ['stripe.json', stripe],
  ['jsonplaceholder.json', jsonplaceholder],
  ['httpbin.json', httpbin],
];

/** Validates every entry; throws naming the file and the problem. Ids must be unique and match the file name. */
export function loadCatalog(sources: ReadonlyArray<readonly [string, unknown]>): CatalogEntry[] {
  const seen = new Set<string>();
  return sources.map(([file, json]) => {
    const parsed = catalogEntrySchema.safeParse(json);
    if (!parsed.success)
      throw new Error(
        `resources/catalog/${file} is not a valid catalog entry:\n${z.prettifyError(parsed.error)}`,
      );
    const entry = parsed.data;
    if (file !== `${entry.catalog_id}.json`)
      throw new Error(
        `resources/catalog/${file}: catalog_id "${entry.catalog_id}" must match the file name.`,
      );
    if (seen.has(entry.catalog_id))
      throw new Error(`resources/catalog/${file}: duplicate catalog_id "${entry.catalog_id}".`);
    seen.add(entry.catalog_id);
    return entry;
  });
}

export const catalog: readonly CatalogEntry[] = loadCatalog(catalogSources);

export function findCatalogEntry(catalogId: string): CatalogEntry | undefined {
  return catalog.find((e) => e.catalog_id === catalogId);
}

/** Entries whose id, name or description contains `query` (case-insensitive), optionally of one kind. */
export function searchCatalog(filter: { query?: string; kind?: 'mcp' | 'http' } = {}): CatalogEntry[] {
  const needle = filter.query?.trim().toLowerCase();
  return catalog.filter(
    (e) =>
      (!filter.kind || e.kind === filter.kind) &&
      (!needle || [e.catalog_id, e.name, e.description].some((text) => text.toLowerCase().includes(needle))),
  );
}

/** The arguments of an MCP entry that the user must replace (empty for HTTP entries). */
export function placeholdersOf(entry: CatalogEntry): string[] {
  return entry.kind === 'mcp' ? entry.connector.args.filter(isPlaceholder) : [];
}
