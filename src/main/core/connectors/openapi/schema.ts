/**
 * OpenAPI/Swagger schema objects → plain JSON Schema draft 2020-12, as MCP clients expect.
 * Works on dereferenced (possibly cyclic) documents: recursion is cut at a depth and a node budget.
 */
import { isObject, type Json } from './util';

export const MAX_SCHEMA_DEPTH = 10;
const NODE_BUDGET = 4000;

export interface SchemaContext {
  /** `input` drops readOnly properties; `output` drops writeOnly ones and `additionalProperties: false`. */
  mode: 'input' | 'output';
  budget: number;
  /** Set when something was cut because of recursion, depth or size. */
  truncated: boolean;
}

export function schemaContext(mode: 'input' | 'output'): SchemaContext {
  return { mode, budget: NODE_BUDGET, truncated: false };
}

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);
const PASS_THROUGH = new Set([
  'title',
  'description',
  'format',
  'default',
  'enum',
  'const',
  'multipleOf',
  'maximum',
  'minimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'minContains',
  'maxContains',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
  'dependentRequired',
  '$comment',
]);
const SUBSCHEMA = new Set([
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SUBSCHEMA_MAPS = new Set(['patternProperties', 'dependentSchemas']);

/** Converts one schema. Unknown and OpenAPI-only keywords (discriminator, xml, x-*, nullable, example…) are dropped or translated. */
export function convertSchema(
  schema: unknown,
  ctx: SchemaContext,
  depth = 0,
  stack: Set<object> = new Set(),
): Json {
  if (schema === true || schema === undefined) return {};
  if (schema === false) return { not: {} };
  if (!isObject(schema)) return {};
  if (stack.has(schema) || depth >= MAX_SCHEMA_DEPTH || ctx.budget <= 0) {
    ctx.truncated = true;
    return stub(schema);
  }
  ctx.budget--;
  stack.add(schema);
  try {
    return convertNode(schema, ctx, depth, stack);
  } finally {
    stack.delete(schema);
  }
}

/** What is left of a schema where recursion stops: its type and description. */
function stub(schema: Json): Json {
  const out: Json = {};
  const type = normalizeType(schema.type);
  if (typeof type === 'string' && TYPES.has(type)) out.type = type;
  else if (schema.properties !== undefined) out.type = 'object';
  if (typeof schema.description === 'string') out.description = schema.description;
  return out;
}

function normalizeType(type: unknown): unknown {
  if (type === 'file') return 'string';
  if (Array.isArray(type)) {
    const list = [
      ...new Set(type.map((t) => (t === 'file' ? 'string' : t)).filter((t) => TYPES.has(t as string))),
    ];
    return list.length === 1 ? list[0] : list.length > 0 ? list : undefined;
  }
  return typeof type === 'string' && TYPES.has(type) ? type : undefined;
}

function convertNode(schema: Json, ctx: SchemaContext, depth: number, stack: Set<object>): Json {
  const out: Json = {};
  const next = (s: unknown) => convertSchema(s, ctx, depth + 1, stack);
  const dropped = new Set<string>();

  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') {
      const type = normalizeType(value);
      if (type !== undefined) out.type = type;
      if (value === 'file' && schema.format === undefined) out.format = 'binary';
    } else if (PASS_THROUGH.has(key)) {
      if (key === 'enum' && !Array.isArray(value)) continue;
      if (key === 'deprecated' && value !== true) continue;
      out[key] = value;
    } else if (key === 'required') {
      if (Array.isArray(value)) out.required = value.filter((v) => typeof v === 'string');
    } else if (key === 'example') {
      if (schema.examples === undefined) out.examples = [value];
    } else if (key === 'examples') {
      if (Array.isArray(value)) out.examples = value;
    } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      if (typeof value === 'number') out[key] = value;
      else if (value === true) {
        const bound = schema[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'];
        if (typeof bound === 'number') out[key] = bound;
      }
    } else if (key === 'properties' && isObject(value)) {
      const props: Json = {};
      for (const [name, sub] of Object.entries(value)) {
        if (
          isObject(sub) &&
          ((ctx.mode === 'input' && sub.readOnly === true) ||
            (ctx.mode === 'output' && sub.writeOnly === true))
        ) {
          dropped.add(name);
          continue;
        }
        props[name] = next(sub);
      }
      out.properties = props;
    } else if (key === 'items') {
      if (Array.isArray(value)) out.prefixItems = value.map(next);
      else out.items = next(value);
    } else if (key === 'additionalProperties') {
      if (value === false && ctx.mode === 'output') continue; // real APIs add fields; don't fail validation of results
      out.additionalProperties = typeof value === 'boolean' ? value : next(value);
    } else if (SUBSCHEMA.has(key)) {
      out[key] = typeof value === 'boolean' ? value : next(value);
    } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map(next);
    } else if (SUBSCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, next(v)]));
    }
    // Everything else is OpenAPI-only or unknown: discriminator, xml, externalDocs, nullable, x-*, $ref leftovers, …
  }

  if (typeof out.exclusiveMinimum === 'number' && schema.exclusiveMinimum === true) delete out.minimum;
  if (typeof out.exclusiveMaximum === 'number' && schema.exclusiveMaximum === true) delete out.maximum;
  if (dropped.size > 0 && Array.isArray(out.required)) {
    out.required = (out.required as string[]).filter((r) => !dropped.has(r));
  }
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;

  const merged = mergeAllOf(out);
  if (schema.nullable === true || schema['x-nullable'] === true) return makeNullable(merged);
  return merged;
}

