/**
 * Tool schemas every major MCP client takes without a warning: Claude, Cursor, VS Code, MCP
 * Inspector's schema lint, and Gemini, whose function declarations read a subset of OpenAPI 3.0.
 * What is listed is a portable rewrite of what Portico validates against — never stricter, so a
 * client that checks structured output against the listed outputSchema accepts every real answer.
 *
 * The portable subset:
 * - every schema node has one `type` (never an array of types) or an `anyOf` of such nodes;
 *   nullable is an `anyOf` with a `{"type": "null"}` branch; "any JSON value" is spelled out;
 * - keywords: type, title, description, default, enum (strings only), format (date-time; int32
 *   and int64; float and double), properties, required (only properties it lists), items (every
 *   input array has one), anyOf, minimum, maximum, minLength, maxLength, pattern, minItems,
 *   maxItems, minProperties, maxProperties;
 * - no `$ref`/`$defs` (inlined; a cycle ends in its type), no `const`, `oneOf`, `allOf`, `not`,
 *   `if`, `additionalProperties`, `propertyNames`, `exclusiveMinimum`, … — each is rewritten to
 *   the nearest looser form, and what only a reader can use (an unusual format, numeric choices,
 *   an example, "deprecated") moves into the description.
 */

type Json = Record<string, unknown>;
/** `input`: arguments a model writes (types inferred from keywords). `output`: results a client may validate (only ever looser). */
export type SchemaUse = 'input' | 'output';

