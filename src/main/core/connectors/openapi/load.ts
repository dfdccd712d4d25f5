import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { dereference, validate } from '@readme/openapi-parser';
import YAML from 'yaml';
import { defaultDataDir } from '../../util/paths';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_DOCUMENT_BYTES,
  fetchLimited,
  MAX_REDIRECTS,
  type ReadLimits,
  readFileLimited,
  reasonOf,
  tooLarge,
} from './fetch';
import { type DocumentScope, dataDirHolding, ReferencePolicy, realDirs } from './refs';
import { errorMessage, isObject, type Json, OpenApiImportError, pointer, refsIn } from './util';

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
  /** Where the document came from when it was fetched (after redirects), to resolve relative server URLs. */
  specUrl?: string;
  warnings: string[];
}

export interface LoadOptions {
  /** How long one document (the main one, or one it references by URL) may take; default 15 s. */
  fetchTimeoutMs?: number;
  /** The most one document (the main one, and each it references) may hold; default 25 MB. */
  maxDocumentBytes?: number;
  /**
   * Folders file references never reach, such as the server's data dir. A folder that holds a Portico
   * data dir's files (secret.key, portico.db, …) is refused without being listed here.
   */
  protectedDirs?: readonly string[];
}

const MAX_VALIDATION_WARNINGS = 5;

/**
 * Reads, parses and dereferences an OpenAPI/Swagger document from any of the supported sources.
 * External `$ref`s resolve only as ReferencePolicy allows (refs.ts), each read bounded.
 */
export async function loadSpec(source: OpenApiSource, options: LoadOptions = {}): Promise<LoadedSpec> {
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
  const limits: ReadLimits = {
    maxBytes: positive(options.maxDocumentBytes) ?? DEFAULT_MAX_DOCUMENT_BYTES,
    timeoutMs: positive(options.fetchTimeoutMs) ?? DEFAULT_FETCH_TIMEOUT_MS,
  };

  let doc: Json;
  let scope: DocumentScope;
  let specUrl: string | undefined;
  if (given[0] === 'specPath') {
    const filePath = path.resolve(String(source.specPath));
    await refuseDataDir(filePath, options.protectedDirs ?? []);
    doc = parseText(await readSpecFile(filePath, limits), filePath);
    scope = { kind: 'file', file: filePath };
  } else if (given[0] === 'specUrl') {
    const fetched = await fetchSpec(String(source.specUrl), limits);
    doc = parseText(fetched.text, String(source.specUrl));
    specUrl = fetched.url;
    scope = { kind: 'url', url: fetched.url };
  } else if (typeof source.spec === 'string') {
    doc = parseText(source.spec, 'the spec text');
    scope = { kind: 'inline' };
  } else {
    if (!isObject(source.spec)) {
      throw new OpenApiImportError('spec must be an OpenAPI document: an object, or its JSON or YAML text.');
    }
    try {
      doc = structuredClone(source.spec); // the parser dereferences in place; never touch the caller's object
    } catch (err) {
      throw new OpenApiImportError(`spec is not plain JSON data: ${errorMessage(err)}`);
    }
    scope = { kind: 'inline' };
  }

  const version = detectVersion(doc);
  checkLocalRefs(doc);
  const refs = new ReferencePolicy(scope, doc, limits, options.protectedDirs);
  // The parser reads the main document through the policy too (already parsed: it is not read
  // again), so relative references resolve against its path or URL.
  const api = refs.location ?? doc;
  refs.serveRoot(() => structuredClone(doc));
  const warnings = await validationWarnings(api === doc ? structuredClone(doc) : api, refs);
  refs.serveRoot(() => doc);

  let resolved: unknown;
  try {
    resolved = await dereference(api as never, {
      resolve: refs.resolveOptions() as never,
      dereference: { circular: true },
      timeoutMs: 30_000,
    });
  } catch (err) {
    if (refs.failure) throw refs.failure;
    const at = isObject(err) && typeof err.path === 'string' && err.path ? ` (at ${err.path})` : '';
    throw new OpenApiImportError(`Cannot resolve the document's $refs: ${errorMessage(err)}${at}`, {
      cause: err,
    });
  }
  if (!isObject(resolved)) throw new OpenApiImportError('The document did not parse to an object.');
  return { doc: resolved, version, specUrl, warnings };
}

