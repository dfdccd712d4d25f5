import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameFromRoute, snakeCase } from '../../src/main/core/connectors/openapi/names';
import {
  type ImportedApi,
  importOpenApi,
  OpenApiImportError,
} from '../../src/main/core/connectors/openapi-import';
import { type Action, actionSchema } from '../../src/main/core/store/schema';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/openapi');
const fixture = (name: string) => path.join(FIXTURES, name);

type Json = Record<string, unknown>;

function action(api: ImportedApi, name: string): Action {
  const found = api.actions.find((a) => a.name === name);
  if (!found) throw new Error(`no action ${name}; have ${api.actions.map((a) => a.name).join(', ')}`);
  return found;
}
const props = (a: Action) => a.inputSchema.properties as Record<string, Json>;

/** Every imported schema must compile as strict JSON Schema 2020-12 (no OpenAPI-only keywords left). */
function expectValidSchemas(api: ImportedApi): void {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, validateFormats: false });
  for (const a of api.actions) {
    expect(() => actionSchema.parse(a), a.name).not.toThrow();
    expect(a.name).toMatch(/^[a-z0-9_]{1,64}$/);
    expect(a.inputSchema.type).toBe('object');
    expect(() => ajv.compile(a.inputSchema), `${a.name} inputSchema`).not.toThrow();
    if (a.outputSchema) {
      expect(a.outputSchema.type, `${a.name} outputSchema`).toBe('object');
      expect(() => ajv.compile(a.outputSchema as Json), `${a.name} outputSchema`).not.toThrow();
    }
  }
  expect(new Set(api.actions.map((a) => a.name)).size).toBe(api.actions.length);
}

async function importError(promise: Promise<unknown>): Promise<OpenApiImportError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenApiImportError);
  return err as OpenApiImportError;
}

const ok = { 200: { description: 'ok' } };
function oas(paths: Json, extra: Json = {}): Json {
  return { openapi: '3.0.3', info: { title: 'T', version: '1' }, paths, ...extra };
}

