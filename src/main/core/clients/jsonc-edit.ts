import {
  createScanner,
  getNodeValue,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import type { JsonObject, JsonValue } from './types';

/**
 * Text-level edits of a JSON-with-comments document that touch only the bytes of the entry being
 * added, changed or removed. jsonc-parser parses and locates; the edits are made here because its
 * `modify` formatting re-flows neighbouring lines (it would rewrite the user's other servers).
 */

// jsonc-parser's SyntaxKind is an ambient const enum, unusable under isolatedModules.
const COMMA_TOKEN = 5;
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const LINE_BREAK = 14;
const TRIVIA = 15;

export interface ParsedDoc {
  /** The text without a leading byte-order mark. */
  text: string;
  bom: boolean;
  /** The root object; undefined for an empty (whitespace-only) document. */
  root: Node | undefined;
}

export interface JsoncSyntaxError {
  code: string;
  offset: number;
  line: number;
  column: number;
}

export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parse JSONC; returns the first syntax error instead of a tree when there is one. */
export function parseDoc(raw: string): { ok: true; doc: ParsedDoc } | { ok: false; error: JsoncSyntaxError } {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  if (text.trim() === '') return { ok: true, doc: { text, bom, root: undefined } };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    return {
      ok: false,
      error: {
        code: printParseErrorCode(first.error),
        offset: first.offset,
        ...positionOf(text, first.offset),
      },
    };
  }
  return { ok: true, doc: { text, bom, root } };
}

/** True when the text is JSONC but not strict JSON (comments or trailing commas). */
export function hasJsoncOnlySyntax(text: string): boolean {
  if (text.trim() === '') return false;
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  return errors.length > 0;
}

export interface PropertyRef {
  name: string;
  /** The property node (`"name": value`). */
  node: Node;
  value: Node;
}

/** The properties of an object node, in document order (duplicates included). */
export function propertiesOf(obj: Node): PropertyRef[] {
  const out: PropertyRef[] = [];
  for (const prop of obj.children ?? []) {
    const [keyNode, value] = prop.children ?? [];
    if (keyNode && value && typeof keyNode.value === 'string')
      out.push({ name: keyNode.value, node: prop, value });
  }
  return out;
}

export function nodeValue(node: Node): JsonValue {
  return getNodeValue(node) as JsonValue;
}

interface Style {
  eol: string;
  /** One level of indentation: spaces or a tab. */
  unit: string;
  /** The document is on one line: keep it compact. */
  compact: boolean;
}

function lineStartOf(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i + 1;
}

/** The whitespace before `offset` on its line, or undefined when something else precedes it there. */
function leadingIndent(text: string, offset: number): string | undefined {
  const prefix = text.slice(lineStartOf(text, offset), offset);
  return /^[ \t]*$/.test(prefix) ? prefix : undefined;
}

/** Indentation of the line `offset` is on (whatever precedes it). */
function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStartOf(text, offset), offset))?.[0] ?? '';
}

function detectStyle(doc: ParsedDoc): Style {
  const { text, root } = doc;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const span = root ? text.slice(root.offset, root.offset + root.length) : '';
  // A one-line document stays one line; an empty `{}` is laid out like a new file.
  const compact = (root?.children?.length ?? 0) > 0 && !span.includes('\n');
  let unit = '  ';
  const first = root?.children?.[0];
  const indent = first ? leadingIndent(text, first.offset) : undefined;
  if (indent) unit = indent.startsWith('\t') ? '\t' : indent.length <= 8 ? indent : '  ';
  return { eol, unit, compact };
}

function render(value: JsonValue, indent: string, style: Style): string {
  if (style.compact) return JSON.stringify(value);
  return JSON.stringify(value, null, style.unit)
    .split('\n')
    .join(style.eol + indent);
}

function property(name: string, value: JsonValue, indent: string, style: Style): string {
  return `${JSON.stringify(name)}${style.compact ? ':' : ': '}${render(value, indent, style)}`;
}

interface Edit {
  offset: number;
  length: number;
  content: string;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  // Back to front so offsets stay valid; at the same offset, the edit listed first ends up first.
  const ordered = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.offset - a.e.offset || b.i - a.i);
  for (const { e } of ordered) out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  return out;
}

