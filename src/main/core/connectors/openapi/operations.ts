/** Each OpenAPI operation → one Portico action. */
import type { Action, HttpMapping } from '../../store/schema';
import type { ImportedAuth } from './auth';
import { buildInputs, type InputNotes, pickMediaType } from './inputs';
import { NameAllocator, nameFromRoute, snakeCase } from './names';
import { asObjectSchema, convertSchema, schemaContext } from './schema';
import { asObject, asString, bound, isObject, type Json } from './util';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
const UNSUPPORTED_METHODS = ['trace', 'query'];
const MAX_DESCRIPTION = 1000;
const MAX_TITLE = 120;

export interface RawOperation {
  method: (typeof METHODS)[number];
  path: string;
  pathItem: Json;
  op: Json;
}

/** Operations in document order: paths as written, methods in a fixed order. */
export function collectOperations(doc: Json, warnings: string[]): RawOperation[] {
  const out: RawOperation[] = [];
  const skipped: string[] = [];
  for (const [path, item] of Object.entries(asObject(doc.paths))) {
    if (path.startsWith('x-') || !isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObject(op)) out.push({ method, path, pathItem: item, op });
    }
    for (const method of UNSUPPORTED_METHODS)
      if (isObject(item[method])) skipped.push(`${method.toUpperCase()} ${path}`);
  }
  if (skipped.length > 0)
    warnings.push(`Skipped operations with unsupported HTTP methods: ${skipped.join(', ')}.`);
  return out;
}

export interface ConvertContext {
  version: 2 | 3;
  doc: Json;
  auth: ImportedAuth | null;
  warnings: string[];
}

export function convertOperations(ops: RawOperation[], ctx: ConvertContext): Action[] {
  const names = new NameAllocator();
  const notes: InputNotes = { credentialParams: new Map(), undeclaredPathParams: [] };
  const truncated: string[] = [];
  const withCallbacks: string[] = [];
  const ownServers: string[] = [];

  const actions = ops.map(({ method, path, pathItem, op }) => {
    const operationId = asString(op.operationId);
    const name = names.take(snakeCase(operationId ?? '') || nameFromRoute(method, path));
    const input = schemaContext('input');
    const inputs = buildInputs(method.toUpperCase(), path, pathItem, op, {
      version: ctx.version,
      doc: ctx.doc,
      auth: ctx.auth,
      notes,
      schemas: input,
    });
    const output = schemaContext('output');
    const outputSchema = outputSchemaOf(op, ctx.version, output);
    if (input.truncated || output.truncated) truncated.push(name);
    if (isObject(op.callbacks) && Object.keys(op.callbacks).length > 0) withCallbacks.push(name);
    if (Array.isArray(op.servers) || Array.isArray(pathItem.servers)) ownServers.push(name);

    const upper = method.toUpperCase() as HttpMapping['method'];
    const summary = asString(op.summary)?.trim() ?? '';
    return {
      name,
      ...(summary ? { title: bound(summary, MAX_TITLE) } : {}),
      description: describe(op, upper, path),
      inputSchema: inputs.inputSchema,
      ...(outputSchema ? { outputSchema } : {}),
      annotations: {
        ...(upper === 'GET' || upper === 'HEAD' ? { readOnlyHint: true } : {}),
        ...(upper === 'DELETE' ? { destructiveHint: true } : {}),
        ...(upper === 'PUT' || upper === 'DELETE' ? { idempotentHint: true } : {}),
        openWorldHint: true,
      },
      enabled: true,
      http: { method: upper, path, params: inputs.params, ...(inputs.body ? { body: inputs.body } : {}) },
    } satisfies Action;
  });

  const list = (names: string[]) =>
    `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
  if (notes.credentialParams.size > 0) {
    const entries = [...notes.credentialParams].map(
      ([n, count]) => `"${n}" (${count} operation${count === 1 ? '' : 's'})`,
    );
    ctx.warnings.push(
      `Left out credential parameters that the connection's auth supplies: ${entries.join(', ')}.`,
    );
  }
  if (notes.undeclaredPathParams.length > 0) {
    ctx.warnings.push(
      `Path parameters used but not declared (added as required strings): ${list(notes.undeclaredPathParams)}.`,
    );
  }
  if (truncated.length > 0) {
    ctx.warnings.push(`Recursive or very large schemas were cut short in: ${list(truncated)}.`);
  }
  if (withCallbacks.length > 0) {
    ctx.warnings.push(
      `Callbacks are not imported (they are requests the API makes, not tools): ${list(withCallbacks)}.`,
    );
  }
  if (ownServers.length > 0) {
    ctx.warnings.push(
      `Some operations declare their own servers; they are imported against the connector's base URL: ${list(ownServers)}.`,
    );
  }
  return actions;
}

function describe(op: Json, method: string, path: string): string {
  const summary = asString(op.summary)?.trim() ?? '';
  const description = asString(op.description)?.trim() ?? '';
  let text =
    summary && description && !description.startsWith(summary)
      ? `${summary}\n\n${description}`
      : description || summary;
  if (!text) text = `${method} ${path}`;
  if (op.deprecated === true) text = `Deprecated. ${text}`;
  return bound(text, MAX_DESCRIPTION);
}

/** The 200, 201, then other 2xx JSON response schema, when it is an object (MCP output schemas must be). */
function outputSchemaOf(op: Json, version: 2 | 3, ctx: ReturnType<typeof schemaContext>): Json | undefined {
  const responses = asObject(op.responses);
  const codes = Object.keys(responses)
    .filter((c) => /^2(\d\d|XX)$/i.test(c))
    .sort((a, b) => rankCode(a) - rankCode(b));
  for (const code of codes) {
    const response = asObject(responses[code]);
    let schema: unknown;
    if (version === 2) {
      schema = response.schema;
    } else {
      const content = asObject(response.content);
      const json = pickMediaType(Object.keys(content).filter((t) => /json/i.test(t)));
      schema = json ? asObject(content[json]).schema : undefined;
    }
    if (schema === undefined) continue;
    return asObjectSchema(convertSchema(schema, ctx));
  }
  return undefined;
}

function rankCode(code: string): number {
  if (code === '200') return 0;
  if (code === '201') return 1;
  return /^\d+$/.test(code) ? Number(code) : 300;
}
