import { current, isDraft, produce, setAutoFreeze } from 'immer';
import type { z } from 'zod';
import {
  type Action,
  actionSchema,
  type Connector,
  connectorSchema,
  recordSchemas,
  settingsSchema,
  type Workspace,
} from './schema';

// immer would freeze each result; we freeze what is new ourselves (below), once.
setAutoFreeze(false);

/**
 * Freezes a snapshot deeply. Besides keeping read-only data read-only, it lets the draft skip
 * untouched records when finishing a write — without it, one changed action made the draft
 * walk all 10,000 tools.
 */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * A value returned from a draft, made safe to use after the draft is gone: drafts inside become
 * snapshots. Copied only along the paths that hold a draft; frozen values hold none.
 */
function settle<T>(value: T, depth = 0): T {
  if (isDraft(value)) return current(value) as T;
  if (depth > 8 || !value || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => settle(v, depth + 1));
    return (items.some((v, i) => v !== value[i]) ? items : value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const source: Record<string, unknown> = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(source)) {
    const settled = settle(v, depth + 1);
    if (settled !== v) out ??= { ...source };
    if (out) out[k] = settled;
  }
  return (out ?? value) as T;
}

/** Values already checked against their schema: frozen, so they can never change unchecked. */
const validated = new WeakSet<object>();

/**
 * Marks values as checked — by an earlier write, when read back, or by the OpenAPI worker that
 * parsed them — so a write that carries them (a 1,000-action connector, say) does not check
 * them again on the main thread.
 */
export function markValidated<T extends object>(value: T): T {
  validated.add(deepFreeze(value));
  return value;
}

/** A connector with its actions parsed one by one, skipping those already checked. */
function parseConnector(record: unknown, where: string): Connector {
  if (!record || typeof record !== 'object' || !('actions' in record) || !Array.isArray(record.actions))
    return parseOrThrow(connectorSchema, record, where);
  const { actions } = record;
  const checked = actions.map((a: unknown, i) =>
    a && typeof a === 'object' && validated.has(a)
      ? (a as Action)
      : markValidated(parseOrThrow(actionSchema, a, `${where}.actions.${i}`)),
  );
  const head = parseOrThrow(connectorSchema, { ...record, actions: [] }, where);
  return { ...head, actions: checked };
}

/**
 * Applies `fn` to a copy-on-write draft of the workspace: only what `fn` touches is copied, the
 * rest is shared with `base`. Returns the next workspace (or `base` itself when nothing changed).
 */
export function applyDraft<T>(base: Workspace, fn: (draft: Workspace) => T): { next: Workspace; value: T } {
  let value: T | undefined;
  const next = produce(base, (draft) => {
    value = settle(fn(draft as Workspace));
  });
  return { next, value: value as T };
}

export class InvalidChangeError extends Error {}

/**
 * Validates what changed between two workspaces — records are compared by identity, which the
 * draft preserves for everything untouched — and stores the parsed records (defaults applied).
 */
export function validateChanges(prev: Workspace, next: Workspace): Workspace {
  if (next === prev) return next;
  if (next.settings !== prev.settings)
    next.settings = parseOrThrow(settingsSchema, next.settings, 'settings');
  for (const [collection, schema] of Object.entries(recordSchemas)) {
    const before = prev[collection as keyof Workspace] as Record<string, unknown>;
    const after = next[collection as keyof Workspace] as Record<string, unknown>;
    if (after === before) continue;
    if (!after || typeof after !== 'object') throw new InvalidChangeError(`${collection} must be an object`);
    for (const [id, record] of Object.entries(after)) {
      if (record === before?.[id]) continue;
      const where = `${collection}.${id}`;
      after[id] = deepFreeze(
        collection === 'connectors' ? parseConnector(record, where) : parseOrThrow(schema, record, where),
      );
    }
  }
  if (next.schemaVersion !== prev.schemaVersion) throw new InvalidChangeError('schemaVersion cannot change');
  return next;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidChangeError(
    `invalid ${where}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message}`,
  );
}
