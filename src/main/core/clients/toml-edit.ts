import { isDeepStrictEqual } from 'node:util';
import { parse, TomlError } from 'smol-toml';
import type { JsonObject, JsonValue } from './types';

/**
 * Text-level edits of a TOML document that touch only the lines of one table (`[mcp_servers.NAME]`
 * and its sub-tables). smol-toml parses, to validate and to read values; it cannot write a document
 * back without losing comments and layout, so the edits are made here, on the text. Every edit is
 * checked by parsing the result: apart from the one table, the document must read exactly as before.
 */

export interface TomlSyntaxError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

/** The table is defined in a form that cannot be cut out or replaced by whole lines. */
export class TomlEditError extends Error {
  override readonly name = 'TomlEditError';
  constructor(
    message: string,
    /** Where the table is defined, when the refusal is about one place in the file. */
    readonly at?: { line: number; offset: number },
  ) {
    super(message);
  }
}

export interface TomlDoc {
  /** The text without a leading byte-order mark. */
  text: string;
  bom: boolean;
  /** The line break the file uses (the first one in it; `\n` when it has none). */
  eol: '\n' | '\r\n';
  /** The parsed document, values as JSON (dates as their TOML text). */
  data: JsonObject;
}

type Parsed = { ok: true; doc: TomlDoc } | { ok: false; error: TomlSyntaxError };

/** Parse TOML; returns the syntax error (line and column from 1) instead when there is one. */
export function parseToml(raw: string): Parsed {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  try {
    const data = toJson(parse(text)) as JsonObject;
    const eol = /\r?\n/.exec(text)?.[0] === '\r\n' ? '\r\n' : '\n';
    return { ok: true, doc: { text, bom, eol, data } };
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    const offset = offsetOf(text, error.line, error.column);
    return { ok: false, error: { message: reason, offset, line: error.line, column: error.column } };
  }
}

