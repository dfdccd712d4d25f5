// Class: real responses become errors. GitHub's real REST description (@octokit/openapi) imported
// through the Admin registry, a fake GitHub on 127.0.0.1 answering GET /repos/{owner}/{repo} with
// the document's own example — and with that example drifted every way real APIs drift. The gateway
// (MCP SDK client, which checks structured content against the listed outputSchema itself) gets the
// data every time; only a connector the admin made strict checks the document as written, and then
// the message is about the response, never "arguments".
import { createRequire } from 'node:module';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { json, startRecordingServer } from '../helpers/recording-server';

type Json = Record<string, unknown>;
type Result = { isError?: boolean; structuredContent?: Json; content: { type: string; text?: string }[] };

const require = createRequire(import.meta.url);
const GITHUB = require.resolve('@octokit/openapi/generated/api.github.com.json');
const doc = require(GITHUB) as {
  paths: Record<string, Record<string, Json>>;
  components: { examples: Record<string, { value: Json }> };
};

/** The documented example response of GET /repos/{owner}/{repo}, as the document gives it. */
function documentedExample(): Json {
  const op = doc.paths['/repos/{owner}/{repo}']?.get as Json;
  const responses = op.responses as Record<string, Json>;
  const ok = responses['200'] as Json;
  const content = (ok.content as Record<string, Json>)['application/json'] as Json;
  const examples = content.examples as Record<string, { $ref?: string; value?: Json }>;
  const first = Object.values(examples)[0];
  const name = first?.$ref?.split('/').pop() ?? '';
  const value = first?.value ?? doc.components.examples[name]?.value;
  if (!value) throw new Error('no documented example for repos/get');
  return structuredClone(value);
}

/** The example, drifted the ways real APIs drift from their documents. */
function drifted(): Record<string, Json> {
  const base = documentedExample();
  const fewer = { id: base.id, name: base.name, full_name: base.full_name, private: base.private };
  const extra = { ...base, brand_new_field: { nested: [1, 2, 3] }, another: 'x' };
  const nulls = {
    ...base,
    owner: null,
    description: null,
    homepage: null,
    license: null,
    topics: null,
    permissions: null,
    created_at: null,
  };
  const enums = { ...base, visibility: 'a-new-visibility', merge_commit_title: 'SOMETHING_NEW' };
  const formats = { ...base, created_at: 'yesterday', html_url: 'not a url', node_id: '' };
  const types = {
    ...base,
    id: String(base.id),
    private: 'false',
    forks_count: '9',
    topics: 'octocat,api',
    owner: 'octocat',
    license: [],
  };
  const nested = {
    ...base,
    owner: { login: 'octocat', id: 'one', unexpected: true },
    parent: { id: 1 },
    source: { full_name: null },
  };
  return { documented: base, fewer, extra, nulls, enums, formats, types, nested };
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let client: Client;
let current: unknown = documentedExample();
let contentType = 'application/json; charset=utf-8';

async function admin(name: string, args: Json) {
  const r = await gw.app.callTool(name, args, 'internal');
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return r.value as Json;
}
const callRepo = async () =>
  (await client.callTool({
    name: 'github__repos_get',
    arguments: { owner: 'octocat', repo: 'Hello-World' },
  })) as Result;
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

/** Every place in a schema where something could reject a value. */
function rejectingKeywords(schema: unknown, path = '#', out: string[] = []): string[] {
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) rejectingKeywords(s, `${path}/${i}`, out);
  } else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'required' && Array.isArray(value) && value.length) out.push(`${path}/required`);
      if (key === 'additionalProperties' && value === false) out.push(`${path}/additionalProperties`);
      if (key === 'enum' || key === 'const' || key === 'pattern' || key === 'minLength')
        out.push(`${path}/${key}`);
      if (key !== 'properties' || !value || typeof value !== 'object')
        rejectingKeywords(value, `${path}/${key}`, out);
      else
        for (const [name, sub] of Object.entries(value))
          rejectingKeywords(sub, `${path}/properties/${name}`, out);
    }
  }
  return out;
}

