/** Action names: snake_case, from operationId or method + path, unique within a connector. */

export const MAX_NAME_LENGTH = 64;

export function snakeCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** `GET /pets/{petId}` → `get_pets_by_pet_id`. */
export function nameFromRoute(method: string, path: string): string {
  const parts = [method.toLowerCase()];
  for (const segment of path.split('/')) {
    if (!segment) continue;
    const param = /^\{([^}]+)\}$/.exec(segment);
    parts.push(param?.[1] ? `by_${snakeCase(param[1])}` : snakeCase(segment));
  }
  return parts.filter(Boolean).join('_');
}

function clip(name: string, max: number): string {
  return name.length <= max ? name : name.slice(0, max).replace(/_+$/, '');
}

/** Hands out names, adding `_2`, `_3`… to repeats, in call order (so deterministic for a given document). */
export class NameAllocator {
  private readonly used = new Set<string>();

  take(preferred: string): string {
    const base = clip(preferred || 'operation', MAX_NAME_LENGTH);
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    for (let n = 2; ; n++) {
      const suffix = `_${n}`;
      const candidate = `${clip(base, MAX_NAME_LENGTH - suffix.length)}${suffix}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }
}

const VALID_PROPERTY = /^[A-Za-z0-9_.-]{1,64}$/;

/** A property name every MCP client accepts (some LLM APIs reject `[`, spaces, `$`…). */
export function propertyName(name: string): string {
  if (VALID_PROPERTY.test(name)) return name;
  const cleaned = name
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  return clip(cleaned || 'param', 64);
}

export function isValidPropertyName(name: string): boolean {
  return VALID_PROPERTY.test(name);
}
