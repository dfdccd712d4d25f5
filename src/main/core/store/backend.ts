import Conf from 'conf';

/** Where the workspace document is written. Reads go through WorkspaceStore, which validates. */
export interface StoreBackend {
  readonly path: string;
  write(value: Record<string, unknown>): void;
}

export type BackendFactory = (dataDir: string) => StoreBackend;

/**
 * Headless persistence with `conf` (atomic write-and-rename, fsync). The desktop app passes
 * an `electron-store` factory instead; both write the same file under the same schema.
 */
export const confBackend: BackendFactory = (dataDir) => {
  const conf = new Conf<Record<string, unknown>>({
    cwd: dataDir,
    configName: 'workspace',
    clearInvalidConfig: false,
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
    serialize: (value) => `${JSON.stringify(value, null, 2)}\n`,
  });
  return {
    path: conf.path,
    write(value) {
      conf.store = value;
    },
  };
};
