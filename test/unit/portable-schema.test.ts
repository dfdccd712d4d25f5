// portableSchema rewrites what clients warn about into the portable subset, and the listed schema
// is never stricter than the one Portico validates against: every value the original accepts, the
// listed one accepts too (MCP SDK clients check structured output against the listed schema).
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { importOpenApi } from '../../src/main/core/connectors/openapi-import';
import { portableSchema } from '../../src/shared/schemas/portable';

const GITHUB = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');

const ajv = new Ajv2020({ strict: false, validateSchema: false });

const SAMPLES: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  -3,
  2.5,
  11,
  '',
  'a',
  'x'.repeat(50),
  'red',
  'round',
  '2024-01-01T00:00:00Z',
  [],
  [1, 'a'],
  [[1], [2, [3]]],
  {},
  { a: 1 },
  { name: 'n', child: { name: 'c', child: { name: 'd' } } },
  { w: 1, h: 2 },
  { h: 2 },
  { kind: 'gadget', size: 3 },
  { kind: 'other' },
];

/** Schemas with every construct the pass rewrites; the samples probe each as a value and as a property. */
const TRICKY: Record<string, unknown> = {
  typeArray: { type: ['string', 'null'], maxLength: 10 },
  threeTypes: { type: ['string', 'integer', 'null'] },
  untyped: {},
  describedOnly: { description: 'anything' },
  constString: { const: 'gadget' },
  constBool: { const: true },
  numericEnum: { enum: [1, 2, 3] },
  mixedEnum: { enum: ['red', 1, null] },
  oneOf: { oneOf: [{ type: 'string', enum: ['round'] }, { type: 'integer' }] },
  allOf: {
    allOf: [
      { type: 'object', properties: { w: { type: 'number' } } },
      { properties: { h: { type: 'number' } } },
    ],
  },
  sharedWithAlternatives: {
    type: 'object',
    properties: { kind: { type: 'string' }, size: { type: 'integer' } },
    anyOf: [{ required: ['kind'] }, { required: ['size'] }],
  },
  exclusive: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 },
  exclusiveNumber: { type: 'number', exclusiveMinimum: 0 },
  openapiNullable: { type: 'string', nullable: true },
  formatUri: { type: 'string', format: 'uri' },
  record: { type: 'object', additionalProperties: { type: 'integer' } },
  closed: { type: 'object', properties: { a: { type: 'integer' } }, additionalProperties: false },
  tuple: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }] },
  bareArray: { type: 'array' },
  notKeyword: { type: 'integer', not: { const: 1 } },
  recursive: {
    $defs: {
      Node: { type: 'object', properties: { name: { type: 'string' }, child: { $ref: '#/$defs/Node' } } },
    },
    $ref: '#/$defs/Node',
  },
  remoteRef: { $ref: 'https://example.com/schema.json' },
  forbiddenProperty: { type: 'object', properties: { a: false, b: { type: 'string' } } },
};

const ALLOWED = new Set([
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

/** Nodes of a listed schema that break the portable subset. */
function problems(node: unknown, use: 'input' | 'output', path = '', out: string[] = []): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node))
    return [...out, `${path}: not an object`];
  const n = node as Record<string, unknown>;
  for (const key of Object.keys(n)) if (!ALLOWED.has(key)) out.push(`${path}: ${key}`);
  const constrains = Object.keys(n).some(
    (k) => ALLOWED.has(k) && !['title', 'description', 'default'].includes(k),
  );
  if (use === 'input' ? n.type === undefined && !Array.isArray(n.anyOf) : !constrains)
    out.push(`${path}: untyped`);
  if (n.type !== undefined && typeof n.type !== 'string') out.push(`${path}: type array`);
  if (
    n.enum !== undefined &&
    (n.type !== 'string' || !(n.enum as unknown[]).every((v) => typeof v === 'string'))
  )
    out.push(`${path}: enum`);
  if (n.type === 'array' && use === 'input' && n.items === undefined) out.push(`${path}: items`);
  if (n.items) problems(n.items, use, `${path}.items`, out);
  for (const [i, b] of ((n.anyOf as unknown[]) ?? []).entries()) problems(b, use, `${path}.anyOf[${i}]`, out);
  for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {}))
    problems(v, use, `${path}.properties.${k}`, out);
  return out;
}

