// Every schema either plane lists is one that every major client takes without a warning: MCP
// Inspector's schema lint (type arrays, schemas without constraints, remote $refs, bare booleans)
// and Gemini's function declarations (an OpenAPI 3.0 subset: one type per node, no $ref/$defs,
// const, oneOf, allOf, additionalProperties, string-only enums, few formats, arrays with items).
// Checked on the admin plane and on a data plane of real OpenAPI documents (the shared fixtures
// and GitHub's whole REST description) and a real MCP server, through MCP SDK clients and the
// MCP Inspector's own CLI.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GITHUB = require.resolve('@octokit/openapi/generated/api.github.com.json');
/** An MCP server whose schemas use every construct clients warn about (type arrays, {}, $ref, const…). */
const WIDGETS = fileURLToPath(new URL('../fixtures/mcp/widgets-server.mjs', import.meta.url));
const FIXTURES = [join(ROOT, 'test/fixtures/openapi'), '/work/shared/fixtures/openapi'].filter(existsSync);
const DOCUMENTS = [
  ...new Map(
    FIXTURES.flatMap((dir) =>
      [
        'petstore-expanded.openapi3.yaml',
        'uspto.openapi3.yaml',
        'callback-example.openapi3.yaml',
        'link-example.openapi3.yaml',
        'slack-web-api.swagger2.json',
      ]
        .map((name) => join(dir, name))
        .filter(existsSync)
        .map((path) => [basename(path), path] as const),
    ),
  ).values(),
  GITHUB,
];

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const KEYWORDS = new Set([
  'type',
  'title',
  'description',
  'default',
  'enum',
  'format',
  'properties',
  'required',
  'items',
  'anyOf',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);
const FORMATS: Record<string, string[]> = {
  string: ['date-time'],
  integer: ['int32', 'int64'],
  number: ['float', 'double'],
};

/** MCP Inspector's test for a schema that accepts anything: none of these keywords. */
const constrains = (node: Record<string, unknown>) =>
  Object.keys(node).some((k) => KEYWORDS.has(k) && !['title', 'description', 'default'].includes(k));

/** What a client would warn about or refuse in one schema, by path (written independently of portable.ts). */
function portabilityProblems(schema: unknown, use: 'input' | 'output', path: string, out: string[]): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    out.push(`${path}: ${JSON.stringify(schema)} where a schema object belongs`);
    return;
  }
  const node = schema as Record<string, unknown>;
  for (const key of Object.keys(node)) if (!KEYWORDS.has(key)) out.push(`${path}: keyword ${key}`);
  const { type } = node;
  // Gemini reads every input node by its type; Inspector wants every node to constrain something.
  if (use === 'input' ? type === undefined && !Array.isArray(node.anyOf) : !constrains(node))
    out.push(`${path}: ${use === 'input' ? 'neither type nor anyOf' : 'no validation keyword'}`);
  if (type !== undefined && (typeof type !== 'string' || !TYPES.has(type)))
    out.push(`${path}: type ${JSON.stringify(type)}`);
  if (node.enum !== undefined) {
    if (type !== 'string') out.push(`${path}: enum on type ${String(type)}`);
    if (!Array.isArray(node.enum) || !node.enum.length || !node.enum.every((v) => typeof v === 'string'))
      out.push(`${path}: enum ${JSON.stringify(node.enum)}`);
  }
  if (node.format !== undefined && !FORMATS[String(type)]?.includes(String(node.format)))
    out.push(`${path}: format ${String(node.format)} on ${String(type)}`);
  if (type === 'array' && use === 'input' && node.items === undefined)
    out.push(`${path}: array without items`);
  if (node.items !== undefined) portabilityProblems(node.items, use, `${path}.items`, out);
  if (node.anyOf !== undefined) {
    if (!Array.isArray(node.anyOf) || node.anyOf.length === 0) out.push(`${path}: anyOf`);
    else
      for (const [i, branch] of node.anyOf.entries())
        portabilityProblems(branch, use, `${path}.anyOf[${i}]`, out);
  }
  const properties = node.properties;
  if (properties !== undefined) {
    if (typeof properties !== 'object' || properties === null) out.push(`${path}: properties`);
    else
      for (const [name, sub] of Object.entries(properties))
        portabilityProblems(sub, use, `${path}.properties.${name}`, out);
  }
  if (node.required !== undefined) {
    const names = new Set(Object.keys(properties ?? {}));
    const required = Array.isArray(node.required) ? node.required : [node.required];
    for (const name of required)
      if (typeof name !== 'string' || !names.has(name))
        out.push(`${path}: required ${String(name)} not listed`);
  }
}

