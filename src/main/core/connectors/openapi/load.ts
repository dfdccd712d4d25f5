import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dereference, validate } from '@readme/openapi-parser';
import YAML from 'yaml';
import { errorMessage, isObject, type Json, OpenApiImportError, pointer } from './util';

export interface OpenApiSource {
  /** A parsed document, or its JSON/YAML text. */
  spec?: unknown;
  specPath?: string;
  specUrl?: string;
}

export interface LoadedSpec {
  /** The document with every `$ref` resolved (it may contain cycles). */
  doc: Json;
  version: 2 | 3;
  /** Where the document came from when it was fetched, to resolve relative server URLs. */
  specUrl?: string;
  warnings: string[];
}

const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
const MAX_SPEC_BYTES = 25 * 1024 * 1024;
const MAX_VALIDATION_WARNINGS = 5;

/** Reads, parses and dereferences an OpenAPI/Swagger document from any of the supported sources. */
export async function loadSpec(
  source: OpenApiSource,
  options: { fetchTimeoutMs?: number } = {},
): Promise<LoadedSpec> {
  const given = (['spec', 'specPath', 'specUrl'] as const).filter(
    (k) => source[k] !== undefined && source[k] !== null,
  );
  if (given.length !== 1) {
    throw new OpenApiImportError(
      given.length === 0
        ? 'No OpenAPI document given: pass one of spec (an object or JSON/YAML text), specPath or specUrl.'
        : `Pass only one of spec, specPath or specUrl (got ${given.join(', ')}).`,
    );
  }

  let doc: Json;
  let filePath: string | undefined;
  let specUrl: string | undefined;
  if (given[0] === 'specPath') {
    filePath = path.resolve(String(source.specPath));
    let text: string;
    try {
      text = await readFile(filePath, 'utf8');
    } catch (err) {
      throw new OpenApiImportError(`Cannot read the OpenAPI file ${filePath}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    doc = parseText(text, filePath);
  } else if (given[0] === 'specUrl') {
    specUrl = String(source.specUrl);
    doc = parseText(await fetchText(specUrl, options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS), specUrl);
  } else if (typeof source.spec === 'string') {
    doc = parseText(source.spec, 'the spec text');
  } else {
    if (!isObject(source.spec)) {
      throw new OpenApiImportError('spec must be an OpenAPI document: an object, or its JSON or YAML text.');
    }
    try {
      doc = structuredClone(source.spec); // the parser dereferences in place; never touch the caller's object
    } catch (err) {
      throw new OpenApiImportError(`spec is not plain JSON data: ${errorMessage(err)}`);
    }
  }

  const version = detectVersion(doc);
  const hasFileRefs = checkRefs(doc, filePath !== undefined);
  const warnings = await validationWarnings(hasFileRefs && filePath ? filePath : structuredClone(doc));

  let resolved: unknown;
  try {
    resolved = await dereference((hasFileRefs && filePath ? filePath : doc) as never, {
      resolve: {
        external: hasFileRefs,
        file: hasFileRefs,
        // Never fetch referenced documents over the network, whatever the source.
        http: { canRead: () => false } as never,
      },
      dereference: { circular: true },
      timeoutMs: 30_000,
    });
  } catch (err) {
    const at = isObject(err) && typeof err.path === 'string' && err.path ? ` (at ${err.path})` : '';
    throw new OpenApiImportError(`Cannot resolve the document's $refs: ${errorMessage(err)}${at}`, {
      cause: err,
    });
  }
  if (!isObject(resolved)) throw new OpenApiImportError('The document did not parse to an object.');
  return { doc: resolved, version, specUrl, warnings };
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OpenApiImportError(`specUrl "${url}" is not a valid URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OpenApiImportError(`specUrl "${url}" must be an http(s) URL (use specPath for a local file).`);
  }
  let res: Response;
  try {
    res = await fetch(parsed, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json, application/yaml, text/yaml, text/plain;q=0.9, */*;q=0.8' },
    });
  } catch (err) {
    const reason =
      isObject(err) && (err.name === 'TimeoutError' || err.name === 'AbortError')
        ? `no response within ${timeoutMs} ms`
        : networkReason(err);
    throw new OpenApiImportError(`Could not fetch the OpenAPI document from ${url}: ${reason}`, {
      cause: err,
    });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new OpenApiImportError(
      `Could not fetch the OpenAPI document from ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd(),
    );
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_SPEC_BYTES) {
    await res.body?.cancel().catch(() => {});
    throw new OpenApiImportError(
      `The document at ${url} is too large (${declared} bytes; the limit is ${MAX_SPEC_BYTES}).`,
    );
  }
  try {
    const text = await res.text();
    if (text.length > MAX_SPEC_BYTES) throw new Error(`larger than ${MAX_SPEC_BYTES} bytes`);
    return text;
  } catch (err) {
    throw new OpenApiImportError(`Could not read the OpenAPI document from ${url}: ${networkReason(err)}`, {
      cause: err,
    });
  }
}

