/**
 * Where a JSON value holds an own `__proto__` key (JSON.parse makes one from `{"__proto__": …}`),
 * as a dotted path, or undefined. Such a key is refused at the doors rather than silently dropped
 * by a parser or, worse, taken as the prototype of an object built from the value.
 */
export function protoKeyPath(value: unknown, path: string[] = [], depth = 0): string | undefined {
  if (depth > 64 || !value || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = protoKeyPath(value[i], [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'].join('.');
  for (const [key, child] of Object.entries(value)) {
    const found = protoKeyPath(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The message for such a key, naming where it is. */
export const protoKeyMessage = (where: string) =>
  `\`${where}\` uses the key "__proto__", which Portico does not accept (in JavaScript it names an object's prototype); use another name.`;