/** Position of the first comma token after `from`, skipping whitespace and comments; -1 if another token comes first. */
function commaAfter(text: string, from: number): number {
  const scanner = createScanner(text, false);
  scanner.setPosition(from);
  for (;;) {
    const token = scanner.scan();
    if (token === COMMA_TOKEN) return scanner.getTokenOffset();
    if (token === TRIVIA || token === LINE_BREAK || token === LINE_COMMENT || token === BLOCK_COMMENT)
      continue;
    return -1;
  }
}

/** Just past the line break ending `offset`'s line (or the end of text), when only blanks follow `offset`; else undefined. */
function blankRestOfLine(text: string, offset: number): number | undefined {
  const m = /^[ \t]*(\r?\n|$)/.exec(text.slice(offset));
  return m ? offset + m[0].length : undefined;
}

/** Where a `//` comment following `offset` on the same line ends (before the line break); undefined when there is none. */
function endOfTrailingLineComment(text: string, offset: number): number | undefined {
  const m = /^[ \t]*\/\/[^\n]*?(?=\r?\n|$)/.exec(text.slice(offset));
  return m ? offset + m[0].length : undefined;
}

/** Insert `"name": value` as the last property of `obj`. */
function insertProperty(doc: ParsedDoc, obj: Node, name: string, value: JsonValue, style: Style): string {
  const { text } = doc;
  const props = obj.children ?? [];
  const last = props[props.length - 1];
  const closeAt = obj.offset + obj.length - 1;
  if (!last) {
    if (style.compact)
      return applyEdits(text, [
        { offset: obj.offset + 1, length: 0, content: property(name, value, '', style) },
      ]);
    const outer = lineIndent(text, obj.offset);
    const indent = outer + style.unit;
    const interior = text.slice(obj.offset + 1, closeAt);
    const tail = interior.includes('\n') ? '' : style.eol + outer;
    const content = `${style.eol}${indent}${property(name, value, indent, style)}${tail}`;
    return applyEdits(text, [{ offset: obj.offset + 1, length: 0, content }]);
  }
  const lastEnd = last.offset + last.length;
  const indent = leadingIndent(text, last.offset);
  if (style.compact || indent === undefined) {
    const inline = { ...style, compact: true };
    return applyEdits(text, [
      {
        offset: lastEnd,
        length: 0,
        content: `,${style.compact ? '' : ' '}${property(name, value, '', inline)}`,
      },
    ]);
  }
  const entry = property(name, value, indent, style);
  const comma = commaAfter(text, lastEnd);
  if (comma >= 0) {
    // Trailing-comma style: add a whole line after it, with its own trailing comma.
    const lineEnd = blankRestOfLine(text, comma + 1) ?? endOfTrailingLineComment(text, comma + 1);
    if (lineEnd !== undefined && lineEnd <= closeAt) {
      const at = text.slice(0, lineEnd).replace(/\r?\n$/, '').length;
      return applyEdits(text, [{ offset: at, length: 0, content: `${style.eol}${indent}${entry},` }]);
    }
    return applyEdits(text, [{ offset: comma + 1, length: 0, content: `${style.eol}${indent}${entry},` }]);
  }
  // A comma right after the last value, our line after the end of its line (its trailing comment stays with it).
  const lineEnd = blankRestOfLine(text, lastEnd) ?? endOfTrailingLineComment(text, lastEnd);
  const at =
    lineEnd === undefined || lineEnd > closeAt
      ? lastEnd
      : text.slice(0, lineEnd).replace(/\r?\n$/, '').length;
  return applyEdits(text, [
    { offset: lastEnd, length: 0, content: ',' },
    { offset: at, length: 0, content: `${style.eol}${indent}${entry}` },
  ]);
}