function toolProblems(tools: Tool[]): string[] {
  const out: string[] = [];
  for (const tool of tools) {
    if (tool.inputSchema.type !== 'object') out.push(`${tool.name}: inputSchema is not an object schema`);
    portabilityProblems(tool.inputSchema, 'input', `${tool.name} inputSchema`, out);
    if (tool.outputSchema) {
      if (tool.outputSchema.type !== 'object') out.push(`${tool.name}: outputSchema is not an object schema`);
      portabilityProblems(tool.outputSchema, 'output', `${tool.name} outputSchema`, out);
    }
  }
  return out;
}

/**
 * The MCP Inspector's CLI (the real client that reported the warnings): tools/list with its schema
 * lint. Asynchronous: the server under test runs in this process.
 */
function inspectorToolsList(target: { url: string; key: string } | { command: string[] }) {
  const cli = join(
    require.resolve('@modelcontextprotocol/inspector/package.json'),
    '..',
    'clients/cli/build/index.js',
  );
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        cli,
        ...('url' in target
          ? [
              '--transport',
              'http',
              '--server-url',
              target.url,
              '--header',
              `Authorization: Bearer ${target.key}`,
            ]
          : []),
        '--method',
        'tools/list',
        '--strict',
        '--format',
        'json',
        ...('command' in target ? target.command : []),
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
});
afterAll(async () => {
  await admin?.close();
});

async function adminCall(name: string, args: Record<string, unknown>) {
  const result = (await admin.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as {
    isError?: boolean;
    content: { type: string; text?: string }[];
    structuredContent?: Record<string, unknown>;
  };
  expect(result.isError, result.content[0]?.text).toBeFalsy();
  return result.structuredContent ?? {};
}

describe('schema portability', () => {
  it('the admin plane lists only portable input and output schemas (MCP SDK client and MCP Inspector)', async () => {
    const { tools } = await admin.listTools();
    expect(tools.length).toBeGreaterThan(40);
    expect(tools.every((t) => t.outputSchema)).toBe(true);
    expect(toolProblems(tools)).toEqual([]);

    const inspected = await inspectorToolsList({ url: `${gw.app.url}/mcp/admin`, key: gw.adminKey });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(JSON.parse(inspected.stdout).result.tools).toHaveLength(tools.length);
    // With --strict the Inspector prints each portability finding; there are none.
    expect(inspected.stderr).not.toMatch(/Warning:|Error:|portability/i);
    expect(inspected.stdout).not.toContain('schemaFindings');
  });

  it('a data plane of real OpenAPI documents (fixtures, GitHub) and a real MCP server lists only portable schemas', async () => {
    const connectorIds: string[] = [];
    for (const [i, path] of DOCUMENTS.entries()) {
      const imported = await adminCall('import_openapi', {
        slug: `doc${i}`,
        spec_path: path,
        base_url: 'http://127.0.0.1:9',
      });
      connectorIds.push(String(imported.connector_id));
    }
    const { command, args } = everythingServerCommand();
    const everything = await adminCall('create_connector', {
      slug: 'everything',
      name: 'Everything',
      kind: 'mcp',
      transport: 'stdio',
      command,
      args,
    });
    await adminCall('refresh_connector', { connector_id: 'everything' });
    connectorIds.push(String(everything.id));
    await adminCall('create_connector', {
      slug: 'widgets',
      name: 'Widgets',
      kind: 'mcp',
      transport: 'stdio',
      command: process.execPath,
      args: [WIDGETS],
    });
    await adminCall('refresh_connector', { connector_id: 'widgets' });
    connectorIds.push('widgets');
    await adminCall('create_customer', { id: 'acme', name: 'Acme' });
    await adminCall('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: connectorIds,
      tool_mode: 'direct',
    });
    const key = gw.mint('gateway');
    const url = `${gw.app.url}/mcp/gateway?customer_id=acme`;
    const gateway = await connectClient(url, bearer(key));
    try {
      const { tools } = await gateway.listTools();
      expect(tools.length).toBeGreaterThan(1200);
      expect(tools.some((t) => t.name.startsWith('everything__'))).toBe(true);
      expect(tools.some((t) => t.name === 'widgets__get_widget')).toBe(true);
      expect(tools.filter((t) => t.outputSchema).length).toBeGreaterThan(500);
      expect(toolProblems(tools).slice(0, 20)).toEqual([]);
    } finally {
      await gateway.close();
    }

    const inspected = await inspectorToolsList({ url, key });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stderr).not.toMatch(/Warning:|Error:|portability/i);
    expect(inspected.stdout).not.toContain('schemaFindings');

    // The control: the Inspector does warn about the widgets server's own schemas, as served directly.
    const direct = await inspectorToolsList({ command: [process.execPath, WIDGETS] });
    expect(direct.stderr).toMatch(/Warning: tool "get_widget"/);
    expect(direct.stderr).toMatch(/type.*is an array/);
    expect(direct.stderr).toMatch(/no validation keyword/);
  }, 240_000);
});
