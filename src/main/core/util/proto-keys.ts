/**
 * Where a JSON value holds an own `__proto__` key (JSON.parse makes one from `{"__proto__": …}`),
 * as a dotted path, or undefined. Such a key is refused at the doors rather than silently dropped
 * by a parser or, worse, taken as the prototype of an object built from the value.
 */
export function protoKeyPath(value: unknown, path: string[] = [], depth = 0): string | undefined {
  if (depth > 64 || !value || typeof value !== 'object') return undefined;
  // Only objects and arrays are visited (a scalar holds no key): no path is built for the scalars,
  // which are most of a message — this runs on every gateway request and tool call.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      if (!item || typeof item !== 'object') continue;
      const found = protoKeyPath(item, [...path, String(i)], depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'].join('.');
  for (const key of Object.keys(value)) {
    const child: unknown = (value as Record<string, unknown>)[key];
    if (!child || typeof child !== 'object') continue;
    const found = protoKeyPath(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The message for such a key, naming where it is. */
export const protoKeyMessage = (where: string) =>
  `\`${where}\` uses the key "__proto__", which Portico does not accept (in JavaScript it names an object's prototype); use another name.`;
