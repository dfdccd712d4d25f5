import { current, isDraft, produce, setAutoFreeze } from 'immer';
import type { z } from 'zod';
import {
  apiKeySchema,
  authConfigSchema,
  connectionSchema,
  connectorSchema,
  customerSchema,
  settingsSchema,
  type Workspace,
  webhookSchema,
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

const recordSchemas: Record<string, z.ZodType> = {
  customers: customerSchema,
  connectors: connectorSchema,
  authConfigs: authConfigSchema,
  connections: connectionSchema,
  webhooks: webhookSchema,
  apiKeys: apiKeySchema,
};

/** A value returned from a draft, made safe to use after the draft is gone: drafts inside become snapshots. */
function settle<T>(value: T, depth = 0): T {
  if (isDraft(value)) return current(value) as T;
  if (depth > 8 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => settle(v, depth + 1)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = settle(v, depth + 1);
  return out as T;
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
      if (record !== before?.[id])
        after[id] = deepFreeze(parseOrThrow(schema, record, `${collection}.${id}`));
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
