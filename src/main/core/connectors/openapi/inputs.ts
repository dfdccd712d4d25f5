/** An operation's parameters and request body → one tool inputSchema plus the HTTP mapping to rebuild the request. */
import type { HttpMapping } from '../../store/schema';
import type { ImportedAuth } from './auth';
import { isValidPropertyName, propertyName } from './names';
import { convertSchema, isFlattenableObject, type SchemaContext } from './schema';
import { asObject, asString, isObject, type Json } from './util';

type Location = 'path' | 'query' | 'header' | 'cookie';
const LOCATIONS: Location[] = ['path', 'query', 'header', 'cookie'];
type MappedParam = HttpMapping['params'][number];
type MappedBody = NonNullable<HttpMapping['body']>;

interface Param {
  name: string;
  in: Location;
  required: boolean;
  schema: Json;
  style?: string;
  explode?: boolean;
}

export interface InputNotes {
  /** Parameters left out because the connection's credentials supply them, by name. */
  credentialParams: Map<string, number>;
  undeclaredPathParams: string[];
}

export interface OperationInputs {
  inputSchema: Json;
  params: MappedParam[];
  body?: MappedBody;
}

export interface InputContext {
  version: 2 | 3;
  doc: Json;
  auth: ImportedAuth | null;
  notes: InputNotes;
  schemas: SchemaContext;
}

const IGNORED_HEADERS = new Set(['accept', 'content-type']);
const SWAGGER_PARAM_EXTRAS = new Set([
  'name',
  'in',
  'required',
  'description',
  'allowEmptyValue',
  'collectionFormat',
]);

/** OpenAPI says Authorization/Accept/Content-Type header params are ignored; api-key params are the credential. */
function isCredential(p: Json, auth: ImportedAuth | null): boolean {
  const name = (asString(p.name) ?? '').toLowerCase();
  const where = asString(p.in);
  if (where === 'header' && name === 'authorization') return true;
  if (!auth) return false;
  if (auth.scheme === 'api_key' && where === auth.in) {
    return where === 'header' ? name === auth.name?.toLowerCase() : p.name === auth.name;
  }
  // A token parameter duplicating OAuth/bearer auth (e.g. Slack's `token`): the connection sends it instead.
  return (
    (auth.scheme === 'oauth2' || auth.scheme === 'bearer') && (name === 'token' || name === 'access_token')
  );
}

export function buildInputs(
  method: string,
  path: string,
  pathItem: Json,
  op: Json,
  ctx: InputContext,
): OperationInputs {
  const raw = new Map<string, Json>();
  for (const list of [pathItem.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const p of list)
      if (isObject(p) && typeof p.name === 'string') raw.set(`${String(p.in)}:${p.name}`, p);
  }

  const params: Param[] = [];
  let bodyParam: Json | undefined;
  const formParams: Json[] = [];
  for (const p of raw.values()) {
    const where = asString(p.in);
    const name = p.name as string;
    if (where === 'body') bodyParam = p;
    else if (isCredential(p, ctx.auth)) {
      ctx.notes.credentialParams.set(name, (ctx.notes.credentialParams.get(name) ?? 0) + 1);
    } else if (where === 'formData') formParams.push(p);
    else if (where === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) continue;
    else if (where && (LOCATIONS as string[]).includes(where))
      params.push(toParam(p, where as Location, ctx));
  }
  for (const m of path.matchAll(/\{([^}]+)\}/g)) {
    const name = m[1] ?? '';
    if (name && !params.some((p) => p.in === 'path' && p.name === name)) {
      ctx.notes.undeclaredPathParams.push(`${method} ${path}: {${name}}`);
      params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  }

  // Argument names: path, then query, header, cookie; a repeat gets its location appended.
  const used = new Set<string>();
  const claim = (wire: string, where: string): string => {
    let arg = propertyName(wire);
    if (used.has(arg)) arg = propertyName(`${wire}_${where}`);
    for (let n = 2; used.has(arg); n++) arg = propertyName(`${wire}_${where}_${n}`);
    used.add(arg);
    return arg;
  };
  const ordered = LOCATIONS.flatMap((loc) => params.filter((p) => p.in === loc));
  const args = ordered.map((p) => claim(p.name, p.in));

  const body = bodyOf(bodyParam, formParams, op, ctx);
  let flatten = false;
  if (body) {
    const props = isFlattenableObject(body.schema) ? Object.keys(body.schema.properties as Json) : [];
    flatten =
      props.length > 0 &&
      /json|x-www-form-urlencoded|multipart\/form-data/i.test(body.contentType) &&
      props.every((name) => isValidPropertyName(name) && !used.has(name));
    if (!flatten && used.has('body')) {
      const i = args.indexOf('body');
      const p = ordered[i];
      if (p) {
        used.delete('body');
        args[i] = claim(`${p.name}_${p.in}`, p.in);
      }
    }
  }

  const properties: Json = {};
  const required: string[] = [];
  const mapped: MappedParam[] = ordered.map((p, i) => {
    const arg = args[i] ?? p.name;
    properties[arg] = p.schema;
    if (p.required) required.push(arg);
    return {
      name: p.name,
      in: p.in,
      ...(arg !== p.name ? { arg } : {}),
      required: p.required,
      ...(p.style !== undefined ? { style: p.style } : {}),
      ...(p.explode !== undefined ? { explode: p.explode } : {}),
    };
  });

  let mappedBody: MappedBody | undefined;
  if (body) {
    if (flatten) {
      const props = body.schema.properties as Json;
      Object.assign(properties, props);
      for (const r of body.requiredProps) if (r in props) required.push(r);
      mappedBody = {
        contentType: body.contentType,
        mode: 'flatten',
        properties: Object.keys(props),
        required: body.required,
      };
    } else {
      const schema = { ...body.schema };
      if (body.description && schema.description === undefined) schema.description = body.description;
      properties.body = schema;
      if (body.required) required.push('body');
      mappedBody = { contentType: body.contentType, mode: 'wrap', properties: [], required: body.required };
    }
  }

  const inputSchema: Json = { type: 'object', properties };
  if (required.length > 0) inputSchema.required = [...new Set(required)];
  return { inputSchema, params: mapped, ...(mappedBody ? { body: mappedBody } : {}) };
}

