import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => void;

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, validateSchema: false });
addFormats(ajv);

/** Compiled validators, one per schema object (schemas are immutable snapshots of the store). */
const cache = new WeakMap<object, ValidateFunction | null>();

function compile(schema: object): ValidateFunction | null {
  if (cache.has(schema)) return cache.get(schema) ?? null;
  let fn: ValidateFunction | null = null;
  try {
    fn = ajv.compile(schema);
  } catch {
    // An upstream schema ajv can't compile is passed through unvalidated rather than blocking the tool.
    fn = null;
  }
  cache.set(schema, fn);
  return fn;
}

function describe(error: ErrorObject): string {
  const field = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '';
  if (error.keyword === 'required')
    return `missing required argument \`${[field, error.params.missingProperty].filter(Boolean).join('.')}\``;
  if (error.keyword === 'additionalProperties')
    return `unexpected argument \`${[field, error.params.additionalProperty].filter(Boolean).join('.')}\``;
  if (error.keyword === 'enum')
    return `\`${field}\` must be one of ${JSON.stringify(error.params.allowedValues)}`;
  return `\`${field || 'arguments'}\` ${error.message ?? 'is invalid'}`;
}

/** Validates tool arguments against the tool's inputSchema; returns a message naming the fields, or null. */
export function validateArguments(schema: Record<string, unknown>, args: unknown): string | null {
  const fn = compile(schema);
  if (!fn || fn(args)) return null;
  const messages = [...new Set((fn.errors ?? []).slice(0, 5).map(describe))];
  return `Invalid arguments: ${messages.join('; ')}.`;
}