/** The value at `path` (own keys only), or undefined. */
export function valueAt(data: JsonObject, path: readonly string[]): JsonValue | undefined {
  let value: JsonValue | undefined = data;
  for (const key of path) {
    if (!isTable(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** The document text with the table at `path` set to `value`; everything outside it byte-for-byte. */
export function setTable(doc: TomlDoc, path: readonly string[], value: JsonObject): string {
  const blocks = tableBlocks(doc, path, 'set');
  const lines = renderTable(path, value);
  const edits: Edit[] = [];
  const [first, ...rest] = blocks;
  if (first) {
    const ends = doc.text.charCodeAt(first.end - 1) === 10;
    edits.push({ start: first.start, end: first.end, content: lines.join(doc.eol) + (ends ? doc.eol : '') });
    for (const block of rest) edits.push(removal(doc.text, block));
  } else {
    const { text, eol } = doc;
    const block = lines.join(eol);
    // One blank line before our table; a file without a final line break keeps going without one.
    const content = text === '' ? block + eol : /\n$/.test(text) ? eol + block + eol : eol + eol + block;
    edits.push({ start: text.length, end: text.length, content });
  }
  return finish(doc, edits, path, value);
}

/** The document text without the table at `path` (and its sub-tables); everything else byte-for-byte. */
export function removeTable(doc: TomlDoc, path: readonly string[]): string {
  const edits = tableBlocks(doc, path, 'remove').map((block) => removal(doc.text, block));
  return finish(doc, edits, path, undefined);
}

interface Edit {
  start: number;
  end: number;
  content: string;
}

function finish(doc: TomlDoc, edits: Edit[], path: readonly string[], value: JsonObject | undefined): string {
  let text = doc.text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.content + text.slice(edit.end);
  }
  verify(doc, text, path, value);
  return (doc.bom ? '\uFEFF' : '') + text;
}

/** The edit must change that one table and nothing else, as a TOML reader sees the file. */
function verify(doc: TomlDoc, text: string, path: readonly string[], value: JsonObject | undefined): void {
  const after = parseToml(text);
  let why: string | undefined;
  if (!after.ok) why = `the edit would not parse: ${after.error.message}`;
  else {
    const now = valueAt(after.doc.data, path);
    if (value === undefined ? now !== undefined : !isDeepStrictEqual(toJson(now), toJson(value))) {
      why = 'the table does not read back as written';
    } else if (!isDeepStrictEqual(without(doc.data, path), without(after.doc.data, path))) {
      why = 'the rest of the file would read differently';
    }
  }
  if (why) throw new TomlEditError(`Portico could not edit the file safely (${why})`);
}

/** A copy of `data` without `path`, and without the tables that held only it. */
function without(data: JsonObject, path: readonly string[]): JsonValue {
  const [head, ...tail] = path;
  const copy = toJson(data) as JsonObject;
  if (head === undefined || !Object.hasOwn(copy, head)) return copy;
  const inner = copy[head];
  if (tail.length === 0 || !isTable(inner)) delete copy[head];
  else {
    const rest = without(inner, tail) as JsonObject;
    if (Object.keys(rest).length === 0) delete copy[head];
    else copy[head] = rest;
  }
  return copy;
}

/** TOML values as JSON: tables as null-prototype objects (any key is an ordinary key), dates as text. */
function toJson(value: unknown): JsonValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    const out: JsonObject = Object.create(null);
    for (const [key, inner] of Object.entries(value)) out[key] = toJson(inner);
    return out;
  }
  if (typeof value === 'bigint') return Number(value);
  return value as JsonValue;
}

function isTable(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// Layout: where each header and key/value line is. The text has been parsed already, so this only
// has to find statements' bounds, stepping over strings, arrays and inline tables that span lines.

interface Statement {
  kind: 'header' | 'pair';
  /** Header: the table's path. Pair: the full path of the key (table path + dotted key). */
  path: string[];
  /** Header of an array of tables (`[[…]]`). */
  array: boolean;
  /** For pairs: the path of the table the pair sits in. */
  table: string[];
  start: number;
  /** After the statement's line break (or at the end of the text). */
  end: number;
}

interface Block {
  start: number;
  end: number;
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function scan(text: string): Statement[] {
  const statements: Statement[] = [];
  let table: string[] = [];
  let i = 0;
  const at = (k = 0) => text[i + k] ?? '';
  const skipSpace = () => {
    while (at() === ' ' || at() === '\t') i++;
  };
  const skipLine = () => {
    // The rest of a line: a comment at most, then the line break.
    skipSpace();
    if (at() === '#') while (i < text.length && at() !== '\n') i++;
    if (at() === '\r') i++;
    if (at() === '\n') i++;
  };
  const skipTrivia = () => {
    // Inside arrays and inline tables: spaces, line breaks and comments.
    for (;;) {
      skipSpace();
      if (at() === '\r' || at() === '\n') i++;
      else if (at() === '#') while (i < text.length && at() !== '\n') i++;
      else return;
    }
  };
  const readString = (): string => {
    const quote = at();
    const multi = at(1) === quote && at(2) === quote;
    i += multi ? 3 : 1;
    let out = '';
    for (;;) {
      if (i >= text.length) throw new ScanError('unterminated string', i);
      const c = at();
      if (c === quote && (!multi || (at(1) === quote && at(2) === quote))) {
        i += multi ? 3 : 1;
        // A multi-line string may end in one or two quotes of its own: `"""a"""""`.
        if (multi) while (at() === quote) i++;
        return out;
      }
      if (c === '\\' && quote === '"') {
        const [decoded, length] = readEscape(text, i);
        out += decoded;
        i += length;
      } else {
        out += c;
        i++;
      }
    }
  };
  const readKey = (): string[] => {
    const keys: string[] = [];
    for (;;) {
      skipSpace();
      if (at() === '"' || at() === "'") keys.push(readString());
      else {
        const bare = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 256))?.[0];
        if (!bare) throw new ScanError('expected a key', i);
        keys.push(bare);
        i += bare.length;
      }
      skipSpace();
      if (at() !== '.') return keys;
      i++;
    }
  };
  const skipValue = (): void => {
    const c = at();
    if (c === '"' || c === "'") readString();
    else if (c === '[' || c === '{') {
      const close = c === '[' ? ']' : '}';
      i++;
      for (;;) {
        skipTrivia();
        if (at() === close) {
          i++;
          return;
        }
        if (i >= text.length) throw new ScanError('unterminated array or inline table', i);
        if (close === '}') {
          readKey();
          if (at() !== '=') throw new ScanError('expected =', i);
          i++;
          skipSpace();
        }
        skipValue();
        skipTrivia();
        if (at() === ',') i++;
      }
    } else {
      // Numbers, booleans, dates (which may hold a space): up to a delimiter.
      const start = i;
      while (i < text.length && !/[,\]}#\r\n]/.test(at())) i++;
      if (i === start) throw new ScanError('expected a value', i);
    }
  };
  while (i < text.length) {
    const start = i;
    skipSpace();
    if (at() === '\r' || at() === '\n' || at() === '#' || i >= text.length) {
      skipLine();
      continue;
    }
    if (at() === '[') {
      const array = at(1) === '[';
      i += array ? 2 : 1;
      const path = readKey();
      if (at() !== ']' || (array && at(1) !== ']')) throw new ScanError('expected ]', i);
      i += array ? 2 : 1;
      skipLine();
      statements.push({ kind: 'header', path, array, table: path, start, end: i });
      table = path;
    } else {
      const key = readKey();
      if (at() !== '=') throw new ScanError('expected =', i);
      i++;
      skipSpace();
      skipValue();
      skipLine();
      statements.push({ kind: 'pair', path: [...table, ...key], array: false, table, start, end: i });
    }
  }
  return statements;
}

/** `\…` in a basic string at `i`: the character it stands for and the escape's length. */
function readEscape(text: string, i: number): [string, number] {
  const c = text[i + 1] ?? '';
  const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b' };
  if (c === '"' || c === '\\') return [c, 2];
  if (Object.hasOwn(simple, c)) return [simple[c] ?? '', 2];
  const hex = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hex) return [String.fromCodePoint(Number.parseInt(text.slice(i + 2, i + 2 + hex), 16)), 2 + hex];
  // A line-ending backslash in a multi-line string: it and the whitespace after it vanish.
  const rest = /^\\[ \t]*\r?\n[ \t\r\n]*/.exec(text.slice(i))?.[0];
  if (rest) return ['', rest.length];
  throw new ScanError('bad escape', i);
}