const positive = (n: number | undefined): number | undefined =>
  typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;

/** A document is never read from a Portico data dir: what is there is the server's, not an API's. */
async function refuseDataDir(filePath: string, protectedDirs: readonly string[]): Promise<void> {
  const real = await realpath(filePath).catch(() => filePath);
  const dir = await dataDirHolding(
    real,
    path.dirname(real),
    await realDirs([...protectedDirs, defaultDataDir()]),
  );
  if (dir !== null)
    throw new OpenApiImportError(
      `The OpenAPI file ${filePath} is refused: it lies in a Portico data dir (${dir}), which documents are never read from.`,
    );
}

/** The main file, read up to the limit. */
async function readSpecFile(filePath: string, limits: ReadLimits): Promise<string> {
  let body: Buffer | null;
  try {
    const info = await stat(filePath);
    if (info.isFile() && info.size > limits.maxBytes)
      throw tooLarge(`The OpenAPI file ${filePath}`, limits.maxBytes, info.size);
    body = await readFileLimited(filePath, limits.maxBytes);
  } catch (err) {
    if (err instanceof OpenApiImportError) throw err;
    throw new OpenApiImportError(`Cannot read the OpenAPI file ${filePath}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (body === null) throw tooLarge(`The OpenAPI file ${filePath}`, limits.maxBytes);
  return new TextDecoder().decode(body);
}

/** The main document by URL: redirects followed (up to 5, http(s) only), the body read up to the limit. */
async function fetchSpec(url: string, limits: ReadLimits): Promise<{ text: string; url: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OpenApiImportError(`specUrl "${url}" is not a valid URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OpenApiImportError(`specUrl "${url}" must be an http(s) URL (use specPath for a local file).`);
  }
  for (let hop = 0; ; hop++) {
    let outcome: Awaited<ReturnType<typeof fetchLimited>>;
    try {
      outcome = await fetchLimited(parsed, limits, { redirect: 'manual' });
    } catch (err) {
      throw new OpenApiImportError(
        `Could not fetch the OpenAPI document from ${url}: ${reasonOf(err, limits.timeoutMs)}`,
        { cause: err },
      );
    }
    if (outcome.kind === 'body') {
      parsed.hash = '';
      return { text: new TextDecoder().decode(outcome.body), url: parsed.href };
    }
    if (outcome.kind === 'too-large')
      throw tooLarge(`The document at ${url}`, limits.maxBytes, outcome.declared);
    if (outcome.kind === 'status')
      throw new OpenApiImportError(
        `Could not fetch the OpenAPI document from ${url}: HTTP ${outcome.status} ${outcome.statusText}`.trimEnd(),
      );
    let next: URL | undefined;
    try {
      next = new URL(outcome.location, parsed);
    } catch {
      next = undefined;
    }
    if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:'))
      throw new OpenApiImportError(
        `Could not fetch the OpenAPI document from ${url}: HTTP ${outcome.status} redirects to a location that is not an http(s) URL.`,
      );
    if (hop >= MAX_REDIRECTS)
      throw new OpenApiImportError(
        `Could not fetch the OpenAPI document from ${url}: more than ${MAX_REDIRECTS} redirects.`,
      );
    parsed = next;
  }
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
 * Walks the main document's local `$ref`s ("#/…") before the parser does, so a broken one is
 * reported with where it is. External references are the resolver's to allow or refuse (refs.ts).
 */
function checkLocalRefs(doc: Json): void {
  for (const { ref, at } of refsIn(doc)) {
    if (!ref.startsWith('#')) continue;
    const problem = resolvePointer(doc, ref);
    if (problem)
      throw new OpenApiImportError(`Unresolvable $ref "${ref}" at ${pointer([...at, '$ref'])}: ${problem}.`);
  }
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
async function validationWarnings(api: Json | string, refs: ReferencePolicy): Promise<string[]> {
  try {
    const result = await validate(api as never, {
      resolve: refs.resolveOptions() as never,
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
