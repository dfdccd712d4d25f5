import type { z } from 'zod';
import type { Db, WriteTx } from './database';
import { deepFreeze, markValidated } from './draft';
import {
  type Action,
  COLLECTIONS,
  type Collection,
  type Connector,
  connectorSchema,
  emptyWorkspace,
  recordSchemas,
  settingsSchema,
  type Workspace,
} from './schema';

/** A record that changed: a collection's id, or the one settings row. */
export interface RecordRef {
  collection: Collection | 'settings';
  id: string;
}
export interface LoadedRecord extends RecordRef {
  /** The record as stored now; undefined when it was deleted. */
  value: unknown;
}

const SETTINGS_KEY = 'workspace';
const BATCH = 400;

/** A collection keyed by record id with no prototype: an id like `__proto__` is an ordinary key. */
export const emptyCollection = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export class InvalidRowError extends Error {}

function parseJson(data: string, where: string): unknown {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw new InvalidRowError(`${where} is not valid JSON (${error instanceof Error ? error.message : ''})`);
  }
}

function parseRow<T>(schema: z.ZodType<T>, data: string, where: string): T {
  return parseValue(schema, parseJson(data, where), where);
}

function parseValue<T>(schema: z.ZodType<T>, json: unknown, where: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidRowError(`${where} is invalid at ${issue?.path.join('.') || '(top)'}: ${issue?.message}`);
}

/** Every record, validated. Run inside one read transaction so the snapshot is consistent. */
export async function loadWorkspace(db: WriteTx | Db): Promise<{ ws: Workspace; rev: number }> {
  const ws = emptyWorkspace();
  for (const collection of COLLECTIONS) ws[collection] = emptyCollection() as never;
  const settings = await db.selectFrom('settings').selectAll().where('key', '=', SETTINGS_KEY).execute();
  if (settings[0]) ws.settings = parseRow(settingsSchema, settings[0].data, 'the settings row');
  const actions = new Map<string, unknown[]>();
  for (const row of await db
    .selectFrom('actions')
    .selectAll()
    .orderBy('connector_id')
    .orderBy('position')
    .execute()) {
    const list = actions.get(row.connector_id) ?? [];
    list.push(parseJson(row.data, `action "${row.name}" of connector "${row.connector_id}"`));
    actions.set(row.connector_id, list);
  }
  for (const collection of COLLECTIONS) {
    const rows = await db.selectFrom(tableOf(collection)).select(['data']).execute();
    const target = ws[collection] as Record<string, unknown>;
    for (const { data } of rows) {
      const record = parseRecord(collection, data, actions);
      target[recordId(collection, record)] = record;
    }
  }
  const last = await db
    .selectFrom('changes')
    .select((eb) => eb.fn.max('rev').as('rev'))
    .executeTakeFirst();
  return { ws: deepFreeze(ws), rev: Number(last?.rev ?? 0) };
}

function parseRecord(collection: Collection, data: string, actions: Map<string, unknown[]>): unknown {
  if (collection !== 'connectors') return parseRow(recordSchemas[collection], data, `a ${collection} row`);
  // A connector's actions live in their own rows; the record is validated whole.
  const head = parseJson(data, 'a connectors row');
  if (typeof head !== 'object' || head === null)
    throw new InvalidRowError('a connectors row is not an object');
  const id = 'id' in head && typeof head.id === 'string' ? head.id : '';
  const connector = parseValue(
    connectorSchema,
    { ...head, actions: actions.get(id) ?? [] },
    `connector row "${id}"`,
  );
  // Checked now: a later write that keeps most of them does not check them again.
  for (const action of connector.actions) markValidated(action);
  return connector;
}

function recordId(collection: Collection, record: unknown): string {
  const r = record as { id?: string; connectorId?: string };
  return (collection === 'authConfigs' ? r.connectorId : r.id) ?? '';
}

function tableOf(collection: Collection) {
  return (
    {
      customers: 'customers',
      connectors: 'connectors',
      authConfigs: 'auth_configs',
      connections: 'connections',
      webhooks: 'webhooks',
      apiKeys: 'api_keys',
    } as const
  )[collection];
}

const keyColumn = (collection: Collection) => (collection === 'authConfigs' ? 'connector_id' : 'id');

/** The records that differ between two snapshots, found by identity (untouched records are shared). */
export function changedRecords(prev: Workspace, next: Workspace): RecordRef[] {
  const out: RecordRef[] = [];
  if (prev.settings !== next.settings) out.push({ collection: 'settings', id: SETTINGS_KEY });
  for (const collection of COLLECTIONS) {
    const before = prev[collection] as Record<string, unknown>;
    const after = next[collection] as Record<string, unknown>;
    if (before === after) continue;
    for (const id of Object.keys(after)) if (after[id] !== before[id]) out.push({ collection, id });
    for (const id of Object.keys(before)) if (!(id in after)) out.push({ collection, id });
  }
  return out;
}