function toParam(p: Json, where: Location, ctx: InputContext): Param {
  let source: unknown;
  if (ctx.version === 2) {
    source = Object.fromEntries(Object.entries(p).filter(([k]) => !SWAGGER_PARAM_EXTRAS.has(k)));
  } else {
    source = p.schema ?? Object.values(asObject(p.content)).map((m) => asObject(m).schema)[0];
  }
  const schema = convertSchema(source ?? { type: 'string' }, ctx.schemas);
  if (typeof p.description === 'string' && p.description.trim()) schema.description = p.description.trim();
  if (p.deprecated === true) schema.deprecated = true;
  if (p.example !== undefined && schema.examples === undefined) schema.examples = [p.example];
  const param: Param = {
    name: p.name as string,
    in: where,
    required: where === 'path' || p.required === true,
    schema,
  };
  if (ctx.version === 3) {
    if (typeof p.style === 'string') param.style = p.style;
    if (typeof p.explode === 'boolean') param.explode = p.explode;
  } else if (p.type === 'array') {
    const format = asString(p.collectionFormat) ?? 'csv';
    param.explode = format === 'multi';
    const style = { ssv: 'spaceDelimited', pipes: 'pipeDelimited', tsv: 'tabDelimited' }[format];
    if (style) param.style = style;
  }
  return param;
}

interface Body {
  contentType: string;
  schema: Json;
  required: boolean;
  /** Body properties that become required arguments when flattened. */
  requiredProps: string[];
  description?: string;
}

/** application/json first, then other JSON, form-urlencoded, multipart, anything else. */
export function pickMediaType(types: string[]): string | undefined {
  const rank = (t: string) => {
    const base = (t.split(';')[0] ?? '').trim().toLowerCase();
    if (base === 'application/json') return 0;
    if (/[/+]json$/.test(base)) return 1;
    if (base === 'application/x-www-form-urlencoded') return 2;
    if (base === 'multipart/form-data') return 3;
    return 4;
  };
  return [...types].sort((a, b) => rank(a) - rank(b))[0];
}

function bodyOf(
  bodyParam: Json | undefined,
  formParams: Json[],
  op: Json,
  ctx: InputContext,
): Body | undefined {
  if (ctx.version === 3) {
    const rb = asObject(op.requestBody);
    const content = asObject(rb.content);
    const contentType = pickMediaType(Object.keys(content));
    if (!contentType) return undefined;
    const schema = convertSchema(asObject(content[contentType]).schema, ctx.schemas);
    const required = rb.required === true;
    return {
      contentType,
      schema,
      required,
      requiredProps: required && Array.isArray(schema.required) ? (schema.required as string[]) : [],
      ...(typeof rb.description === 'string' ? { description: rb.description } : {}),
    };
  }
  const consumes = (
    Array.isArray(op.consumes) ? op.consumes : Array.isArray(ctx.doc.consumes) ? ctx.doc.consumes : []
  ).filter((c): c is string => typeof c === 'string');
  if (bodyParam) {
    const schema = convertSchema(bodyParam.schema, ctx.schemas);
    const required = bodyParam.required === true;
    const jsonish = consumes.filter((c) => !/x-www-form-urlencoded|multipart\/form-data/i.test(c));
    return {
      contentType: pickMediaType(jsonish) ?? 'application/json',
      schema,
      required,
      requiredProps: required && Array.isArray(schema.required) ? (schema.required as string[]) : [],
      ...(typeof bodyParam.description === 'string' ? { description: bodyParam.description } : {}),
    };
  }
  if (formParams.length === 0) return undefined;
  const properties: Json = {};
  const requiredProps: string[] = [];
  for (const p of formParams) {
    const name = p.name as string;
    properties[name] = toParam(p, 'query', ctx).schema;
    if (p.required === true) requiredProps.push(name);
  }
  const hasFile = formParams.some((p) => p.type === 'file');
  const urlencoded = consumes.some((c) => /x-www-form-urlencoded/i.test(c));
  const multipart = consumes.some((c) => /multipart\/form-data/i.test(c));
  const contentType =
    hasFile || (multipart && !urlencoded) ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
  const schema: Json = { type: 'object', properties };
  if (requiredProps.length > 0) schema.required = requiredProps;
  return { contentType, schema, required: requiredProps.length > 0, requiredProps };
}
