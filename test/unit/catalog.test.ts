import { describe, expect, it } from 'vitest';
import { catalogTools } from '../../src/main/core/admin/catalog';
import { connectorTools } from '../../src/main/core/admin/connectors';
import {
  catalog,
  catalogEntrySchema,
  catalogSources,
  findCatalogEntry,
  loadCatalog,
  placeholdersOf,
  searchCatalog,
} from '../../src/main/core/catalog/catalog';
import { importOpenApi } from '../../src/main/core/connectors/openapi-import';
import { adminServices } from '../helpers/services';

const httpEntries = catalog.filter((e) => e.kind === 'http');
const mcpEntries = catalog.filter((e) => e.kind === 'mcp');

describe('the connector catalog', () => {
  it('has at least 10 entries, each valid, with unique ids matching their file names', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(10);
    expect(catalog).toHaveLength(catalogSources.length);
    for (const [file, json] of catalogSources) {
      const parsed = catalogEntrySchema.safeParse(json);
      expect(parsed.success, `${file}: ${parsed.error?.message}`).toBe(true);
      expect(file).toBe(`${parsed.data?.catalog_id}.json`);
    }
    const ids = catalog.map((e) => e.catalog_id);
    expect(new Set(ids).size).toBe(ids.length);
    const slugs = catalog.map((e) => e.connector.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(httpEntries.length).toBeGreaterThanOrEqual(4);
    expect(mcpEntries.length).toBeGreaterThanOrEqual(8);
  });

  it('rejects invalid and duplicate entries, naming the file', () => {
    const good = catalogSources[0];
    if (!good) throw new Error('empty catalog');
    expect(() => loadCatalog([good, good])).toThrow(/duplicate catalog_id/);
    expect(() => loadCatalog([['x.json', { ...(good[1] as object), kind: 'ftp' }]])).toThrow(/x\.json/);
    expect(() => loadCatalog([['other.json', good[1]]])).toThrow(/must match the file name/);
    expect(() =>
      loadCatalog([
        [
          'bad.json',
          {
            catalog_id: 'bad',
            name: 'Bad',
            kind: 'http',
            description: 'An HTTP entry with a Swagger 2 document.',
            credentials_hint: 'Nothing at all.',
            connector: { slug: 'bad', openapi: { swagger: '2.0', paths: {} } },
          },
        ],
      ]),
    ).toThrow(/bad\.json/);
  });

  it.each(mcpEntries.map((e) => [e.catalog_id, e] as const))(
    'MCP entry %s runs a real reference server package with npx over stdio',
    (_id, entry) => {
      if (entry.kind !== 'mcp') throw new Error('not mcp');
      expect(entry.connector.transport).toBe('stdio');
      expect(entry.connector.command).toBe('npx');
      expect(entry.connector.args[0]).toBe('-y');
      expect(entry.connector.args[1]).toMatch(/^@modelcontextprotocol\/server-[a-z-]+$/);
      // What a customer provides for a stdio server is environment, never headers or tokens.
      expect(Object.keys(entry.connection).filter((k) => k !== 'env')).toEqual([]);
      for (const name of Object.keys(entry.connection.env ?? {}))
        expect(entry.credentials_hint).toContain(name);
    },
  );

  it('marks the arguments a user must fill in', () => {
    expect(placeholdersOf(findCatalogEntry('filesystem')!)).toEqual(['<directory>']);
    expect(placeholdersOf(findCatalogEntry('postgres')!)).toHaveLength(1);
    expect(placeholdersOf(findCatalogEntry('everything')!)).toEqual([]);
    expect(findCatalogEntry('github')?.connection.env).toHaveProperty('GITHUB_PERSONAL_ACCESS_TOKEN');
    expect(findCatalogEntry('slack')?.connection.env).toMatchObject({
      SLACK_BOT_TOKEN: expect.any(String),
      SLACK_TEAM_ID: expect.any(String),
    });
    expect(findCatalogEntry('brave-search')?.connection.env).toHaveProperty('BRAVE_API_KEY');
  });

  it.each(httpEntries.map((e) => [e.catalog_id, e] as const))(
    'HTTP entry %s imports with importOpenApi into ≥3 actions, an https base URL and an auth config',
    async (_id, entry) => {
      if (entry.kind !== 'http') throw new Error('not http');
      const imported = await importOpenApi({ spec: entry.connector.openapi });
      expect(imported.warnings).toEqual([]);
      expect(imported.actions.length).toBeGreaterThanOrEqual(3);
      for (const action of imported.actions) {
        expect(action.http?.path, action.name).toMatch(/^\//);
        expect(action.description.length, action.name).toBeGreaterThan(0);
      }
      expect(entry.connector.base_url ?? imported.baseUrl).toMatch(/^https:\/\/[a-z.]+/);
      const scheme = entry.connector.auth?.scheme ?? imported.auth?.scheme;
      expect(scheme, 'auth config').toBeDefined();
      // The example connection fits how the connector authenticates.
      const creds = entry.connection;
      if (scheme === 'bearer') expect(creds.token).toBeTruthy();
      if (scheme === 'basic') expect(creds.username !== undefined && creds.password !== undefined).toBe(true);
      if (scheme === 'api_key') expect(creds.api_key).toBeTruthy();
      if (scheme === 'none') expect(creds).toEqual({});
    },
  );

  it('imports the documented operations and auth of the well-known APIs', async () => {
    const names = async (id: string) => {
      const entry = findCatalogEntry(id);
      if (entry?.kind !== 'http') throw new Error(id);
      const imported = await importOpenApi({ spec: entry.connector.openapi });
      return { names: imported.actions.map((a) => a.name), imported };
    };
    const gh = await names('github-rest');
    expect(gh.names).toEqual(
      expect.arrayContaining([
        'users_get_authenticated',
        'repos_list_for_authenticated_user',
        'issues_list_for_repo',
        'issues_create',
      ]),
    );
    expect(gh.imported.auth?.scheme).toBe('bearer');
    const slack = await names('slack-web');
    expect(slack.names).toEqual(
      expect.arrayContaining(['chat_post_message', 'conversations_list', 'users_info']),
    );
    const post = slack.imported.actions.find((a) => a.name === 'chat_post_message');
    expect(post?.http?.body?.contentType).toBe('application/x-www-form-urlencoded');
    const stripe = await names('stripe');
    expect(stripe.names).toEqual(
      expect.arrayContaining(['list_customers', 'create_customer', 'list_charges']),
    );
    expect(stripe.imported.auth?.scheme).toBe('basic');
  });

  it('searches by text and kind', () => {
    expect(searchCatalog({ kind: 'http' }).every((e) => e.kind === 'http')).toBe(true);
    expect(searchCatalog({ query: 'SLACK' }).map((e) => e.catalog_id)).toEqual(['slack', 'slack-web']);
    expect(searchCatalog({ query: 'nothing-matches-this' })).toEqual([]);
  });
});

describe('the catalog admin tools', async () => {
  const { store, call } = await adminServices([...catalogTools, ...connectorTools]);
  const value = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    if (!result.ok) throw new Error(result.error);
    return result.value;
  };
  const error = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    if (result.ok) throw new Error(`${name} unexpectedly succeeded`);
    return result.error;
  };

  it('lists entries, filtered and paginated', async () => {
    const all = await value('list_catalog', {});
    expect(all.total).toBe(catalog.length);
    const mcp = await value('list_catalog', { kind: 'mcp', limit: 3 });
    expect(mcp.entries).toHaveLength(3);
    expect(mcp.next_cursor).toBeTruthy();
    const stripe = await value('list_catalog', { query: 'stripe' });
    expect(stripe.entries).toEqual([
      expect.objectContaining({ catalog_id: 'stripe', kind: 'http', base_url: 'https://api.stripe.com' }),
    ]);
  });

  it('adds every entry (HTTP base URLs on loopback, placeholders filled) with catalogId set', async () => {
    for (const entry of catalog) {
      const args =
        entry.kind === 'http'
          ? { catalog_id: entry.catalog_id, base_url: 'http://127.0.0.1:9/api' }
          : {
              catalog_id: entry.catalog_id,
              ...(placeholdersOf(entry).length ? { args: ['-y', 'x', '/tmp'] } : {}),
            };
      const added = await value('add_catalog_connector', args);
      expect(added.connector_id).toBe(entry.connector.slug);
      expect(added.kind).toBe(entry.kind);
      expect(String(added.next_steps)).toContain('create_connection');
      const stored = store.data.connectors[entry.connector.slug];
      expect(stored?.catalogId).toBe(entry.catalog_id);
      if (entry.kind === 'http') {
        expect((added.actions as string[]).length).toBeGreaterThanOrEqual(3);
        expect(added.base_url).toBe('http://127.0.0.1:9/api');
        expect(store.data.authConfigs[entry.connector.slug]).toBeDefined();
      } else {
        expect(added.actions).toEqual([]);
        expect(String(added.next_steps)).toContain('refresh_connector');
      }
    }
    expect(Object.keys(store.data.connectors)).toHaveLength(catalog.length);
  });

  it('refuses bad input with actionable messages and changes nothing', async () => {
    const before = JSON.stringify(store.data);
    expect(await error('add_catalog_connector', { catalog_id: 'nope' })).toMatch(
      /No catalog entry "nope".*everything.*stripe/,
    );
    expect(await error('add_catalog_connector', { catalog_id: 'stripe' })).toMatch(
      /slug "stripe" already exists.*pass another `slug`/,
    );
    expect(await error('add_catalog_connector', { catalog_id: 'filesystem', slug: 'fs2' })).toMatch(
      /needs your value for <directory>: pass `args`/,
    );
    expect(
      await error('add_catalog_connector', { catalog_id: 'memory', slug: 'm2', base_url: 'http://x' }),
    ).toMatch(/base_url.*MCP server/);
    expect(await error('add_catalog_connector', { catalog_id: 'stripe', slug: 's2', args: ['x'] })).toMatch(
      /HTTP API/,
    );
    expect(
      await error('add_catalog_connector', { catalog_id: 'stripe', slug: 's2', base_url: 'ftp://x' }),
    ).toMatch(/http\(s\) URL/);
    expect(await error('add_catalog_connector', { catalog_id: 'stripe', slug: 'Bad Slug' })).toMatch(/slug/);
    expect(JSON.stringify(store.data)).toBe(before);
  });

  it('stores shared env sealed, showing only its names', async () => {
    const added = await value('add_catalog_connector', {
      catalog_id: 'memory',
      slug: 'memory-shared',
      name: 'Team memory',
      env: { MEMORY_FILE_PATH: '/tmp/secret-place.jsonl' },
    });
    expect(added.name).toBe('Team memory');
    const view = await value('get_connector', { connector_id: 'memory-shared' });
    expect(view.env).toEqual({ MEMORY_FILE_PATH: expect.any(String) });
    expect(JSON.stringify(view)).not.toContain('secret-place');
    expect(JSON.stringify(store.data)).not.toContain('secret-place');
  });
});
