import { SCHEMA_VERSION } from './schema';

/**
 * Migrations from each older schema version to the next. `migrations[n]` turns a
 * version-n document into version n+1. Each one has its own test.
 */
export const migrations: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
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

export class MigrationError extends Error {}

/** Brings a parsed document up to SCHEMA_VERSION; returns whether anything changed. */
export function migrate(input: unknown): { doc: Record<string, unknown>; migrated: boolean } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new MigrationError('the top level is not a JSON object');
  }
  let doc = input as Record<string, unknown>;
  const raw = doc.schemaVersion;
  let version = raw === undefined ? 0 : raw;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new MigrationError(`schemaVersion ${JSON.stringify(raw)} is not a version number`);
  }
  if (version > SCHEMA_VERSION) {
    throw new MigrationError(
      `it was written by a newer Portico (schema version ${version}; this one reads up to ${SCHEMA_VERSION}) — update Portico`,
    );
  }
  const migrated = version < SCHEMA_VERSION;
  while (version < SCHEMA_VERSION) {
    const step = migrations[version];
    if (!step) throw new MigrationError(`no migration from schema version ${version}`);
    doc = step(doc);
    version += 1;
  }
  return { doc, migrated };
}
