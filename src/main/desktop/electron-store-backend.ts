import ElectronStore from 'electron-store';
import type { BackendFactory } from '../core/store/backend';

/**
 * Desktop persistence: `electron-store` (conf underneath) writing the same workspace file,
 * with the same options, as the headless `conf` backend — one schema, one file.
 */
export const electronStoreBackend: BackendFactory = (dataDir) => {
  const store = new ElectronStore<Record<string, unknown>>({
    cwd: dataDir,
    name: 'workspace',
    clearInvalidConfig: false,
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
    serialize: (value) => `${JSON.stringify(value, null, 2)}\n`,
  });
  return {
    path: store.path,
    write(value) {
      store.store = value;
    },
  };
};