const startsWith = (path: readonly string[], prefix: readonly string[]) =>
  prefix.length <= path.length && prefix.every((key, n) => path[n] === key);

/**
 * The blocks that make up the table at `path`: each header (the table's own and its sub-tables') up
 * to the last key/value line before the next header — comment lines after it belong to what follows.
 * Refuses a table defined by dotted keys, inline or as an array of tables.
 */
function tableBlocks(doc: TomlDoc, path: readonly string[], op: 'set' | 'remove'): Block[] {
  let layout: Statement[];
  try {
    layout = scan(doc.text);
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    const line = lineOf(doc.text, error.offset);
    throw new TomlEditError(
      `Portico could not follow the file's layout at line ${line} (${error.message}), so it does not edit it`,
      { line, offset: error.offset },
    );
  }
  const blocks: Block[] = [];
  let open: Block | undefined;
  const name = renderKey(path);
  const refuse = (s: Statement, why: string): never => {
    const line = lineOf(doc.text, s.start);
    throw new TomlEditError(
      `${name} ${why} at line ${line}, which Portico does not edit in place: make it a [${name}] table of its own, or remove it by hand, and try again`,
      { line, offset: s.start },
    );
  };
  for (const s of layout) {
    if (s.kind === 'header') {
      open = undefined;
      if (!startsWith(s.path, path)) continue;
      if (s.array && s.path.length === path.length) refuse(s, 'is an array of tables ([[…]])');
      open = { start: s.start, end: s.end };
      blocks.push(open);
    } else if (open) {
      open.end = s.end;
    } else if (startsWith(s.path, path)) {
      refuse(s, 'is defined by a key = value line (dotted keys or an inline table)');
    } else if (startsWith(path, s.path) && (op === 'set' || valueAt(doc.data, path) !== undefined)) {
      refuse(s, `is inside the inline table ${renderKey(s.path)}`);
    }
  }
  return blocks;
}

/** Cutting a block out: with the blank line before it, and the line break before that at the end of a file without a final one. */
function removal(text: string, block: Block): Edit {
  let { start } = block;
  if (start > 0) {
    const previous = start >= 2 ? text.lastIndexOf('\n', start - 2) + 1 : 0;
    if (/^[ \t]*\r?\n$/.test(text.slice(previous, start))) start = previous;
  }
  if (block.end === text.length && text.charCodeAt(block.end - 1) !== 10) {
    const lineBreak = /\r?\n$/.exec(text.slice(0, start))?.[0];
    if (lineBreak) start -= lineBreak.length;
  }
  return { start, end: block.end, content: '' };
}

// ---------------------------------------------------------------------------------------------------
// Writing: our table, one key per line, nested values as inline tables.

/** `[a."b.c"]`: bare keys where TOML allows them, quoted otherwise. */
export function renderKey(path: readonly string[]): string {
  return path.map((key) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : renderString(key))).join('.');
}

function renderTable(path: readonly string[], value: JsonObject): string[] {
  const lines = [`[${renderKey(path)}]`];
  for (const [key, inner] of Object.entries(value)) lines.push(`${renderKey([key])} = ${renderValue(inner)}`);
  return lines;
}

function renderValue(value: JsonValue): string {
  if (typeof value === 'string') return renderString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return Number.isInteger(value) ? String(value) : String(value).replace(/^(-?\d+)(e)/, '$1.0$2');
  }
  if (value === null) throw new Error('TOML has no null');
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  const pairs = Object.entries(value).map(([k, v]) => `${renderKey([k])} = ${renderValue(v)}`);
  return pairs.length ? `{ ${pairs.join(', ')} }` : '{}';
}

function renderString(value: string): string {
  const escaped = value.replace(/[\\"\p{Cc}]/gu, (c) => {
    const named: Record<string, string> = {
      '\\': '\\\\',
      '"': '\\"',
      '\b': '\\b',
      '\t': '\\t',
      '\n': '\\n',
      '\f': '\\f',
      '\r': '\\r',
    };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

// ---------------------------------------------------------------------------------------------------

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let n = 0; n < offset && n < text.length; n++) if (text.charCodeAt(n) === 10) line++;
  return line;
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}
