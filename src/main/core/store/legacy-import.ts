import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, DatabaseError } from './database';
import { deepFreeze } from './draft';
import { COLLECTIONS, emptyWorkspace, SCHEMA_VERSION, type Workspace, workspaceSchema } from './schema';
import { changedRecords, emptyCollection, writeRecords } from './workspace-rows';

/**
 * Before the database, the workspace was `workspace.json` (conf / electron-store), with activity,
 * key usage and the webhook queue in files beside it. On first start they are imported into the
 * database in one transaction, then moved into a backup folder — nothing is deleted.
 */
export const LEGACY_FILES = ['workspace.json', 'key-usage.json', 'activity', 'webhooks'] as const;

export interface LegacyImport {
  /** Moves the imported files into the backup folder; says where on `log`. */
  finish(log: (line: string) => void): void;
}

/** Schema migrations of the legacy document: `legacyMigrations[n]` turns version n into n+1. */
export const legacyMigrations: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
  // v0: a file written before versioning (or an empty one `conf` created): fill every collection.
  0: (doc) => ({
    settings: {},
    customers: {},
    connectors: {},
    authConfigs: {},
    connections: {},
    webhooks: {},
    apiKeys: {},
    ...doc,
    schemaVersion: 1,
  }),
};

/** Brings a parsed legacy document up to SCHEMA_VERSION. */
export function migrateLegacy(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error('the top level is not a JSON object');
  let doc = input as Record<string, unknown>;
  const raw = doc.schemaVersion;
  let version = raw === undefined ? 0 : raw;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
    throw new Error(`schemaVersion ${JSON.stringify(raw)} is not a version number`);
  if (version > SCHEMA_VERSION)
    throw new Error(`it was written by a newer Portico (schema version ${version}) — update Portico`);
  while (version < SCHEMA_VERSION) {
    const step = legacyMigrations[version];
    if (!step) throw new Error(`no migration from schema version ${version}`);
    doc = step(doc);
    version += 1;
  }
  return doc;
}

/**
 * The legacy workspace of a data dir, validated, or undefined when there is none. A file that
 * cannot be read is a DatabaseError naming it; it is never touched.
 */
export function readLegacyWorkspace(dataDir: string): { workspace: Workspace; path: string } | undefined {
  const path = join(dataDir, 'workspace.json');
  if (!existsSync(path)) return undefined;
  const fail = (reason: string) =>
    new DatabaseError(
      `Portico cannot import the workspace file ${path}: ${reason}. The file was left exactly as it was; ` +
        'repair it (or move it away to start with an empty workspace) and start again.',
    );
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw fail(`it is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = migrateLegacy(json);
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  const parsed = workspaceSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(
      `it does not match the workspace schema at ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
    );
  }
  const workspace = parsed.data;
  // Records keyed by id, as own data only: the collections get no prototype.
  for (const collection of COLLECTIONS)
    workspace[collection] = Object.assign(emptyCollection(), workspace[collection]) as never;
  return { workspace: deepFreeze(workspace), path };
}

function jsonLines(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as unknown] : [];
      } catch {
        return []; // a torn last line after a crash
      }
    });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Imports the legacy files of a data dir into an empty database. Undefined when there is nothing to import. */
export async function importLegacy(dataDir: string, database: Database): Promise<LegacyImport | undefined> {
  const legacy = readLegacyWorkspace(dataDir);
  if (!legacy) return undefined;
  const empty = emptyWorkspace();
  const activity = [
    ...jsonLines(join(dataDir, 'activity', 'activity.jsonl.1')),
    ...jsonLines(join(dataDir, 'activity', 'activity.jsonl')),
  ].filter(isRecord);
  const queueDir = join(dataDir, 'webhooks', 'queue');
  const queued = existsSync(queueDir)
    ? readdirSync(queueDir)
        .filter((name) => /^msg_[A-Za-z0-9]+\.json(\.inflight-\d+)?$/.test(name))
        .flatMap((name) => jsonLines(join(queueDir, name)))
        .filter(isRecord)
    : [];
  const attempts = jsonLines(join(dataDir, 'webhooks', 'deliveries.jsonl')).filter(isRecord);
  let usage: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dataDir, 'key-usage.json'), 'utf8'));
    if (isRecord(parsed)) usage = parsed;
  } catch {
    // No usage file: only "last used" times are missing.
  }
  await database.write(async (tx) => {
    await writeRecords(tx, empty, legacy.workspace, changedRecords(empty, legacy.workspace));
    const seen = new Set<string>();
    for (const a of activity) {
      const id = str(a.id);
      if (!id || seen.has(id)) continue;
      seen.add(id);
      await tx
        .insertInto('activity')
        .values({
          id,
          at: str(a.time) ?? new Date(0).toISOString(),
          plane: str(a.plane) ?? 'gateway',
          entry_point: 'mcp',
          customer_id: str(a.customer_id),
          key_id: str(a.key_id),
          tool: str(a.tool) ?? '',
          duration_ms: num(a.duration_ms),
          outcome: str(a.outcome) ?? 'ok',
          error: str(a.error),
        })
        .execute();
    }
    for (const d of queued) {
      const id = str(d.id);
      if (!id || !isRecord(d.event)) continue;
      await tx
        .insertInto('webhook_deliveries')
        .values({
          id,
          webhook_id: str(d.webhookId) ?? '',
          event: JSON.stringify(d.event),
          attempts: num(d.attempts),
          next_attempt_at: num(d.nextAttemptAt),
          state: 'pending',
          claimed_by: null,
          claimed_until: null,
          created_at: str(d.createdAt) ?? new Date().toISOString(),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    for (const a of attempts) {
      await tx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: str(a.id) ?? '',
          webhook_id: str(a.webhook_id) ?? '',
          event_type: str(a.event_type) ?? '',
          attempt: num(a.attempt),
          status_code: typeof a.status_code === 'number' ? a.status_code : null,
          error: str(a.error),
          duration_ms: num(a.duration_ms),
          at: str(a.at) ?? new Date(0).toISOString(),
          state: str(a.state) ?? 'failed',
          next_attempt_at: str(a.next_attempt_at),
        })
        .execute();
    }
    for (const [keyId, at] of Object.entries(usage)) {
      if (typeof at === 'string')
        await tx.insertInto('key_usage').values({ key_id: keyId, last_used_at: at }).execute();
    }
  });
  return {
    finish(log) {
      const backup = join(dataDir, `legacy-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(backup, { recursive: true, mode: 0o700 });
      const moved = LEGACY_FILES.filter((name) => existsSync(join(dataDir, name)));
      for (const name of moved) renameSync(join(dataDir, name), join(backup, name));
      log(
        `Portico: imported ${legacy.path} into ${database.location}; the old files (${moved.join(', ')}) are kept in ${backup}.`,
      );
    },
  };
}
