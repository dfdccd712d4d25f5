import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { coerceScalars, pointerPath, type ScalarFix } from '../../../shared/schemas/coerce';

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

const message = (errors: readonly ErrorObject[]) =>
  `Invalid arguments: ${[...new Set(errors.slice(0, 5).map(describe))].join('; ')}.`;

/** Validates tool arguments against the tool's inputSchema; returns a message naming the fields, or null. */
export function validateArguments(schema: Record<string, unknown>, args: unknown): string | null {
  const fn = compile(schema);
  if (!fn || fn(args)) return null;
  return message(fn.errors ?? []);
}

/** The values ajv found of the wrong scalar type, as fixes to try (coerce.ts decides what is obvious). */
function scalarFixes(errors: readonly ErrorObject[]): ScalarFix[] {
  const fixes: ScalarFix[] = [];
  for (const error of errors) {
    const path = pointerPath(error.instancePath);
    if (error.keyword === 'type') {
      const { type } = error.params as { type?: unknown };
      const expected = Array.isArray(type) ? type.map(String) : String(type ?? '').split(',');
      fixes.push({ path, expected });
    } else if (error.keyword === 'enum') {
      const { allowedValues } = error.params as { allowedValues?: unknown };
      if (Array.isArray(allowedValues) && allowedValues.every((v) => typeof v === 'string'))
        fixes.push({ path, expected: ['string'], allowed: allowedValues });
    }
  }
  return fixes;
}

/**
 * Validates a call's arguments against the tool's inputSchema, first fixing obviously-typed
 * scalars (`2` for a string, `"true"` for a boolean, `"5"` for an integer — as MCP Inspector's form
 * sends them): the arguments to send upstream, or a message naming the fields.
 */
export function checkArguments(
  schema: Record<string, unknown>,
  args: Record<string, unknown>,
): { args: Record<string, unknown> } | { error: string } {
  const fn = compile(schema);
  if (!fn || fn(args)) return { args };
  const errors = fn.errors ?? [];
  const coerced = coerceScalars(args, scalarFixes(errors));
  if (coerced !== args && fn(coerced)) return { args: coerced };
  return { error: message(coerced === args ? errors : (fn.errors ?? errors)) };
}