/** Remove one property node from its object, with its comma and, when it sits on lines of its own, those lines. */
function removeProperty(doc: ParsedDoc, obj: Node, prop: Node): string {
  const { text } = doc;
  const props = obj.children ?? [];
  const index = props.indexOf(prop);
  const previous = index > 0 ? props[index - 1] : undefined;
  const end = prop.offset + prop.length;
  const edits: Edit[] = [];
  const comma = commaAfter(text, end);
  let removeEnd = end;
  if (comma >= 0) removeEnd = comma + 1;
  else if (previous) {
    // The last property: the comma that separated it from the one before goes with it.
    const before = commaAfter(text, previous.offset + previous.length);
    if (before >= 0) edits.push({ offset: before, length: 1, content: '' });
  }
  let removeStart = prop.offset;
  const indent = leadingIndent(text, prop.offset);
  const lineEnd = blankRestOfLine(text, removeEnd);
  if (indent !== undefined && lineEnd !== undefined && /\n$/.test(text.slice(0, lineEnd))) {
    removeStart = prop.offset - indent.length;
    removeEnd = lineEnd;
  } else {
    // Inline: take the blanks before it too, so `{"a": 1, "b": 2}` loses `, "b": 2` cleanly.
    while (removeStart > 0 && /[ \t]/.test(text.charAt(removeStart - 1))) removeStart--;
  }
  edits.push({ offset: removeStart, length: removeEnd - removeStart, content: '' });
  let out = applyEdits(text, edits);
  // `{ "portico-admin": … }` → `{}` when nothing but blanks is left inside.
  const reparsed = parseTree(out, [], { allowTrailingComma: true });
  const container = reparsed ? findObjectAt(reparsed, obj.offset) : undefined;
  if (container && (container.children ?? []).length === 0) {
    const inner = out.slice(container.offset + 1, container.offset + container.length - 1);
    if (/^\s*$/.test(inner))
      out = `${out.slice(0, container.offset + 1)}${out.slice(container.offset + container.length - 1)}`;
  }
  return out;
}

function findObjectAt(node: Node, offset: number): Node | undefined {
  if (node.offset === offset && node.type === 'object') return node;
  for (const child of node.children ?? []) {
    if (offset >= child.offset && offset < child.offset + child.length) return findObjectAt(child, offset);
  }
  return undefined;
}

export type MapLookup =
  | { kind: 'missing' }
  | { kind: 'object'; node: Node }
  | { kind: 'invalid'; type: string };

/** The servers map (`mcpServers`, `servers`) under the root object. */
export function serversMap(doc: ParsedDoc, rootKey: string): MapLookup {
  if (!doc.root) return { kind: 'missing' };
  const props = propertiesOf(doc.root).filter((p) => p.name === rootKey);
  const last = props[props.length - 1];
  if (!last) return { kind: 'missing' };
  if (last.value.type !== 'object') return { kind: 'invalid', type: last.value.type };
  return { kind: 'object', node: last.value };
}

/** The document text with `name` set to `value` under `rootKey`; everything else byte-for-byte. */
export function setEntry(doc: ParsedDoc, rootKey: string, name: string, value: JsonObject): string {
  if (!doc.root) return `${JSON.stringify({ [rootKey]: { [name]: value } }, null, 2)}\n`;
  let current = doc;
  // Duplicates of our name (hand edits): keep only the last, which is the one clients read.
  for (;;) {
    const map = serversMap(current, rootKey);
    if (map.kind !== 'object') break;
    const same = propertiesOf(map.node).filter((p) => p.name === name);
    const first = same[0];
    if (same.length < 2 || !first) break;
    current = reparse(current, removeProperty(current, map.node, first.node));
  }
  const style = detectStyle(current);
  const map = serversMap(current, rootKey);
  const root = current.root as Node;
  let text: string;
  if (map.kind === 'missing') text = insertProperty(current, root, rootKey, { [name]: value }, style);
  else if (map.kind === 'invalid') throw new Error(`"${rootKey}" is ${map.type}, not an object`);
  else {
    const existing = propertiesOf(map.node).find((p) => p.name === name);
    if (!existing) text = insertProperty(current, map.node, name, value, style);
    else {
      const indent =
        leadingIndent(current.text, existing.node.offset) ?? lineIndent(current.text, existing.node.offset);
      text = applyEdits(current.text, [
        {
          offset: existing.value.offset,
          length: existing.value.length,
          content: render(value, indent, style),
        },
      ]);
    }
  }
  return (doc.bom ? '\uFEFF' : '') + text;
}

/** The document text without the named entries under `rootKey`; everything else byte-for-byte. */
export function removeEntries(doc: ParsedDoc, rootKey: string, names: ReadonlySet<string>): string {
  let current = doc;
  for (;;) {
    const map = serversMap(current, rootKey);
    if (map.kind !== 'object') break;
    const target = propertiesOf(map.node).find((p) => names.has(p.name));
    if (!target) break;
    current = reparse(current, removeProperty(current, map.node, target.node));
  }
  return (doc.bom ? '\uFEFF' : '') + current.text;
}

function reparse(doc: ParsedDoc, text: string): ParsedDoc {
  const parsed = parseDoc(text);
  if (!parsed.ok) throw new Error(`internal edit produced invalid JSON (${parsed.error.code})`);
  return { ...parsed.doc, bom: doc.bom };
}
