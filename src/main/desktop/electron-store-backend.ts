import ElectronStore from 'electron-store';
import { type BackendFactory, backendOver, sharedStoreOptions } from '../core/store/backend';

/**
 * Desktop persistence: `electron-store` (conf underneath) writing the same workspace file,
 * with the same options, as the headless `conf` backend — one schema, one file.
 */
export const electronStoreBackend: BackendFactory = (dataDir) =>
  backendOver(
    new ElectronStore<Record<string, unknown>>({ cwd: dataDir, name: 'workspace', ...sharedStoreOptions }),
  );