const KEEP_FORMATS: Record<string, readonly string[]> = {
  string: ['date-time'],
  integer: ['int32', 'int64'],
  number: ['float', 'double'],
};
const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;
type TypeName = (typeof TYPES)[number];
const ANY_TYPES: readonly TypeName[] = ['string', 'number', 'boolean', 'object', 'array', 'null'];
const BY_TYPE: Record<'string' | 'number' | 'array' | 'object', readonly string[]> = {
  string: ['minLength', 'maxLength', 'pattern'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: ['items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
  object: [
    'properties',
    'required',
    'minProperties',
    'maxProperties',
    'additionalProperties',
    'patternProperties',
    'propertyNames',
  ],
};
/** Keywords that say what a value is (not only how to describe it): a node with one of these is not "anything". */
const TYPED_KEYS = new Set(['type', 'enum', 'const', 'format', ...Object.values(BY_TYPE).flat()]);
const MAX_DEPTH = 24;
const NODE_BUDGET = 20_000;

interface Context {
  root: unknown;
  use: SchemaUse;
  /** `$ref`s being expanded, to stop at a cycle. */
  refs: string[];
  /** Nodes left to write, shared by the whole document: a huge or exploding schema ends in stubs. */
  budget: { left: number };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Json, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
const isTypeName = (t: unknown): t is TypeName =>
  typeof t === 'string' && (TYPES as readonly string[]).includes(t);
/** An object built from entries, so that a name like `__proto__` stays an ordinary own key. */
const record = (entries: [string, unknown][]): Json => Object.fromEntries(entries);

/** Nodes that stand for "any JSON value" (so alternatives that include one are anything too). */
const ANYTHING = new WeakSet<Json>();
const anything = (node: Json): Json => {
  ANYTHING.add(node);
  return node;
};

/** "Any JSON value", spelled out: each type, and for input an array of any non-array values. */
function anyValue(use: SchemaUse, described: Json = {}): Json {
  return anything({
    ...described,
    anyOf: ANY_TYPES.map((type) =>
      type === 'array' && use === 'input'
        ? {
            type,
            items: {
              anyOf: ANY_TYPES.filter((t) => t !== 'array' && t !== 'null').map((t) => ({ type: t })),
            },
          }
        : { type },
    ),
  });
}

/** A JSON Pointer reference inside the document (`#/$defs/Pet`, `#/definitions/Pet`, `#`). */
function resolveRef(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = own(node, key);
    else return undefined;
  }
  return node;
}

/** Two schemas that must both hold, as one: properties and required joined, other keywords from the first that has them (looser). */
function mergeSchemas(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (key === 'properties' && isObject(value) && isObject(out.properties)) {
      const props = new Map(Object.entries(out.properties));
      for (const [name, sub] of Object.entries(value)) if (!props.has(name)) props.set(name, sub);
      out.properties = record([...props]);
    } else if (key === 'required' && Array.isArray(value) && Array.isArray(out.required)) {
      out.required = [...new Set([...out.required, ...value])];
    } else if (key === 'description' && typeof out.description === 'string' && typeof value === 'string') {
      if (!out.description.includes(value)) out.description = `${out.description} ${value}`;
    } else if (!Object.hasOwn(out, key)) {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/** The schema with its `$ref` (merged with its siblings) and `allOf` folded in; null for a cycle or an unknown reference. */
function flatten(schema: Json, ctx: Context): { node: Json; refs: string[] } | null {
  let node = schema;
  let refs = ctx.refs;
  for (let hops = 0; typeof node.$ref === 'string'; hops += 1) {
    const ref = node.$ref;
    const target = resolveRef(ctx.root, ref);
    if (hops > 16 || refs.includes(ref) || !isObject(target)) return null;
    refs = [...refs, ref];
    const { $ref: _ref, ...siblings } = node;
    node = mergeSchemas(siblings, target);
  }
  if (Array.isArray(node.allOf)) {
    const { allOf, ...rest } = node;
    node = rest;
    for (const member of allOf) {
      if (!isObject(member)) continue;
      const flat = flatten(member, { ...ctx, refs });
      if (flat) node = mergeSchemas(node, flat.node);
    }
  }
  return { node, refs };
}

function declaredTypes(node: Json): TypeName[] | undefined {
  const { type } = node;
  if (type === undefined) return undefined;
  const list = (Array.isArray(type) ? type : [type]).filter(isTypeName);
  return list.length ? [...new Set(list)] : undefined;
}

/** The types a node's keywords imply, for input schemas that leave `type` out. */
function impliedTypes(node: Json): TypeName[] {
  const implied: TypeName[] = [];
  if (BY_TYPE.object.some((k) => k in node)) implied.push('object');
  if (BY_TYPE.array.some((k) => k in node)) implied.push('array');
  if (BY_TYPE.string.some((k) => k in node)) implied.push('string');
  if (BY_TYPE.number.some((k) => k in node)) implied.push('number');
  return implied;
}

function typeOfValue(v: unknown): TypeName {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return 'object';
}

const covers = (types: readonly TypeName[], t: TypeName) =>
  types.includes(t) || (t === 'integer' && types.includes('number'));

const short = (value: unknown) => {
  const text = JSON.stringify(value);
  return text !== undefined && text.length <= 120 ? text : undefined;
};

/** The parts every branch shares: title, description (with notes for what only a reader can use) and default. */
function annotations(node: Json, notes: string[]): Json {
  const out: Json = {};
  if (typeof node.title === 'string') out.title = node.title;
  const description = [typeof node.description === 'string' ? node.description.trim() : '', ...notes]
    .filter(Boolean)
    .join(' ');
  if (description) out.description = description;
  if (node.default !== undefined) out.default = node.default;
  return out;
}

function notesOf(node: Json): string[] {
  const notes: string[] = [];
  if (node.deprecated === true) notes.push('Deprecated.');
  const example = Array.isArray(node.examples) ? node.examples[0] : node.example;
  const shown = example === undefined ? undefined : short(example);
  if (shown && !(typeof node.description === 'string' && node.description.includes(shown)))
    notes.push(`Example: ${shown}.`);
  return notes;
}

function numberBranch(type: 'integer' | 'number', node: Json): Json {
  const out: Json = { type };
  let min = typeof node.minimum === 'number' ? node.minimum : undefined;
  let max = typeof node.maximum === 'number' ? node.maximum : undefined;
  // Draft 2020-12 spells exclusive bounds as numbers, OpenAPI 3.0 as booleans beside minimum/maximum.
  const exMin = node.exclusiveMinimum === true ? min : node.exclusiveMinimum;
  const exMax = node.exclusiveMaximum === true ? max : node.exclusiveMaximum;
  if (typeof exMin === 'number')
    min = type === 'integer' ? Math.floor(exMin) + 1 : Math.max(min ?? exMin, exMin);
  if (typeof exMax === 'number')
    max = type === 'integer' ? Math.ceil(exMax) - 1 : Math.min(max ?? exMax, exMax);
  // zod's int() bounds say no more than "a safe integer": noise to a model.
  if (min !== undefined && min > Number.MIN_SAFE_INTEGER) out.minimum = min;
  if (max !== undefined && max < Number.MAX_SAFE_INTEGER) out.maximum = max;
  if (typeof node.format === 'string' && KEEP_FORMATS[type]?.includes(node.format)) out.format = node.format;
  return out;
}

function stringBranch(node: Json, values: unknown[] | undefined): Json {
  const out: Json = { type: 'string' };
  const choices = values?.filter((v) => typeof v === 'string');
  if (choices?.length) out.enum = choices;
  if (typeof node.format === 'string' && KEEP_FORMATS.string?.includes(node.format)) out.format = node.format;
  for (const key of BY_TYPE.string)
    if (typeof node[key] === (key === 'pattern' ? 'string' : 'number')) out[key] = node[key];
  return out;
}

function arrayBranch(node: Json, ctx: Context, depth: number): Json {
  const out: Json = { type: 'array' };
  const parts: unknown[] = [];
  if (Array.isArray(node.prefixItems)) parts.push(...node.prefixItems);
  if (Array.isArray(node.items)) parts.push(...node.items);
  else if (node.items !== undefined && node.items !== false) parts.push(node.items);
  const items =
    parts.length === 1
      ? convert(parts[0], ctx, depth + 1)
      : parts.length > 1
        ? convert({ anyOf: parts }, ctx, depth + 1)
        : ctx.use === 'input'
          ? convert(true, ctx, depth + 1)
          : undefined;
  // An output array of anything needs no items (validators then check nothing per item).
  if (items && !(ctx.use === 'output' && ANYTHING.has(items))) out.items = items;
  if (typeof node.minItems === 'number') out.minItems = node.minItems;
  if (typeof node.maxItems === 'number') out.maxItems = node.maxItems;
  return out;
}

/**
 * An object's properties. In an output schema a property that may be anything constrains nothing:
 * it is named in the object's description (`notes`) instead of spelled out as six alternatives —
 * a relaxed output schema is all such properties, and validators compile it at its own size.
 */
function objectBranch(node: Json, ctx: Context, depth: number, notes: string[]): Json {
  const out: Json = { type: 'object' };
  const props: [string, unknown][] = [];
  const anything: string[] = [];
  if (isObject(node.properties)) {
    for (const [name, sub] of Object.entries(node.properties)) {
      if (sub === false) continue; // a property that must not be sent: not listed
      const converted = convert(sub, ctx, depth + 1);
      if (ctx.use === 'output' && ANYTHING.has(converted)) {
        const about = typeof converted.description === 'string' ? clip(converted.description, 300) : '';
        anything.push(about ? `${name} (${about})` : name);
      } else props.push([name, converted]);
    }
  }
  if (anything.length) notes.push(outline(anything));
  if (props.length) out.properties = record(props);
  const names = new Set(props.map(([name]) => name));
  const required = Array.isArray(node.required)
    ? [...new Set(node.required.filter((r): r is string => typeof r === 'string' && names.has(r)))]
    : [];
  if (required.length) out.required = required;
  if (typeof node.minProperties === 'number') out.minProperties = node.minProperties;
  if (typeof node.maxProperties === 'number') out.maxProperties = node.maxProperties;
  return out;
}

/** What a record's values are, for its description (`additionalProperties` itself is not portable). */
function valuesNote(node: Json): string[] {
  const values = node.additionalProperties;
  if (!isObject(values) || isObject(node.properties)) return [];
  const types = declaredTypes(values)?.filter((t) => t !== 'null');
  return types?.length ? [`Values: ${types.join(' or ')}.`] : [];
}

/** One schema node, rewritten into the portable subset. */
function convert(schema: unknown, ctx: Context, depth: number): Json {
  ctx.budget.left -= 1;
  if (!isObject(schema) || depth > MAX_DEPTH || ctx.budget.left < 0) {
    // Too deep or too big to spell out: its scalar type alone, or anything.
    const stub = isObject(schema) ? declaredTypes(schema) : undefined;
    if (stub?.length === 1 && stub[0] !== 'object' && stub[0] !== 'array') return { type: stub[0] };
    return anyValue(ctx.use);
  }
  const flat = flatten(schema, ctx);
  if (!flat) {
    // A cycle or a reference outside the document: what the node says of its own type, or anything.
    const types = declaredTypes(schema);
    const described = annotations(schema, []);
    const [only] = types ?? [];
    if (types?.length !== 1 || only === undefined) return anyValue(ctx.use, described);
    if (only === 'array' && ctx.use === 'input')
      return { type: only, ...described, items: anyValue('input') };
    return { type: only, ...described };
  }
  const inner: Context = { ...ctx, refs: flat.refs };
  const node = flat.node;

  // oneOf is anyOf for a reader; with both, anyOf alone (looser).
  const alternatives = Array.isArray(node.anyOf)
    ? node.anyOf
    : Array.isArray(node.oneOf)
      ? node.oneOf
      : undefined;
  if (alternatives) {
    const { anyOf: _a, oneOf: _o, not: _n, ...rest } = node;
    // Keywords beside the alternatives hold for each of them: folded into every branch.
    const shared = Object.keys(rest).some((k) => TYPED_KEYS.has(k));
    const branches: Json[] = [];
    for (const alt of alternatives) {
      if (alt === false) continue; // a branch nothing matches
      const branch = convert(shared && isObject(alt) ? mergeSchemas(alt, rest) : alt, inner, depth + 1);
      if (ANYTHING.has(branch)) return anyValue(ctx.use, annotations(node, notesOf(node)));
      const nested =
        Object.keys(branch).length === 1 && Array.isArray(branch.anyOf) ? (branch.anyOf as Json[]) : [branch];
      for (const b of nested) if (!branches.some((x) => sameJson(x, b))) branches.push(b);
    }
    const described = annotations(node, notesOf(node));
    if (branches.length === 0) return anyValue(ctx.use, described);
    if (branches.length === 1) return { ...branches[0], ...described };
    return { ...described, anyOf: branches };
  }

  const notes = notesOf(node);
  let values: unknown[] | undefined;
  if (node.const !== undefined) values = [node.const];
  else if (Array.isArray(node.enum) && node.enum.length) values = node.enum;
  let types = declaredTypes(node) ?? (ctx.use === 'input' ? impliedTypes(node) : []);
  if (values) {
    const valueTypes = [...new Set(values.map(typeOfValue))];
    types = types.length ? valueTypes.filter((t) => covers(types, t)) : valueTypes;
    if (types.length === 0) types = declaredTypes(node) ?? valueTypes;
    const others = values.filter((v) => typeof v !== 'string' && v !== null);
    const listed = others.map((v) => JSON.stringify(v)).join(', ');
    if (others.length) notes.push(values.length === 1 ? `Always ${listed}.` : `One of: ${listed}.`);
  }
  if (types.length === 0 && !values && ctx.use === 'output') return untypedOutput(node, inner, depth, notes);
  if (types.length === 0) types = [...ANY_TYPES];
  if (node.nullable === true && !types.includes('null')) types.push('null'); // OpenAPI 3.0's spelling
  if (types.includes('integer') && types.includes('number')) types = types.filter((t) => t !== 'integer');
  if (typeof node.format === 'string') {
    const kept = types.some((t) => KEEP_FORMATS[t]?.includes(node.format as string));
    if (!kept && /^[\w-]{1,40}$/.test(node.format)) notes.push(`Format: ${node.format}.`);
  }
  if (types.includes('object')) notes.push(...valuesNote(node));

  const branches = types.map((type): Json => {
    switch (type) {
      case 'string':
        return stringBranch(node, values);
      case 'integer':
      case 'number':
        return numberBranch(type, node);
      case 'array':
        return arrayBranch(node, inner, depth);
      case 'object':
        return objectBranch(node, inner, depth, notes);
      default:
        return { type };
    }
  });
  const described = annotations(node, notes);
  if (branches.length === 1) {
    const [only] = branches;
    return { type: only?.type, ...described, ...only };
  }
  return { ...described, anyOf: branches };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Text cut at a word before `max` characters, marked with an ellipsis. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).replace(/[\s,;.:]+$/, '')}…`;
}

/** "Fields: a (what a is), b, c (…)." — as many as fit in a description of reasonable size. */
function outline(fields: string[]): string {
  let text = 'Fields:';
  for (const [i, field] of fields.entries()) {
    const next = `${text}${i ? ',' : ''} ${field}`;
    if (next.length > 2_000) return `${text}, … (${fields.length - i} more).`;
    text = next;
  }
  return `${text}.`;
}

/**
 * An output node that names no type (a relaxed output schema is all such nodes): what it says of
 * each type, kept without a type. Each of those keywords holds only for values of its type, so the
 * node accepts exactly what it did, and validators compile it at the size it was — not as six
 * alternatives at every depth. When it says nothing of any type: any value.
 */
function untypedOutput(node: Json, ctx: Context, depth: number, notes: string[]): Json {
  const kept: Json = {};
  const fields: string[] = [];
  const parts = [
    stringBranch(node, undefined),
    numberBranch('number', node),
    arrayBranch(node, ctx, depth),
    objectBranch(node, ctx, depth, fields),
  ];
  for (const part of parts)
    for (const [key, value] of Object.entries(part)) if (key !== 'type' && !(key in kept)) kept[key] = value;
  const described = annotations(node, [...notes, ...fields, ...valuesNote(node)]);
  if (Object.keys(kept).length === 0) return anyValue(ctx.use, described);
  return { ...described, ...kept };
}

/**
 * A tool's inputSchema or outputSchema in the portable subset. MCP wants `type: "object"` at the
 * top: alternatives there become one object with every branch's properties (required: those all
 * branches require).
 */
export function portableSchema(schema: unknown, use: SchemaUse): Record<string, unknown> {
  const out = convert(schema, { root: schema, use, refs: [], budget: { left: NODE_BUDGET } }, 0);
  if (out.type === 'object') return out;
  const branches = Array.isArray(out.anyOf) ? (out.anyOf as Json[]) : [];
  const objects = branches.filter((b) => b.type === 'object');
  const { anyOf: _drop, type: _type, ...described } = out;
  if (objects.length === 0) return { type: 'object', ...described };
  let merged: Json = { type: 'object', ...described };
  let required: Set<string> | undefined;
  for (const branch of objects) {
    const { required: req, ...rest } = branch;
    merged = mergeSchemas(merged, rest);
    const names = new Set(Array.isArray(req) ? (req as string[]) : []);
    required = required ? new Set([...required].filter((n) => names.has(n))) : names;
  }
  if (required?.size) merged.required = [...required];
  return merged;
}