describe('portableSchema', () => {
  it.each(Object.entries(TRICKY))('%s: as a property, portable and never stricter', (_name, schema) => {
    // Definitions live at the document's root, where its $refs point.
    const { $defs, ...property } = schema as Record<string, unknown>;
    const original = { type: 'object', properties: { p: property }, ...($defs ? { $defs } : {}) };
    for (const use of ['input', 'output'] as const) {
      const listed = portableSchema(original, use);
      expect(problems(listed, use)).toEqual([]);
      let before: ReturnType<typeof ajv.compile>;
      try {
        before = ajv.compile(original);
      } catch {
        continue; // a reference nothing resolves: no validator takes it; listed, it is "anything"
      }
      const after = ajv.compile(listed);
      for (const sample of SAMPLES) {
        if (use === 'output' && before({ p: sample }))
          expect(after({ p: sample }), JSON.stringify(sample)).toBe(true);
      }
    }
  });

  it('spells nullable as anyOf with a null branch, keeping the description on top', () => {
    expect(
      portableSchema(
        { type: 'object', properties: { a: { type: ['string', 'null'], description: 'A.' } } },
        'input',
      ),
    ).toEqual({
      type: 'object',
      properties: { a: { description: 'A.', anyOf: [{ type: 'string' }, { type: 'null' }] } },
    });
  });

  it('const, numeric enums, formats and exclusive bounds become the nearest portable form', () => {
    const listed = portableSchema(
      {
        type: 'object',
        properties: {
          kind: { const: 'gadget' },
          level: { enum: [1, 2, 3] },
          site: { type: 'string', format: 'uri' },
          when: { type: 'string', format: 'date-time' },
          n: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 },
        },
      },
      'input',
    );
    expect(listed.properties).toEqual({
      kind: { type: 'string', enum: ['gadget'] },
      level: { type: 'integer', description: 'One of: 1, 2, 3.' },
      site: { type: 'string', description: 'Format: uri.' },
      when: { type: 'string', format: 'date-time' },
      n: { type: 'integer', minimum: 1, maximum: 9 },
    });
  });

  it('inlines $refs, ends a cycle in anything, and folds allOf into one object', () => {
    const listed = portableSchema(TRICKY.recursive, 'output');
    expect(JSON.stringify(listed)).not.toContain('$ref');
    expect(listed).toMatchObject({ type: 'object', properties: { name: { type: 'string' } } });
    const merged = portableSchema(TRICKY.allOf, 'input');
    expect(merged).toEqual({
      type: 'object',
      properties: { w: { type: 'number' }, h: { type: 'number' } },
    });
  });

  it('an output property that may be anything is named in its object’s description, not spelled out', () => {
    const relaxed = {
      type: 'object',
      properties: {
        id: { description: 'The id.' },
        owner: { description: 'Who owns it.', properties: { login: {}, site: { type: 'string' } } },
        tags: { items: {} },
        list: { items: { properties: { name: { type: 'string' } } } },
        data: {},
      },
    };
    const listed = portableSchema(relaxed, 'output');
    expect(listed).toEqual({
      type: 'object',
      description: 'Fields: id (The id.), tags, data.',
      properties: {
        owner: { description: 'Who owns it. Fields: login.', properties: { site: { type: 'string' } } },
        list: { items: { properties: { name: { type: 'string' } } } },
      },
    });
  });

  it('"any value" is spelled out; input arrays always say what their items are', () => {
    const listed = portableSchema(
      { type: 'object', properties: { x: {}, list: { type: 'array' } } },
      'input',
    );
    const x = (listed.properties as Record<string, { anyOf: { type: string }[] }>).x;
    expect(x?.anyOf.map((b) => b.type)).toEqual(['string', 'number', 'boolean', 'object', 'array', 'null']);
    expect((listed.properties as Record<string, { items?: unknown }>).list?.items).toBeDefined();
  });

  it('keeps property names such as __proto__ and constructor as ordinary own keys', () => {
    const original = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"},"constructor":{"type":["integer","null"]}},"required":["__proto__"]}',
    );
    const listed = portableSchema(original, 'input');
    expect(Object.getPrototypeOf(listed.properties)).toBe(Object.prototype);
    expect(Object.keys(listed.properties as object)).toEqual(['__proto__', 'constructor']);
    expect(listed.required).toEqual(['__proto__']);
    expect(problems(listed, 'input')).toEqual([]);
  });

  it('a schema that would explode (alternatives folded into alternatives) ends in stubs, quickly', () => {
    let node: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 14; i += 1)
      node = {
        type: 'object',
        properties: { next: node, [`f${i}`]: { type: 'integer' } },
        anyOf: [{ required: ['next'] }, { required: [`f${i}`] }, { properties: { extra: node } }],
      };
    const started = performance.now();
    for (const use of ['input', 'output'] as const) {
      const listed = portableSchema({ type: 'object', properties: { root: node } }, use);
      expect(problems(listed, use)).toEqual([]);
      expect(JSON.stringify(listed).length).toBeLessThan(5_000_000);
    }
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a top level of alternatives becomes one object (MCP wants type "object" there)', () => {
    const listed = portableSchema(
      {
        oneOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] },
        ],
      },
      'input',
    );
    expect(listed).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    });
  });

  it('keeps a real document’s listing about its own size (validators compile it in its own time)', async () => {
    const api = await importOpenApi({ specPath: GITHUB });
    const size = (list: unknown[]) => JSON.stringify(list).length;
    const inputs = api.actions.map((a) => a.inputSchema);
    const outputs = api.actions.flatMap((a) => (a.outputSchema ? [a.outputSchema] : []));
    expect(outputs.length).toBeGreaterThan(500);
    expect(size(inputs.map((s) => portableSchema(s, 'input')))).toBeLessThan(1.3 * size(inputs));
    expect(size(outputs.map((s) => portableSchema(s, 'output')))).toBeLessThan(1.3 * size(outputs));
    // A relaxed output schema (nothing constrained: only shape and descriptions) lists small.
    const relaxed = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(relaxed)
        : typeof node === 'object' && node !== null
          ? Object.fromEntries(
              Object.entries(node)
                .filter(([k]) => !['type', 'required', 'enum', 'format', 'additionalProperties'].includes(k))
                .map(([k, v]) => [k, relaxed(v)]),
            )
          : node;
    const loose = outputs.map((s) => ({ type: 'object', ...(relaxed(s) as object) }));
    expect(size(loose.map((s) => portableSchema(s, 'output')))).toBeLessThan(size(loose));
  }, 60_000);
});