/** undici wraps the real reason (ECONNREFUSED, ENOTFOUND, …) in `cause`. */
function networkReason(err: unknown): string {
  const cause = isObject(err) ? err.cause : undefined;
  if (isObject(cause)) {
    const code = typeof cause.code === 'string' ? cause.code : '';
    const msg = typeof cause.message === 'string' ? cause.message : '';
    if (code || msg) return msg.includes(code) ? msg : `${code} ${msg}`.trim();
  }
  return errorMessage(err);
}

/** Parses JSON or YAML text; errors carry the line and column. */
export function parseText(raw: string, label: string): Json {
  const text = raw.replace(/^\uFEFF/, '');
  if (text.trim() === '')
    throw new OpenApiImportError(`${label} is empty: expected an OpenAPI document in JSON or YAML.`);
  let value: unknown;
  const looksJson = /^\s*[[{]/.test(text);
  let jsonError: unknown;
  if (looksJson) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      jsonError = err; // YAML (a superset) may still read it, e.g. with trailing commas
    }
  }
  if (!looksJson || jsonError) {
    const parsed = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: false });
    const yamlError = parsed.errors[0];
    if (yamlError && jsonError)
      throw new OpenApiImportError(`${label} is not valid JSON${jsonWhere(text, jsonError)}`);
    if (yamlError) {
      const pos = yamlError.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const msg = (yamlError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new OpenApiImportError(`${label} is not valid YAML${where}: ${msg}`);
    }
    try {
      value = parsed.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      throw new OpenApiImportError(`${label} could not be read as YAML: ${errorMessage(err)}`);
    }
  }
  if (!isObject(value)) {
    const got = Array.isArray(value) ? 'a list' : value === null ? 'empty' : `a ${typeof value}`;
    throw new OpenApiImportError(
      `${label} is not an OpenAPI document: its top level is ${got}, expected an object.`,
    );
  }
  return value;
}