/** Writes the given changed records of `next` (compared with `prev`) and appends them to the change log. */
export async function writeRecords(
  tx: WriteTx,
  prev: Workspace,
  next: Workspace,
  changed: RecordRef[],
): Promise<void> {
  const at = new Date().toISOString();
  for (const ref of changed) {
    if (ref.collection === 'settings') {
      const data = JSON.stringify(next.settings);
      await tx
        .insertInto('settings')
        .values({ key: SETTINGS_KEY, data })
        .onConflict((oc) => oc.column('key').doUpdateSet({ data }))
        .execute();
      continue;
    }
    const collection = ref.collection;
    const record = (next[collection] as Record<string, unknown>)[ref.id];
    const table = tableOf(collection);
    if (record === undefined) {
      await tx.deleteFrom(table).where(keyColumn(collection), '=', ref.id).execute();
      if (collection === 'connectors')
        await tx.deleteFrom('actions').where('connector_id', '=', ref.id).execute();
      continue;
    }
    const row = rowOf(collection, record);
    await tx
      .insertInto(table)
      .values(row as never)
      .onConflict((oc) => oc.column(keyColumn(collection)).doUpdateSet(row as never))
      .execute();
    if (collection === 'connectors') {
      const before = prev.connectors[ref.id];
      await writeActions(tx, ref.id, before?.actions ?? [], (record as Connector).actions);
    }
  }
  for (let i = 0; i < changed.length; i += BATCH) {
    await tx
      .insertInto('changes')
      .values(changed.slice(i, i + BATCH).map((r) => ({ collection: r.collection, record_id: r.id, at })))
      .execute();
  }
}

function rowOf(collection: Collection, record: unknown): Record<string, string> {
  const r = record as Record<string, unknown>;
  switch (collection) {
    case 'customers':
      return { id: String(r.id), name: String(r.name), data: JSON.stringify(r) };
    case 'connectors': {
      const { actions: _stored, ...head } = r;
      return { id: String(r.id), slug: String(r.slug), kind: String(r.kind), data: JSON.stringify(head) };
    }
    case 'authConfigs':
      return { connector_id: String(r.connectorId), data: JSON.stringify(r) };
    case 'connections':
      return {
        id: String(r.id),
        customer_id: String(r.customerId),
        connector_id: String(r.connectorId),
        data: JSON.stringify(r),
      };
    default:
      return { id: String(r.id), data: JSON.stringify(r) };
  }
}

/** Actions written per statement; between statements the event loop gets a turn. */
const ACTION_BATCH = 100;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A connector's actions: only those added, changed or moved are written; removed ones deleted.
 * A 1,000-action import is written in short statements with a turn of the event loop between
 * them, so gateway calls go on meanwhile.
 */
async function writeActions(tx: WriteTx, connectorId: string, before: Action[], after: Action[]) {
  const previous = new Map(before.map((a, i) => [a.name, { action: a, position: i }]));
  const changed = after.flatMap((action, position) => {
    const old = previous.get(action.name);
    return old?.action === action && old.position === position ? [] : [{ action, position }];
  });
  const kept = new Set(after.map((a) => a.name));
  const removed = before.filter((a) => !kept.has(a.name)).map((a) => a.name);
  for (let i = 0; i < removed.length; i += BATCH) {
    await tx
      .deleteFrom('actions')
      .where('connector_id', '=', connectorId)
      .where('name', 'in', removed.slice(i, i + BATCH))
      .execute();
  }
  for (let i = 0; i < changed.length; i += ACTION_BATCH) {
    if (i > 0) await turn();
    const rows = changed.slice(i, i + ACTION_BATCH).map(({ action, position }) => ({
      connector_id: connectorId,
      name: action.name,
      position,
      data: JSON.stringify(action),
    }));
    await tx
      .insertInto('actions')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['connector_id', 'name']).doUpdateSet((eb) => ({
          position: eb.ref('excluded.position'),
          data: eb.ref('excluded.data'),
        })),
      )
      .execute();
  }
}

/** The current rows of some records (another process changed them), validated. */
export async function readRecords(db: WriteTx | Db, refs: RecordRef[]): Promise<LoadedRecord[]> {
  const out: LoadedRecord[] = [];
  for (const ref of refs) {
    if (ref.collection === 'settings') {
      const row = await db
        .selectFrom('settings')
        .select('data')
        .where('key', '=', SETTINGS_KEY)
        .executeTakeFirst();
      out.push({ ...ref, value: row ? parseRow(settingsSchema, row.data, 'the settings row') : undefined });
      continue;
    }
    const row = await db
      .selectFrom(tableOf(ref.collection))
      .select('data')
      .where(keyColumn(ref.collection), '=', ref.id)
      .executeTakeFirst();
    if (!row) {
      out.push({ ...ref, value: undefined });
      continue;
    }
    const actions = new Map<string, unknown[]>();
    if (ref.collection === 'connectors') {
      const rows = await db
        .selectFrom('actions')
        .select('data')
        .where('connector_id', '=', ref.id)
        .orderBy('position')
        .execute();
      actions.set(
        ref.id,
        rows.map((a) => parseJson(a.data, `an action of connector "${ref.id}"`)),
      );
    }
    out.push({ ...ref, value: parseRecord(ref.collection, row.data, actions) });
  }
  return out;
}

/** A snapshot with some records replaced or removed; untouched records keep their identity. */
export function applyRecords(ws: Workspace, records: LoadedRecord[]): Workspace {
  if (records.length === 0) return ws;
  const next = { ...ws };
  const copied = new Set<string>();
  for (const { collection, id, value } of records) {
    if (collection === 'settings') {
      next.settings = (value as Workspace['settings'] | undefined) ?? emptyWorkspace().settings;
      continue;
    }
    if (!copied.has(collection)) {
      next[collection] = Object.assign(emptyCollection(), next[collection]) as never;
      copied.add(collection);
    }
    const target = next[collection] as Record<string, unknown>;
    if (value === undefined) delete target[id];
    else target[id] = value;
  }
  return deepFreeze(next);
}
