import Conf from 'conf';

/** Where the workspace document is written. Reads go through WorkspaceStore, which validates. */
export interface StoreBackend {
  readonly path: string;
  write(value: Record<string, unknown>): void;
}

export type BackendFactory = (dataDir: string) => StoreBackend;

/** Options both backends share: same file mode, no silent reset, same serialization. */
export const sharedStoreOptions = {
  clearInvalidConfig: false,
  configFileMode: 0o600,
  accessPropertiesByDotNotation: false,
  serialize: (value: Record<string, unknown>) => `${JSON.stringify(value, null, 2)}\n`,
} as const;

/** A StoreBackend over a `conf` instance (or `electron-store`, which extends it). */
export function backendOver(conf: Conf<Record<string, unknown>>): StoreBackend {
  return {
    path: conf.path,
    write(value) {
      // conf re-reads and re-parses the whole file on every write to carry over its own
      // `__internal__` key unless the value has one. Ours never does: a non-enumerable one
      // (JSON.stringify skips it) spares that full read, which on a 10,000-tool workspace
      // cost ~50 ms and a second copy of the workspace in memory per write.
      const doc = { ...value };
      Object.defineProperty(doc, '__internal__', { value: {}, enumerable: false });
      conf.store = doc;
    },
  };
}

/**
 * Headless persistence with `conf` (atomic write-and-rename, fsync). The desktop app passes
 * an `electron-store` factory instead; both write the same file under the same schema.
 */
export const confBackend: BackendFactory = (dataDir) =>
  backendOver(
    new Conf<Record<string, unknown>>({ cwd: dataDir, configName: 'workspace', ...sharedStoreOptions }),
  );