/** " at line L, column C: reason" from V8's "… in JSON at position N". */
function jsonWhere(text: string, err: unknown): string {
  const message = errorMessage(err);
  const position = /at position (\d+)/.exec(message)?.[1];
  const reason = message
    .replace(/\s*in JSON at position \d+.*$/, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '');
  if (position === undefined) return `: ${reason}`;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}: ${reason}`;
}

function detectVersion(doc: Json): 2 | 3 {
  const swagger = doc.swagger;
  const openapi = doc.openapi;
  if (swagger !== undefined) {
    if (String(swagger) === '2.0' || swagger === 2) return 2;
    throw new OpenApiImportError(
      `Unsupported Swagger version ${JSON.stringify(swagger)} at /swagger: only Swagger 2.0 and OpenAPI 3.x are supported.`,
    );
  }
  if (openapi !== undefined) {
    if (typeof openapi === 'string' && /^3\.\d+/.test(openapi)) return 3;
    throw new OpenApiImportError(
      `Unsupported OpenAPI version ${JSON.stringify(openapi)} at /openapi: expected a string like "3.0.3" or "3.1.0".`,
    );
  }
  const keys = Object.keys(doc).slice(0, 5).join(', ');
  throw new OpenApiImportError(
    `Not an OpenAPI document: no top-level "openapi" (3.x) or "swagger" (2.0) field at / (found: ${keys || 'nothing'}).`,
  );
}

/**
 * Walks every `$ref` before the parser does, so a broken one is reported with where it is.
 * Internal refs must resolve; external ones are only allowed (as relative files) for a local file.
 * Returns whether there are external file refs to resolve.
 */
function checkRefs(doc: Json, allowFiles: boolean): boolean {
  let external = false;
  const seen = new Set<object>();
  const stack: { value: unknown; at: (string | number)[] }[] = [{ value: doc, at: [] }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || typeof item.value !== 'object' || item.value === null || seen.has(item.value)) continue;
    seen.add(item.value);
    if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => {
        stack.push({ value: v, at: [...item.at, i] });
      });
      continue;
    }
    const obj = item.value as Json;
    const ref = obj.$ref;
    if (typeof ref === 'string') {
      const at = pointer([...item.at, '$ref']);
      if (ref.startsWith('#')) {
        const problem = resolvePointer(doc, ref);
        if (problem) throw new OpenApiImportError(`Unresolvable $ref "${ref}" at ${at}: ${problem}.`);
      } else if (!allowFiles || /^[a-z][a-z0-9+.-]*:/i.test(ref)) {
        throw new OpenApiImportError(
          `External $ref "${ref}" at ${at} is not supported ${allowFiles ? 'for remote documents' : 'for an inline or fetched document'}: Portico resolves only references inside the document${allowFiles ? ' and relative files beside it' : ''}. Bundle the spec into one file first (for example with \`redocly bundle\`).`,
        );
      } else {
        external = true;
      }
    }
    for (const [k, v] of Object.entries(obj))
      if (typeof v === 'object' && v !== null) stack.push({ value: v, at: [...item.at, k] });
  }
  return external;
}

/** Returns why a `#/...` pointer does not resolve in `doc`, or null when it does. */
function resolvePointer(doc: Json, ref: string): string | null {
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return 'the pointer is not valid URI encoding';
  }
  if (fragment === '') return null;
  if (!fragment.startsWith('/')) return 'only JSON-pointer references ("#/…") are supported';
  let node: unknown = doc;
  for (const raw of fragment.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, token)) {
      return `"${token}" does not exist there`;
    }
    node = (node as Json)[token];
  }
  return null;
}

/** The parser's own validation, reported as warnings: real specs often break a rule yet import fine. */
async function validationWarnings(api: Json | string): Promise<string[]> {
  try {
    const result = await validate(api as never, {
      resolve: { http: { canRead: () => false } as never },
      validate: { errors: { colorize: false } },
    });
    if (result.valid) return [];
    const messages = result.errors.map((e) => `Spec validation: ${compactValidationMessage(e.message)}`);
    const extra = messages.length - MAX_VALIDATION_WARNINGS + result.additionalErrors;
    const out = messages.slice(0, MAX_VALIDATION_WARNINGS);
    if (extra > 0) out.push(`Spec validation: ${extra} more issue(s) not shown.`);
    return out;
  } catch {
    return []; // dereferencing reports real problems next, with a better message
  }
}

/** The parser's messages carry a code frame of a re-serialised document; keep its first line and the marked spot. */
function compactValidationMessage(message: string): string {
  const lines = message.split('\n');
  const head = (lines[0] ?? '').trim();
  const marked = lines.find((l) => /^>\s*\d+\s*\|/.test(l));
  if (!marked) return head;
  const near = marked.replace(/^>\s*\d+\s*\|\s?/, '').trim();
  const hint = lines
    .find((l) => /^\s*\|\s*\^/.test(l))
    ?.replace(/^\s*\|\s*\^+\s*/, '')
    .trim();
  return `${head} (near \`${near}\`${hint ? ` — ${hint}` : ''})`;
}
