import { createHash } from 'node:crypto';

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** `<connector_slug>__<action_name>`, made valid: other characters become `_`, long names keep a hash suffix. */
export function baseToolName(slug: string, action: string): string {
  const raw = `${slug}__${action}`;
  const clean = raw.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (clean.length <= MAX) return clean;
  return `${clean.slice(0, MAX - 9)}_${shortHash(raw)}`;
}

/**
 * Assigns unique names to (slug, action) pairs in a deterministic order, so the same
 * workspace always yields the same names: later duplicates get `_2`, `_3`, … within 64 chars.
 */
export function assignToolNames(pairs: readonly { slug: string; action: string }[]): string[] {
  const used = new Set<string>();
  return pairs.map(({ slug, action }) => {
    const base = baseToolName(slug, action);
    let name = base;
    for (let n = 2; used.has(name); n += 1) {
      const suffix = `_${n}`;
      name = `${base.slice(0, MAX - suffix.length)}${suffix}`;
    }
    used.add(name);
    return name;
  });
}
