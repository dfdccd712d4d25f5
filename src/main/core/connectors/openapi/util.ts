/** Small helpers shared by the OpenAPI importer's parts. */

export type Json = Record<string, unknown>;

export class OpenApiImportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpenApiImportError';
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A JSON pointer (RFC 6901) for a path of tokens. */
export function pointer(tokens: readonly (string | number)[]): string {
  if (tokens.length === 0) return '/';
  return tokens.map((t) => `/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Trim and bound a text to `max` characters, ending with an ellipsis when cut. */
export function bound(text: string, max: number): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

/** Every `$ref` string in a document, with the path of the object that holds it (cycles visited once). */
export function* refsIn(doc: unknown): Generator<{ ref: string; at: (string | number)[] }> {
  const seen = new Set<object>();
  const stack: { value: unknown; at: (string | number)[] }[] = [{ value: doc, at: [] }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || typeof item.value !== 'object' || item.value === null || seen.has(item.value)) continue;
    seen.add(item.value);
    const entries: [string | number, unknown][] = Array.isArray(item.value)
      ? item.value.map((v, i) => [i, v])
      : Object.entries(item.value);
    for (const [key, value] of entries) {
      if (key === '$ref' && typeof value === 'string') yield { ref: value, at: item.at };
      if (typeof value === 'object' && value !== null) stack.push({ value, at: [...item.at, key] });
    }
  }
}