beforeAll(async () => {
  gw = await startTestGateway();
  const fake = await startRecordingServer((_req, res) => {
    if (typeof current === 'string') return res.writeHead(200, { 'content-type': contentType }).end(current);
    return json(res, 200, current);
  });
  await admin('create_customer', { id: 'octo', name: 'Octo' });
  await admin('import_openapi', { slug: 'github', spec_path: GITHUB, base_url: fake.origin });
  await admin('create_connection', {
    customer_id: 'octo',
    connector_id: 'github',
    credentials: { token: 'ghp_test_token_0123456789' },
  });
  await admin('configure_customer_tools', {
    customer_id: 'octo',
    mode: 'selected',
    connector_ids: ['github'],
    // A few of its 1,200 operations: the SDK client compiles a validator per listed outputSchema.
    actions: { github: ['repos_get', 'repos_list_for_org', 'issues_get'] },
    tool_mode: 'direct',
  });
  client = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=octo`, bearer(gw.mint('gateway')));
}, 120_000);
afterAll(async () => {
  await client?.close();
});

describe('output schemas never turn a real response into an error', () => {
  it("advertises a relaxed outputSchema for GitHub's repos/get: the shape, nothing that rejects", async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'github__repos_get');
    expect(tool?.outputSchema?.type).toBe('object');
    // Fields whose value may be anything after relaxing are named in the description (the
    // portable form, far smaller than spelling out every alternative), typed ones as properties.
    const shape = JSON.stringify(tool?.outputSchema);
    for (const field of ['archive_url', 'owner', 'full_name', 'login']) expect(shape).toContain(field);
    expect(shape).toMatch(/owner \(A GitHub user\. Fields: [^)]*login/);
    expect(rejectingKeywords(tool?.outputSchema)).toEqual([]);
  });

  it("returns GitHub's own documented example response as data", async () => {
    current = documentedExample();
    // The client validates structured content against the listed outputSchema: it would throw.
    const r = await callRepo();
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toEqual(current);
    expect(JSON.parse(text(r))).toEqual(current);
  });

  it('returns responses that drifted from the document: missing, extra, null, new enum values, odd formats, other types', async () => {
    for (const [kind, value] of Object.entries(drifted())) {
      current = value;
      const r = await callRepo();
      expect(r.isError, `${kind}: ${text(r)}`).toBeFalsy();
      expect(r.structuredContent, kind).toEqual(value);
    }
  });

  it('a response that is not a JSON object still arrives (as content), with structured content the schema takes', async () => {
    for (const [body, type] of [
      ['plain text, not JSON', 'text/plain'],
      ['[1, 2, 3]', 'application/json'],
      ['', 'application/json'],
    ] as const) {
      current = body;
      contentType = type;
      const r = await callRepo();
      expect(r.isError, `${type} ${body}: ${text(r)}`).toBeFalsy();
      if (body) expect(text(r)).toContain(body);
    }
    contentType = 'application/json; charset=utf-8';
  });

  it('strict_output (update_connector) advertises and enforces the document as written, worded about the response', async () => {
    // The client re-lists on list_changed (as clients do), so it validates against what is advertised now.
    const relisted = () =>
      new Promise<void>((resolve) =>
        client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
          await client.listTools();
          resolve();
        }),
      );
    let changed = relisted();
    const updated = await admin('update_connector', { connector_id: 'github', strict_output: true });
    expect(updated.strict_output).toBe(true);
    expect((await admin('get_connector', { connector_id: 'github' })).strict_output).toBe(true);
    const listed = (await admin('list_connectors', {})).connectors as Json[];
    expect(listed.find((c) => c.id === 'github')?.strict_output).toBe(true);
    await changed;
    const { tools } = await client.listTools();
    const strictSchema = tools.find((t) => t.name === 'github__repos_get')?.outputSchema;
    expect(strictSchema?.required).toEqual(expect.arrayContaining(['archive_url', 'full_name']));

    current = drifted().fewer;
    const r = await callRepo();
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^The response of github__repos_get does not match its documented output schema/);
    expect(text(r)).toMatch(/field `archive_url` is missing/);
    expect(text(r)).toContain('"full_name"'); // the response itself is shown
    expect(text(r)).not.toMatch(/argument/i);

    current = { ...documentedExample(), id: 'not-a-number' };
    const typed = await callRepo();
    expect(text(typed)).toMatch(/field `id` must be integer/);
    expect(text(typed)).not.toMatch(/argument/i);

    // Back to relaxed: the same response arrives.
    changed = relisted();
    await admin('update_connector', { connector_id: 'github', strict_output: false });
    await changed;
    expect((await admin('get_connector', { connector_id: 'github' })).strict_output).toBe(false);
    current = drifted().fewer;
    const relaxedAgain = await callRepo();
    expect(relaxedAgain.isError, text(relaxedAgain)).toBeFalsy();
    expect(relaxedAgain.structuredContent).toEqual(current);
  });
});