function makeNullable(out: Json): Json {
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === 'string') {
    if (out.type !== 'null') out.type = [out.type, 'null'];
    return out;
  }
  if (Array.isArray(out.type)) {
    if (!out.type.includes('null')) out.type = [...out.type, 'null'];
    return out;
  }
  if (out.allOf || out.anyOf || out.oneOf) {
    const { description, title, ...rest } = out;
    const wrapped: Json = { anyOf: [rest, { type: 'null' }] };
    if (title !== undefined) wrapped.title = title;
    if (description !== undefined) wrapped.description = description;
    return wrapped;
  }
  return out; // no type: null is already allowed
}

const OBJECT_KEYS = new Set([
  'type',
  'properties',
  'required',
  'description',
  'title',
  'additionalProperties',
  'examples',
  'deprecated',
]);

/** `allOf` of plain object schemas (the usual composition pattern) becomes one object schema, which clients handle far better. */
function mergeAllOf(out: Json): Json {
  const parts = out.allOf;
  if (!Array.isArray(parts) || parts.length === 0) return out;
  const members = parts as Json[];
  const mergeable = (s: Json) =>
    Object.keys(s).every((k) => OBJECT_KEYS.has(k)) &&
    (s.type === undefined || s.type === 'object') &&
    (s.additionalProperties === undefined || s.additionalProperties === true);
  if (!members.every(mergeable)) return out;
  if (out.type !== undefined && out.type !== 'object') return out;
  const properties: Json = isObject(out.properties) ? { ...out.properties } : {};
  const required = new Set<string>(Array.isArray(out.required) ? (out.required as string[]) : []);
  for (const m of members) {
    for (const [name, sub] of Object.entries(isObject(m.properties) ? m.properties : {})) {
      if (name in properties) return out; // conflicting definitions: keep the allOf as written
      properties[name] = sub;
    }
    if (Array.isArray(m.required)) for (const r of m.required) required.add(r as string);
  }
  const { allOf: _drop, ...rest } = out;
  const result: Json = { ...rest, type: 'object', properties };
  if (result.description === undefined) {
    const d = members.find((m) => typeof m.description === 'string')?.description;
    if (d !== undefined) result.description = d;
  }
  if (required.size > 0) result.required = [...required];
  return result;
}

/** An object schema with named properties whose properties can become tool arguments. */
export function isFlattenableObject(schema: Json): boolean {
  if (schema.type !== undefined && schema.type !== 'object') return false;
  if (!isObject(schema.properties) || Object.keys(schema.properties).length === 0) return false;
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return false;
  return !['allOf', 'anyOf', 'oneOf', 'not', 'if', 'patternProperties', 'dependentSchemas'].some(
    (k) => k in schema,
  );
}

/** Whether a converted schema may be an MCP outputSchema (which must be `type: "object"`). */
export function asObjectSchema(schema: Json): Json | undefined {
  if (schema.type === 'object') return schema;
  if (schema.type === undefined && isObject(schema.properties) && !schema.anyOf && !schema.oneOf) {
    return { type: 'object', ...schema };
  }
  return undefined;
}

