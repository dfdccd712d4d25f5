import { adminRegistry } from '../core/admin';
import type { ToolListing } from '../core/admin/registry';
import { adminArgs } from './admin-args';
import { type CliTarget, openCliRegistry } from './context';
import { type CliIO, json, table } from './output';

const USAGE = "Usage: portico admin TOOL [JSON]   (JSON may be '-' to read standard input)";

/** `portico admin TOOL [JSON]`: one control-plane tool through the registry — the server's when one runs. */
export async function adminCommand(
  target: Omit<CliTarget, 'readOnly'>,
  positionals: string[],
  io: CliIO,
): Promise<number> {
  const registry = adminRegistry();
  const [tool, rawArgs] = positionals;
  if (!tool) {
    io.out(toolList(registry.list()));
    return 2;
  }
  if (tool === 'help') return adminHelp(rawArgs, io);
  const args = adminArgs(tool, rawArgs);
  if (!registry.has(tool)) {
    io.err(`Unknown admin tool "${tool}". ${suggest(registry.list(), tool)}`);
    return 1;
  }
  const session = await openCliRegistry({ ...target, readOnly: registry.isReadOnly(tool, args) });
  try {
    const result = await session.call(tool, args);
    if (!result.ok) {
      io.err(result.error);
      return 1;
    }
    io.out(json(result.value));
    return 0;
  } finally {
    await session.close();
  }
}

/** `portico admin help [TOOL]` (and `portico admin [TOOL] --help`): touches no data dir. */
export function adminHelp(tool: string | undefined, io: CliIO): number {
  const tools = adminRegistry().list();
  if (tool) return toolHelp(tools, tool, io);
  io.out(toolList(tools));
  return 0;
}

/** `portico admin help`: every tool with the first sentence of its description. */
function toolList(tools: readonly ToolListing[]): string {
  return [
    USAGE,
    '',
    table(
      ['TOOL', 'DESCRIPTION'],
      tools.map((t) => [t.name, firstSentence(t.description)]),
    ),
    '',
    `${tools.length} tools. \`portico admin help TOOL\` shows one tool's description, input fields and annotations.`,
  ].join('\n');
}

/** `portico admin help TOOL`: its whole description, its input fields (type, required, default, description) and annotations. */
function toolHelp(tools: readonly ToolListing[], name: string, io: CliIO): number {
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    io.err(`Unknown admin tool "${name}". ${suggest(tools, name)}`);
    return 1;
  }
  const lines = [`${tool.name} — ${tool.title}`, '', tool.description, '', 'Input (a JSON object):'];
  const fields = describeFields(tool.inputSchema, '  ');
  lines.push(...(fields.length ? fields : ['  (no fields)']));
  const hints = Object.entries(tool.annotations)
    .filter(([key]) => key !== 'title')
    .map(([key, value]) => `${key}: ${String(value)}`);
  lines.push('', `Annotations: ${hints.join(', ') || 'none'}`);
  const required = requiredOf(tool.inputSchema);
  const example = Object.fromEntries(required.map((field) => [field, '…']));
  lines.push(
    '',
    `Example: portico admin ${tool.name}${required.length ? ` '${JSON.stringify(example)}'` : ''}`,
  );
  io.out(lines.join('\n'));
  return 0;
}

/** Tools whose names share a word with what was typed. */
function suggest(tools: readonly ToolListing[], name: string): string {
  const words = name
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length > 2);
  const near = tools.filter((t) => words.some((w) => t.name.includes(w))).map((t) => t.name);
  return near.length
    ? `Did you mean ${near.slice(0, 6).join(', ')}? \`portico admin help\` lists them all.`
    : 'Run `portico admin help` to list them.';
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function requiredOf(schema: Schema): string[] {
  return Array.isArray(schema.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
}

/** One line per field (nested object fields indented under their parent), then its description. */
function describeFields(schema: Schema, indent: string, depth = 0): string[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(requiredOf(schema));
  const lines: string[] = [];
  for (const [name, field] of Object.entries(properties)) {
    if (!isSchema(field)) continue;
    const facts = [typeOf(field), required.has(name) ? 'required' : 'optional'];
    if (field.default !== undefined) facts.push(`default ${JSON.stringify(field.default)}`);
    lines.push(`${indent}${name} (${facts.join(', ')})`);
    if (typeof field.description === 'string') lines.push(`${indent}    ${field.description}`);
    const object = objectOf(field);
    if (object && depth < 2) lines.push(...describeFields(object, `${indent}    `, depth + 1));
  }
  return lines;
}

/** The object schema among a field's alternatives, if it has named fields. */
function objectOf(field: Schema): Schema | undefined {
  const candidates = Array.isArray(field.anyOf) ? field.anyOf.filter(isSchema) : [field];
  return candidates.find((c) => c.type === 'object' && isSchema(c.properties));
}

/** A schema's type in words: `string`, `integer 1–500`, `"a" | "b"`, `array of string`, `string or null`. */
function typeOf(schema: Schema): string {
  if (Array.isArray(schema.anyOf)) return schema.anyOf.filter(isSchema).map(typeOf).join(' or ');
  const type = typeof schema.type === 'string' ? schema.type : 'any';
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (type === 'array') return `array of ${isSchema(schema.items) ? typeOf(schema.items) : 'any'}`;
  const range =
    typeof schema.minimum === 'number' && typeof schema.maximum === 'number'
      ? ` ${schema.minimum}–${schema.maximum}`
      : typeof schema.minimum === 'number'
        ? ` ≥ ${schema.minimum}`
        : typeof schema.maximum === 'number'
          ? ` ≤ ${schema.maximum}`
          : '';
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  return `${type}${range}${format}`;
}

const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|etc|vs|cf|approx)|\.\.)$/i;

/**
 * A description's first sentence, whole: up to the first full stop outside brackets and quotes
 * that ends a sentence (not "e.g." or "i.e."), followed by a space and a capital, or the end.
 */
export function firstSentence(text: string): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    else if ((c === '.' || c === '!' || c === '?') && depth === 0) {
      const next = text.slice(i + 1);
      if (next !== '' && !/^\s+[A-Z"`(]/.test(next)) continue;
      if (c === '.' && ABBREVIATIONS.test(text.slice(0, i))) continue;
      return text.slice(0, i + 1);
    }
  }
  return text;
}