describe('real fixtures', () => {
  it('Slack (Swagger 2.0): 174 form-body operations, oauth2, token left to the connection', async () => {
    const started = performance.now();
    const api = await importOpenApi({ specPath: fixture('slack-web-api.swagger2.json') });
    console.log(`slack: ${api.actions.length} actions in ${(performance.now() - started).toFixed(0)} ms`);
    expect(api.title).toBe('Slack Web API');
    expect(api.baseUrl).toBe('https://slack.com/api');
    expect(api.actions).toHaveLength(174);
    expectValidSchemas(api);

    const post = action(api, 'chat_post_message');
    expect(post.http?.method).toBe('POST');
    expect(post.http?.path).toBe('/chat.postMessage');
    expect(post.http?.body).toMatchObject({
      contentType: 'application/x-www-form-urlencoded',
      mode: 'flatten',
    });
    expect(post.http?.body?.properties).toEqual(expect.arrayContaining(['channel', 'text', 'thread_ts']));
    expect(props(post).channel).toMatchObject({ type: 'string' });
    expect(props(post).text).toMatchObject({ type: 'string' });
    expect(post.inputSchema.required).toEqual(['channel']);
    expect(props(post).token).toBeUndefined(); // the connection's OAuth token is sent instead
    expect(post.description).toBe('Sends a message to a channel.');
    expect(post.annotations).toEqual({ openWorldHint: true });
    expect(post.outputSchema?.properties).toHaveProperty('ts');

    const list = action(api, 'conversations_list');
    expect(list.http).toMatchObject({ method: 'GET', path: '/conversations.list' });
    expect(list.http?.body).toBeUndefined();
    expect(list.http?.params.map((p) => p.name)).toEqual(['exclude_archived', 'types', 'limit', 'cursor']);
    expect(props(list).limit).toMatchObject({ type: 'integer' });
    expect(list.annotations.readOnlyHint).toBe(true);

    expect(api.auth?.scheme).toBe('oauth2');
    expect(api.auth?.oauth2).toMatchObject({
      grant: 'authorization_code',
      authorizeUrl: 'https://slack.com/oauth/authorize',
      tokenUrl: 'https://slack.com/api/oauth.access',
    });
    expect(api.auth?.oauth2?.scopes).toEqual(expect.arrayContaining(['chat:write:bot', 'channels:read']));
    expect(api.warnings.join('\n')).toMatch(/credential parameters.*"token"/);
  });

  it('petstore-expanded (OpenAPI 3.0): query params, flattened body, allOf merged', async () => {
    const api = await importOpenApi({ specPath: fixture('petstore-expanded.openapi3.yaml') });
    expectValidSchemas(api);
    expect(api.baseUrl).toBe('https://petstore.swagger.io/v2');
    expect(api.auth).toBeNull();
    expect(api.actions.map((a) => a.name)).toEqual(['find_pets', 'add_pet', 'find_pet_by_id', 'delete_pet']);

    const find = action(api, 'find_pets');
    expect(props(find).tags).toEqual({
      type: 'array',
      items: { type: 'string' },
      description: 'tags to filter by',
    });
    expect(props(find).limit).toMatchObject({ type: 'integer', format: 'int32' });
    expect(find.inputSchema.required).toBeUndefined();
    expect(find.http?.params).toEqual([
      { name: 'tags', in: 'query', required: false, style: 'form' },
      { name: 'limit', in: 'query', required: false },
    ]);
    expect(find.outputSchema).toBeUndefined(); // an array response can't be an MCP outputSchema
    expect(find.description.length).toBeLessThanOrEqual(1000);
    expect(find.annotations).toEqual({ readOnlyHint: true, openWorldHint: true });

    const add = action(api, 'add_pet');
    expect(add.http?.body).toEqual({
      contentType: 'application/json',
      mode: 'flatten',
      properties: ['name', 'tag'],
      required: true,
    });
    expect(add.inputSchema).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, tag: { type: 'string' } },
      required: ['name'],
    });
    // Pet = allOf [NewPet, {id}] → one object schema
    expect(add.outputSchema).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        tag: { type: 'string' },
        id: { type: 'integer', format: 'int64' },
      },
      required: ['name', 'id'],
    });

    const del = action(api, 'delete_pet');
    expect(del.http).toEqual({
      method: 'DELETE',
      path: '/pets/{id}',
      params: [{ name: 'id', in: 'path', required: true }],
    });
    expect(del.annotations).toEqual({ destructiveHint: true, idempotentHint: true, openWorldHint: true });
  });

  it('uspto: server variables substituted, form body flattened beside path params', async () => {
    const api = await importOpenApi({ specPath: fixture('uspto.openapi3.yaml') });
    expectValidSchemas(api);
    expect(api.baseUrl).toBe('https://developer.uspto.gov/ds-api');
    const search = action(api, 'perform_search');
    expect(search.http?.method).toBe('POST');
    expect(search.http?.path).toBe('/{dataset}/{version}/records');
    expect(search.http?.params.map((p) => `${p.in}:${p.name}`)).toEqual(['path:version', 'path:dataset']);
    expect(search.http?.body).toMatchObject({
      contentType: 'application/x-www-form-urlencoded',
      mode: 'flatten',
      properties: ['criteria', 'start', 'rows'],
    });
    expect(props(search).criteria).toMatchObject({ type: 'string', default: '*:*' });
    expect(props(search).rows).toMatchObject({ type: 'integer', default: 100 });
    expect(search.inputSchema.required).toEqual(['version', 'dataset']);
  });

  it('callback-example: callbacks are not actions; 201 object response without "type" becomes an object outputSchema', async () => {
    const api = await importOpenApi({ specPath: fixture('callback-example.openapi3.yaml') });
    expectValidSchemas(api);
    expect(api.baseUrl).toBeNull();
    expect(api.actions.map((a) => a.name)).toEqual(['post_streams']);
    const streams = action(api, 'post_streams');
    expect(props(streams).callbackUrl).toMatchObject({
      type: 'string',
      format: 'uri',
      examples: ['https://tonys-server.com'],
    });
    expect(streams.inputSchema.required).toEqual(['callbackUrl']);
    expect(streams.outputSchema).toMatchObject({ type: 'object', required: ['subscriptionId'] });
    expect(api.warnings.join('\n')).toMatch(/servers/);
    expect(api.warnings.join('\n')).toMatch(/Callbacks are not imported.*post_streams/);
  });

  it('link-example: links ignored, operationIds snake_cased', async () => {
    const api = await importOpenApi({ specPath: fixture('link-example.openapi3.yaml') });
    expectValidSchemas(api);
    expect(api.actions.map((a) => a.name)).toEqual([
      'get_user_by_name',
      'get_repositories_by_owner',
      'get_repository',
      'get_pull_requests_by_repository',
      'get_pull_requests_by_id',
      'merge_pull_request',
    ]);
    const prs = action(api, 'get_pull_requests_by_repository');
    expect(props(prs).state).toEqual({ type: 'string', enum: ['open', 'merged', 'declined'] });
    expect(action(api, 'get_user_by_name').description).toBe('GET /2.0/users/{username}');
  });
});

