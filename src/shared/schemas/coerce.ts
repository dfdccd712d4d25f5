/**
 * Obvious scalar coercion for tool arguments, before validation: a client that sent `2` where the
 * schema says string (MCP Inspector's form does for `widgetId=2`), `"true"` where it says boolean or
 * `"5"` where it says integer meant the obvious value. Only scalar to scalar, only where the
 * validator reported that very value as the wrong type, never null, arrays or objects, and never
 * booleans to numbers; everything else stays an error. The caller's arguments are not changed: the
 * fixed ones are a copy, which is what goes upstream.
 */

/** Where a value is, as the validator reports it: property names and array indexes. */
export type ValuePath = readonly (string | number)[];

export interface ScalarFix {
  path: ValuePath;
  /** The JSON types the schema wanted there ("integer", "number", "string", "boolean"; zod's "int" too). */
  expected: readonly string[];
  /** For an enum of strings: its values (a number or boolean is coerced only to one of them). */
  allowed?: readonly unknown[];
}

const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NO_FIX: unique symbol = Symbol('no fix');

function coerceScalar(value: unknown, fix: ScalarFix): unknown {
  if (fix.allowed) {
    if (typeof value !== 'number' && typeof value !== 'boolean') return NO_FIX;
    const text = String(value);
    return fix.allowed.includes(text) ? text : NO_FIX;
  }
  for (const type of fix.expected) {
    if (
      type === 'string' &&
      ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    )
      return String(value);
    if (typeof value !== 'string') continue;
    const text = value.trim();
    if ((type === 'integer' || type === 'int' || type === 'number') && NUMERIC.test(text)) {
      const n = Number(text);
      if (type === 'number' ? Number.isFinite(n) : Number.isSafeInteger(n)) return n;
    }
    if (type === 'boolean' && /^(?:true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  }
  return NO_FIX;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(root: unknown, path: ValuePath): unknown {
  let node = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (Array.isArray(node) && typeof key === 'string' && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isRecord(node) && Object.hasOwn(node, String(key))) node = node[String(key)];
    else return undefined;
  }
  return node;
}

/** `root` with the value at `path` replaced, copying only the containers on the way (own keys only). */
function withValueAt(root: unknown, path: ValuePath, value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (Array.isArray(root)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= root.length) return root;
    const copy = [...root];
    copy[index] = withValueAt(root[index], rest, value);
    return copy;
  }
  if (!isRecord(root) || !Object.hasOwn(root, String(key))) return root;
  // A copy with the same prototype (arguments may have none) and own keys as data properties, so
  // a key named `__proto__` or `constructor` stays an ordinary key.
  const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(root));
  for (const name of Object.keys(root)) {
    const next = name === String(key) ? withValueAt(root[name], rest, value) : root[name];
    Object.defineProperty(copy, name, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** The arguments with each obviously-meant scalar fixed; the very same object when nothing applies. */
export function coerceScalars<T>(args: T, fixes: readonly ScalarFix[]): T {
  let out: unknown = args;
  for (const fix of fixes) {
    if (fix.path.length === 0) continue; // the arguments themselves: never a scalar
    const value = valueAt(out, fix.path);
    if (value === null || typeof value === 'object' || value === undefined) continue;
    const fixed = coerceScalar(value, fix);
    if (fixed !== NO_FIX) out = withValueAt(out, fix.path, fixed);
  }
  return out as T;
}

/** A JSON Pointer (as ajv reports `instancePath`) as a path. */
export const pointerPath = (pointer: string): string[] =>
  pointer
    ? pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    : [];
