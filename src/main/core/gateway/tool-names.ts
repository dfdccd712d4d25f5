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

export type Naming = 'prefixed' | 'bare';

export interface NameRequest {
  slug: string;
  /** The action's name: the prefixed form is `<slug>__<name>`. */
  name: string;
  /** The upstream's own name (an MCP tool's name, an HTTP action's name): the bare form. */
  bare: string;
  /** A name the customer chose (set_tool_overrides). */
  rename?: string | undefined;
}

/** Request `index` could not have the name it asked for: request `other` holds it. */
export interface NameConflict {
  index: number;
  other: number;
  name: string;
}

/**
 * Names for one customer's tools (or prompts), from requests in a deterministic order:
 * 1. A valid rename is the tool's name; a later rename to a name already taken falls back to 3.
 * 2. With `bare` naming, a tool takes its upstream's own name when it is valid, no other tool asks
 *    for the same bare name, it is no other tool's prefixed name and no rename took it — whatever
 *    the order, every tool whose bare name is shared takes its prefixed name.
 * 3. Otherwise the prefixed `<slug>__<name>`; a duplicate then gets `_2`, `_3`, … in order.
 * Conflicts report renames that lost, and default names that a rename took.
 */
export function assignNames(
  requests: readonly NameRequest[],
  naming: Naming,
): { names: string[]; conflicts: NameConflict[] } {
  const names: string[] = new Array(requests.length);
  const owner = new Map<string, number>();
  const conflicts: NameConflict[] = [];
  requests.forEach((r, i) => {
    if (r.rename === undefined || !TOOL_NAME_PATTERN.test(r.rename)) return;
    const other = owner.get(r.rename);
    if (other !== undefined) conflicts.push({ index: i, other, name: r.rename });
    else {
      owner.set(r.rename, i);
      names[i] = r.rename;
    }
  });
  const prefixed = requests.map((r) => baseToolName(r.slug, r.name));
  const bareCount = new Map<string, number>();
  const prefixedCount = new Map<string, number>();
  if (naming === 'bare') {
    requests.forEach((r, i) => {
      if (names[i] !== undefined) return;
      bareCount.set(r.bare, (bareCount.get(r.bare) ?? 0) + 1);
      const p = prefixed[i] as string;
      prefixedCount.set(p, (prefixedCount.get(p) ?? 0) + 1);
    });
  }
  requests.forEach((r, i) => {
    if (names[i] !== undefined) return;
    const own = prefixed[i] as string;
    const bareOk =
      naming === 'bare' &&
      TOOL_NAME_PATTERN.test(r.bare) &&
      bareCount.get(r.bare) === 1 &&
      (prefixedCount.get(r.bare) ?? 0) === (own === r.bare ? 1 : 0);
    let base = bareOk ? r.bare : own;
    const holder = owner.get(base);
    if (holder !== undefined && requests[holder]?.rename === base) {
      conflicts.push({ index: holder, other: i, name: base });
      if (bareOk) base = own;
    }
    let name = base;
    for (let n = 2; owner.has(name); n += 1) {
      const suffix = `_${n}`;
      name = `${base.slice(0, MAX - suffix.length)}${suffix}`;
    }
    owner.set(name, i);
    names[i] = name;
  });
  return { names, conflicts };
}