describe('sources', () => {
  const petstoreText = readFileSync(fixture('petstore-expanded.openapi3.yaml'), 'utf8');
  let server: Server;
  let base = '';
  let closedPortUrl = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/petstore.yaml') {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end(petstoreText);
      } else if (req.url === '/relative.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(oas({ '/things': { get: { responses: ok } } }, { servers: [{ url: '/v1' }] })),
        );
      } else if (req.url === '/slow') {
        // never answers: the importer's timeout must fire
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('nope');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    closedPortUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/openapi.json`;
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads YAML text, JSON text and objects, without touching the caller’s object', async () => {
    const fromYaml = await importOpenApi({ spec: petstoreText });
    const fromFile = await importOpenApi({ specPath: fixture('petstore-expanded.openapi3.yaml') });
    expect(fromYaml).toEqual(fromFile);

    const slackText = readFileSync(fixture('slack-web-api.swagger2.json'), 'utf8');
    const fromJson = await importOpenApi({ spec: slackText });
    expect(fromJson.actions).toHaveLength(174);

    const doc = JSON.parse(slackText) as Json;
    const before = JSON.stringify(doc);
    const fromObject = await importOpenApi({ spec: doc });
    expect(fromObject.actions).toEqual(fromJson.actions);
    expect(JSON.stringify(doc)).toBe(before); // $refs still in place: the importer worked on a copy
  });

  it('fetches an http URL, and resolves a relative server against it', async () => {
    const api = await importOpenApi({ specUrl: `${base}/petstore.yaml` });
    expect(api.actions.map((a) => a.name)).toContain('add_pet');
    expect(api.baseUrl).toBe('https://petstore.swagger.io/v2');

    const relative = await importOpenApi({ specUrl: `${base}/relative.json` });
    expect(relative.baseUrl).toBe(`${base}/v1`);
  });

  it('reports an unreachable URL, an HTTP error and a timeout, naming the URL', async () => {
    const refused = await importError(importOpenApi({ specUrl: closedPortUrl }, { fetchTimeoutMs: 5000 }));
    expect(refused.message).toContain(closedPortUrl);
    expect(refused.message).toMatch(/ECONNREFUSED/);

    const missing = await importError(importOpenApi({ specUrl: `${base}/missing.json` }));
    expect(missing.message).toContain(`${base}/missing.json`);
    expect(missing.message).toMatch(/HTTP 404/);

    const slow = await importError(importOpenApi({ specUrl: `${base}/slow` }, { fetchTimeoutMs: 300 }));
    expect(slow.message).toContain(`${base}/slow`);
    expect(slow.message).toMatch(/no response within 300 ms/);

    const ftp = await importError(importOpenApi({ specUrl: 'ftp://127.0.0.1/x.json' }));
    expect(ftp.message).toMatch(/http\(s\)/);
  });

  it('reports a missing file and a missing or ambiguous source', async () => {
    const err = await importError(importOpenApi({ specPath: fixture('nope.yaml') }));
    expect(err.message).toMatch(/nope\.yaml.*ENOENT/);
    expect((await importError(importOpenApi({}))).message).toMatch(/one of spec/);
    expect((await importError(importOpenApi({ spec: petstoreText, specUrl: base }))).message).toMatch(
      /only one/,
    );
  });

  it('resolves relative file $refs beside a local file, but never for inline text', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-oas-'));
    try {
      writeFileSync(
        path.join(dir, 'schemas.yaml'),
        'Thing:\n  type: object\n  properties:\n    name: {type: string}\n',
      );
      const main = oas({
        '/things': {
          post: {
            requestBody: { content: { 'application/json': { schema: { $ref: 'schemas.yaml#/Thing' } } } },
            responses: ok,
          },
        },
      });
      writeFileSync(path.join(dir, 'main.json'), JSON.stringify(main));
      const api = await importOpenApi({ specPath: path.join(dir, 'main.json') });
      expect(props(action(api, 'post_things')).name).toEqual({ type: 'string' });

      const inline = await importError(importOpenApi({ spec: main }));
      expect(inline.message).toContain('External $ref "schemas.yaml#/Thing"');
      expect(inline.message).toContain(
        '/paths/~1things/post/requestBody/content/application~1json/schema/$ref',
      );

      const remote = oas({
        '/x': { get: { responses: { 200: { $ref: 'https://example.invalid/r.yaml#/R' } } } },
      });
      writeFileSync(path.join(dir, 'remote.json'), JSON.stringify(remote));
      const err = await importError(importOpenApi({ specPath: path.join(dir, 'remote.json') }));
      expect(err.message).toContain('https://example.invalid/r.yaml#/R');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('invalid documents', () => {
  it('bad YAML: says where', async () => {
    const err = await importError(
      importOpenApi({ spec: 'openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n' }),
    );
    expect(err.message).toMatch(
      /^the spec text is not valid YAML at line 4, column 1: Flow sequence .* must be sufficiently indented/,
    );
  });

  it('bad JSON: says where', async () => {
    const err = await importError(
      importOpenApi({ spec: '{\n  "openapi": "3.0.0",\n  "info": {"title" "x"}\n}' }),
    );
    expect(err.message).toMatch(
      /^the spec text is not valid JSON at line 3, column 20: Expected ':' after property name/,
    );
  });

  it('not an OpenAPI document, or an unsupported version', async () => {
    expect((await importError(importOpenApi({ spec: 'just a string' }))).message).toMatch(
      /top level is a string/,
    );
    expect((await importError(importOpenApi({ spec: { name: 'x', paths: {} } }))).message).toMatch(
      /no top-level "openapi" \(3\.x\) or "swagger" \(2\.0\) field at \//,
    );
    expect((await importError(importOpenApi({ spec: { swagger: '1.2', apis: [] } }))).message).toMatch(
      /Unsupported Swagger version "1\.2" at \/swagger/,
    );
    expect((await importError(importOpenApi({ spec: '' }))).message).toMatch(/empty/);
  });

  it('no operations', async () => {
    expect((await importError(importOpenApi({ spec: oas({}) }))).message).toMatch(/no operations/);
    const noPaths = { openapi: '3.1.0', info: { title: 'x', version: '1' }, webhooks: {} };
    expect((await importError(importOpenApi({ spec: noPaths }))).message).toMatch(/no \/paths/);
  });

  it('rule violations that still import are reported as warnings', async () => {
    const spec = oas({
      '/a': { get: { operationId: 'same' } },
      '/b': { get: { operationId: 'same', responses: ok } },
    });
    const api = await importOpenApi({ spec });
    expect(api.actions.map((a) => a.name)).toEqual(['same', 'same_2']);
    expect(api.warnings).toContain(
      'Spec validation: REQUIRED must have required property \'responses\' (near `"get": {` — responses is missing here!)',
    );
  });

  it('an unresolvable $ref names the ref and where it is', async () => {
    const spec = oas({
      '/pets': {
        get: {
          responses: {
            200: {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } },
            },
          },
        },
      },
    });
    const err = await importError(importOpenApi({ spec }));
    expect(err.message).toContain('"#/components/schemas/Nope"');
    expect(err.message).toContain('/paths/~1pets/get/responses/200/content/application~1json/schema/$ref');
  });
});

describe('schemas', () => {
  it('circular refs import quickly and are cut short', async () => {
    const spec = oas(
      {
        '/nodes': {
          post: {
            requestBody: {
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } },
            },
            responses: {
              200: {
                description: 'ok',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/A' } } },
              },
            },
          },
        },
      },
      {
        components: {
          schemas: {
            Node: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
              },
            },
            A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } },
            B: { type: 'object', description: 'B', properties: { a: { $ref: '#/components/schemas/A' } } },
          },
        },
      },
    );
    const api = await importOpenApi({ spec });
    expectValidSchemas(api);
    const a = action(api, 'post_nodes');
    expect(props(a).children).toEqual({ type: 'array', items: { type: 'object' } });
    expect(a.outputSchema).toEqual({
      type: 'object',
      properties: { b: { type: 'object', description: 'B', properties: { a: { type: 'object' } } } },
    });
    expect(api.warnings.join('\n')).toMatch(/cut short in: post_nodes/);
  });

  it('strips OpenAPI-only keywords and translates nullable, example, exclusive bounds, readOnly/writeOnly', async () => {
    const Pet = {
      type: 'object',
      required: ['id', 'name', 'password'],
      discriminator: { propertyName: 'kind' },
      xml: { name: 'pet' },
      externalDocs: { url: 'https://example.invalid' },
      'x-internal': true,
      properties: {
        id: { type: 'integer', readOnly: true },
        name: { type: 'string', nullable: true, example: 'Rex', xml: { attribute: true } },
        kind: { type: 'string', enum: ['dog', 'cat'], nullable: true },
        age: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 30, exclusiveMaximum: false },
        password: { type: 'string', writeOnly: true },
        owner: {
          nullable: true,
          allOf: [{ type: 'object', properties: { n: { type: 'string' } } }],
          description: 'who',
        },
      },
    };
    const spec = oas(
      {
        '/pets': {
          put: {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
            },
            responses: {
              200: {
                description: 'ok',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
              },
            },
          },
        },
      },
      { components: { schemas: { Pet } } },
    );
    const api = await importOpenApi({ spec });
    expectValidSchemas(api);
    const put = action(api, 'put_pets');
    expect(put.annotations).toEqual({ idempotentHint: true, openWorldHint: true });
    expect(put.inputSchema).toEqual({
      type: 'object',
      properties: {
        name: { type: ['string', 'null'], examples: ['Rex'] },
        kind: { type: ['string', 'null'], enum: ['dog', 'cat', null] },
        age: { type: 'number', exclusiveMinimum: 0, maximum: 30 },
        password: { type: 'string', writeOnly: true },
        owner: { type: ['object', 'null'], description: 'who', properties: { n: { type: 'string' } } },
      },
      required: ['name', 'password'],
    });
    expect(put.http?.body?.properties).toEqual(['name', 'kind', 'age', 'password', 'owner']);
    const out = put.outputSchema as Json;
    expect(Object.keys(out.properties as Json)).toEqual(['id', 'name', 'kind', 'age', 'owner']);
    expect(out.required).toEqual(['id', 'name']);
    expect(JSON.stringify(api.actions)).not.toMatch(
      /discriminator|xml|externalDocs|x-internal|nullable|"example"/,
    );
  });

  it('OpenAPI 3.1 schemas pass through (type arrays, const, examples)', async () => {
    const spec = {
      openapi: '3.1.0',
      info: { title: '31', version: '1' },
      servers: [
        {
          url: 'https://api.example.test/{version}',
          variables: { version: { default: 'v2', enum: ['v1', 'v2'] } },
        },
      ],
      paths: {
        '/items/{id}': {
          patch: {
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      label: { type: ['string', 'null'], examples: ['a'] },
                      kind: { const: 'item' },
                    },
                  },
                },
              },
            },
            responses: ok,
          },
        },
      },
    };
    const api = await importOpenApi({ spec });
    expectValidSchemas(api);
    expect(api.baseUrl).toBe('https://api.example.test/v2');
    const patch = action(api, 'patch_items_by_id');
    expect(patch.inputSchema).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        label: { type: ['string', 'null'], examples: ['a'] },
        kind: { const: 'item' },
      },
      required: ['id'],
    });
    expect(patch.http?.body).toEqual({
      contentType: 'application/json',
      mode: 'flatten',
      properties: ['label', 'kind'],
      required: false,
    });
    expect(patch.annotations).toEqual({ openWorldHint: true });
  });
});

describe('names', () => {
  it('snake_cases operationIds and routes', () => {
    expect(snakeCase('listPets')).toBe('list_pets');
    expect(snakeCase('chat.postMessage')).toBe('chat_post_message');
    expect(snakeCase('getHTTPResponseCode')).toBe('get_http_response_code');
    expect(snakeCase('find pet by id')).toBe('find_pet_by_id');
    expect(snakeCase('Users-GetAll')).toBe('users_get_all');
    expect(nameFromRoute('GET', '/pets/{petId}')).toBe('get_pets_by_pet_id');
    expect(nameFromRoute('DELETE', '/users/{user_id}/posts/{postId}')).toBe(
      'delete_users_by_user_id_posts_by_post_id',
    );
  });

  it('keeps names unique within the connector, deterministically', async () => {
    const spec = oas({
      '/a': {
        get: { operationId: 'listPets', responses: ok },
        post: { operationId: 'list_pets', responses: ok },
      },
      '/b': { get: { operationId: 'ListPets', responses: ok } },
      '/pets/{petId}': {
        get: {
          parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: ok,
        },
      },
      '/c': { get: { operationId: '日本', responses: ok } },
    });
    const first = await importOpenApi({ spec });
    expect(first.actions.map((a) => a.name)).toEqual([
      'list_pets',
      'list_pets_2',
      'list_pets_3',
      'get_pets_by_pet_id',
      'get_c',
    ]);
    const again = await importOpenApi({ spec });
    expect(again.actions.map((a) => a.name)).toEqual(first.actions.map((a) => a.name));
  });
});

describe('parameters and bodies', () => {
  it('merges path-level and operation-level params (operation wins) and renames clashing or invalid argument names', async () => {
    const spec = oas({
      '/items/{id}': {
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'path-level' },
          { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
        ],
        get: {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'id', in: 'header', schema: { type: 'string' } },
            { name: 'filter[name]', in: 'query', schema: { type: 'string' } },
            { name: 'X-Request-ID', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'session', in: 'cookie', schema: { type: 'string' } },
            { name: 'Accept', in: 'header', schema: { type: 'string' } },
            {
              name: 'ids',
              in: 'query',
              style: 'form',
              explode: false,
              schema: { type: 'array', items: { type: 'integer' } },
            },
          ],
          responses: ok,
        },
      },
    });
    const api = await importOpenApi({ spec });
    expectValidSchemas(api);
    const get = action(api, 'get_items_by_id');
    expect(get.http?.params).toEqual([
      { name: 'id', in: 'path', required: true },
      { name: 'verbose', in: 'query', required: false },
      { name: 'filter[name]', in: 'query', arg: 'filter_name', required: false },
      { name: 'ids', in: 'query', required: false, style: 'form', explode: false },
      { name: 'id', in: 'header', arg: 'id_header', required: false },
      { name: 'X-Request-ID', in: 'header', required: true },
      { name: 'session', in: 'cookie', required: false },
    ]);
    expect(props(get).id).toEqual({ type: 'integer' });
    expect(Object.keys(props(get))).toEqual([
      'id',
      'verbose',
      'filter_name',
      'ids',
      'id_header',
      'X-Request-ID',
      'session',
    ]);
    expect(get.inputSchema.required).toEqual(['id', 'X-Request-ID']);
  });

  it('wraps the body when its properties clash with parameters or it is not an object; picks the content type', async () => {
    const spec = oas({
      '/clash/{name}': {
        post: {
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
              },
              'application/x-www-form-urlencoded': {
                schema: { type: 'object', properties: { name: { type: 'string' } } },
              },
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { name: { type: 'string' }, size: { type: 'integer' } },
                },
              },
            },
          },
          responses: ok,
        },
      },
      '/list': {
        post: {
          parameters: [{ name: 'body', in: 'query', schema: { type: 'string' } }],
          requestBody: {
            description: 'the items',
            content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } },
          },
          responses: ok,
        },
      },
      '/upload': {
        post: {
          requestBody: {
            content: {
              'text/plain': { schema: { type: 'string' } },
              'multipart/form-data': {
                schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
              },
            },
          },
          responses: ok,
        },
      },
      '/raw': {
        post: { requestBody: { content: { 'text/csv': { schema: { type: 'string' } } } }, responses: ok },
      },
    });
    const api = await importOpenApi({ spec });
    expectValidSchemas(api);

    const clash = action(api, 'post_clash_by_name');
    expect(clash.http?.body).toEqual({
      contentType: 'application/json',
      mode: 'wrap',
      properties: [],
      required: true,
    });
    expect(props(clash).body).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, size: { type: 'integer' } },
    });
    expect(clash.inputSchema.required).toEqual(['name', 'body']);

    const list = action(api, 'post_list');
    expect(list.http?.body?.mode).toBe('wrap');
    expect(props(list).body).toEqual({ type: 'array', items: { type: 'string' }, description: 'the items' });
    expect(list.http?.params).toEqual([{ name: 'body', in: 'query', arg: 'body_query', required: false }]);

    expect(action(api, 'post_upload').http?.body).toMatchObject({
      contentType: 'multipart/form-data',
      mode: 'flatten',
      properties: ['file'],
    });
    expect(action(api, 'post_raw').http?.body).toMatchObject({ contentType: 'text/csv', mode: 'wrap' });
  });

  it('Swagger 2: body and formData params, collectionFormat, schemes + host + basePath', async () => {
    const spec = {
      swagger: '2.0',
      info: { title: 'S2', version: '1' },
      host: 'api.example.test',
      basePath: '/v3/',
      schemes: ['http', 'https'],
      consumes: ['application/json'],
      paths: {
        '/users': {
          post: {
            operationId: 'createUser',
            parameters: [
              { name: 'user', in: 'body', required: true, schema: { $ref: '#/definitions/User' } },
            ],
            responses: { 201: { description: 'made', schema: { $ref: '#/definitions/User' } } },
          },
          get: {
            operationId: 'listUsers',
            parameters: [
              {
                name: 'ids',
                in: 'query',
                type: 'array',
                items: { type: 'integer' },
                collectionFormat: 'multi',
              },
              { name: 'tags', in: 'query', type: 'array', items: { type: 'string' } },
              { name: 'limit', in: 'query', type: 'integer', minimum: 1, maximum: 100, default: 20 },
            ],
            responses: {
              200: { description: 'ok', schema: { type: 'array', items: { $ref: '#/definitions/User' } } },
            },
          },
        },
        '/avatar': {
          put: {
            operationId: 'uploadAvatar',
            consumes: ['multipart/form-data'],
            parameters: [
              { name: 'file', in: 'formData', type: 'file', required: true },
              { name: 'caption', in: 'formData', type: 'string', 'x-nullable': true },
            ],
            responses: { 204: { description: 'done' } },
          },
        },
      },
      definitions: {
        User: {
          type: 'object',
          required: ['email'],
          properties: { id: { type: 'integer', readOnly: true }, email: { type: 'string', format: 'email' } },
        },
      },
    };
    const api = await importOpenApi({ spec });
    expectValidSchemas(api);
    expect(api.baseUrl).toBe('https://api.example.test/v3');

    const create = action(api, 'create_user');
    expect(create.http?.body).toEqual({
      contentType: 'application/json',
      mode: 'flatten',
      properties: ['email'],
      required: true,
    });
    expect(create.inputSchema).toEqual({
      type: 'object',
      properties: { email: { type: 'string', format: 'email' } },
      required: ['email'],
    });
    expect(create.outputSchema?.properties).toHaveProperty('id');

    const list = action(api, 'list_users');
    expect(list.http?.params).toEqual([
      { name: 'ids', in: 'query', required: false, explode: true },
      { name: 'tags', in: 'query', required: false, explode: false },
      { name: 'limit', in: 'query', required: false },
    ]);
    expect(props(list).limit).toEqual({ type: 'integer', minimum: 1, maximum: 100, default: 20 });

    const upload = action(api, 'upload_avatar');
    expect(upload.http?.body).toEqual({
      contentType: 'multipart/form-data',
      mode: 'flatten',
      properties: ['file', 'caption'],
      required: true,
    });
    expect(props(upload).file).toEqual({ type: 'string', format: 'binary' });
    expect(props(upload).caption).toEqual({ type: ['string', 'null'] });
    expect(upload.inputSchema.required).toEqual(['file']);
  });
});

describe('auth', () => {
  const op = (security?: unknown) => ({ get: { ...(security ? { security } : {}), responses: ok } });

  it('API key: global security first; the key parameter is left to the connection', async () => {
    const spec = oas(
      {
        '/a': {
          get: {
            parameters: [
              { name: 'X-API-Key', in: 'header', required: true, schema: { type: 'string' } },
              { name: 'q', in: 'query', schema: { type: 'string' } },
            ],
            responses: ok,
          },
        },
      },
      {
        security: [{ key: [] }],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer' },
            key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          },
        },
      },
    );
    const api = await importOpenApi({ spec });
    expect(api.auth).toEqual({ scheme: 'api_key', in: 'header', name: 'X-API-Key' });
    expect(Object.keys(props(action(api, 'get_a')))).toEqual(['q']);
  });

  it('bearer, basic, oauth2 client credentials, and unusable schemes', async () => {
    const withSchemes = (schemes: Json, extra: Json = {}) =>
      importOpenApi({ spec: oas({ '/a': op() }, { components: { securitySchemes: schemes }, ...extra }) });
    expect((await withSchemes({ b: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } })).auth).toEqual({
      scheme: 'bearer',
    });
    expect((await withSchemes({ b: { type: 'http', scheme: 'basic' } })).auth).toEqual({ scheme: 'basic' });

    const cc = await importOpenApi({
      spec: oas(
        { '/a': op([{ o: ['read'] }]), '/b': op([{ o: ['write', 'read'] }]) },
        {
          servers: [{ url: 'https://api.example.test/v1' }],
          components: {
            securitySchemes: {
              o: {
                type: 'oauth2',
                flows: {
                  clientCredentials: { tokenUrl: '/oauth/token', scopes: { read: '', write: '', admin: '' } },
                },
              },
            },
          },
        },
      ),
    });
    expect(cc.auth).toEqual({
      scheme: 'oauth2',
      oauth2: {
        grant: 'client_credentials',
        tokenUrl: 'https://api.example.test/oauth/token',
        scopes: ['read', 'write'],
      },
    });

    const oidc = await withSchemes({
      o: {
        type: 'openIdConnect',
        openIdConnectUrl: 'https://id.example.test/.well-known/openid-configuration',
      },
    });
    expect(oidc.auth).toBeNull();
    expect(oidc.warnings.join('\n')).toMatch(/No usable security scheme.*openIdConnect/);

    const cookie = await withSchemes(
      {
        c: { type: 'apiKey', in: 'cookie', name: 'sid' },
        k: { type: 'apiKey', in: 'query', name: 'api_key' },
      },
      { security: [{ c: [] }] },
    );
    expect(cookie.auth).toEqual({ scheme: 'api_key', in: 'query', name: 'api_key' });
    expect(cookie.warnings.join('\n')).toMatch(/not usable.*"c"/);

    expect((await importOpenApi({ spec: oas({ '/a': op() }) })).auth).toBeNull();
  });
});

describe('performance', () => {
  it('imports a synthetic 1,000-operation spec', async () => {
    const paths: Json = {};
    for (let i = 0; i < 250; i++) {
      const json = (ref: string) => ({
        'application/json': { schema: { $ref: `#/components/schemas/${ref}` } },
      });
      paths[`/resources${i}`] = {
        get: {
          operationId: `listResources${i}`,
          summary: `List resources of kind ${i}`,
          parameters: [{ $ref: '#/components/parameters/Limit' }, { $ref: '#/components/parameters/Cursor' }],
          responses: { 200: { description: 'ok', content: json('Page') } },
        },
        post: {
          operationId: `createResource${i}`,
          requestBody: { required: true, content: json('Resource') },
          responses: { 201: { description: 'made', content: json('Resource') } },
        },
      };
      paths[`/resources${i}/{id}`] = {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: { responses: { 200: { description: 'ok', content: json('Resource') } } },
        delete: { responses: { 204: { description: 'gone' } } },
      };
    }
    const spec = oas(paths, {
      servers: [{ url: 'https://api.example.test' }],
      security: [{ key: [] }],
      components: {
        securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
        parameters: {
          Limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          Cursor: { name: 'cursor', in: 'query', schema: { type: 'string' } },
        },
        schemas: {
          Resource: {
            type: 'object',
            required: ['name'],
            properties: {
              id: { type: 'string', readOnly: true },
              name: { type: 'string' },
              tags: { type: 'array', items: { type: 'string' } },
              parent: { $ref: '#/components/schemas/Resource' },
              meta: { type: 'object', nullable: true, additionalProperties: { type: 'string' } },
            },
          },
          Page: {
            type: 'object',
            properties: {
              items: { type: 'array', items: { $ref: '#/components/schemas/Resource' } },
              next: { type: 'string', nullable: true },
            },
          },
        },
      },
    });
    const text = JSON.stringify(spec);
    const started = performance.now();
    const api = await importOpenApi({ spec: text });
    const ms = performance.now() - started;
    console.log(`1,000-operation spec imported in ${ms.toFixed(0)} ms`);
    expect(api.actions).toHaveLength(1000);
    expect(new Set(api.actions.map((a) => a.name)).size).toBe(1000);
    expect(action(api, 'get_resources249_by_id').http?.path).toBe('/resources249/{id}');
    expect(props(action(api, 'create_resource7')).id).toBeUndefined(); // readOnly
    expect(ms).toBeLessThan(20_000); // generous: timing varies on CI; typically well under a second
  });
});