/*
 * Output schemas as advertised. A document's response schema is what the API promised, not what it
 * sends: fields go missing, new fields and enum values appear, values come back null or as another
 * type (GitHub's own documented examples do all of these). By default a tool advertises (and the
 * gateway checks) a relaxed form that keeps the shape for readers but accepts all of that; a
 * connector with `strictOutput` advertises and checks the schema as written.
 */

/** Keywords that describe and never reject, kept as they are; `$ref`s point at relaxed `$defs`. */
const ANNOTATIONS = [
  'title',
  'description',
  'examples',
  'deprecated',
  '$comment',
  '$schema',
  '$id',
  '$anchor',
  '$dynamicAnchor',
  '$ref',
  '$dynamicRef',
];
const MAX_RELAX_DEPTH = 64;
const relaxedCache = new WeakMap<object, Json>();

/** The properties, item schemas and map-value schemas a node documents, its alternatives' included. */
function shapeOf(schema: Json) {
  const properties = new Map<string, Json[]>();
  const items: unknown[] = [];
  const values: unknown[] = [];
  const visit = (node: unknown, depth: number) => {
    if (!isObject(node) || depth > 8) return;
    if (isObject(node.properties))
      for (const [name, sub] of Object.entries(node.properties)) {
        if (!isObject(sub)) continue;
        const seen = properties.get(name);
        if (seen) seen.push(sub);
        else properties.set(name, [sub]);
      }
    if (Array.isArray(node.items)) items.push(...node.items);
    else if (node.items !== undefined) items.push(node.items);
    if (Array.isArray(node.prefixItems)) items.push(...node.prefixItems);
    if (isObject(node.additionalProperties)) values.push(node.additionalProperties);
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = node[key];
      if (Array.isArray(list)) for (const member of list) visit(member, depth + 1);
    }
  };
  visit(schema, 0);
  return { properties, items, values };
}

/** Several schemas for one place, read as one: the first description, every shape. */
function joined(list: unknown[]): unknown {
  if (list.length === 1) return list[0];
  const described = list.find((s) => isObject(s) && typeof s.description === 'string');
  return {
    ...(isObject(described) ? { description: described.description } : {}),
    anyOf: list,
  };
}

function relaxNode(schema: unknown, depth: number, top: boolean): Json {
  if (!isObject(schema) || depth > MAX_RELAX_DEPTH) return top ? { type: 'object' } : {};
  const next = (s: unknown) => relaxNode(s, depth + 1, false);
  const out: Json = {};
  for (const key of ANNOTATIONS) if (key in schema) out[key] = schema[key];
  for (const key of ['$defs', 'definitions']) {
    const defs = schema[key];
    if (isObject(defs)) out[key] = Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, next(v)]));
  }
  const shape = shapeOf(schema);
  if (shape.properties.size > 0)
    out.properties = Object.fromEntries(
      [...shape.properties].map(([name, list]) => [name, next(joined(list))]),
    );
  if (shape.items.length > 0) out.items = next(joined(shape.items));
  if (shape.values.length > 0) out.additionalProperties = next(joined(shape.values));
  return top ? { type: 'object', ...out } : out;
}

/**
 * The relaxed form of an output schema: `type: "object"` at the top (as MCP requires), and below
 * it the same properties, items, titles and descriptions at every depth, with nothing that can
 * reject a value — no `required`, `type`, `enum`, `format`, bounds or `additionalProperties: false`;
 * alternatives (`anyOf`/`oneOf`/`allOf`) read as the union of their properties. Any JSON object
 * conforms. Cached per schema object (store records are immutable).
 */
export function relaxOutputSchema(schema: Json): Json {
  let relaxed = relaxedCache.get(schema);
  if (!relaxed) {
    relaxed = relaxNode(schema, 0, true);
    relaxedCache.set(schema, relaxed);
  }
  return relaxed;
}

/** The output schema a tool advertises and the gateway checks: as written when strict, else relaxed. */
export function advertisedOutputSchema(
  schema: Json | undefined,
  strict: boolean | undefined,
): Json | undefined {
  if (!schema) return undefined;
  return strict ? schema : relaxOutputSchema(schema);
}
