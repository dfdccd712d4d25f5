import { resolve } from 'node:path';
import { defaultDataDir } from '../core/util/paths';
import { UsageError } from './output';

/** The flags every command takes, split from the command's own arguments. */
export function globalFlags(argv: string[]) {
  const rest: string[] = [];
  let dataDir: string | undefined;
  let databaseUrl: string | undefined;
  let asJson = false;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--data-dir') {
      dataDir = argv[i + 1];
      if (!dataDir) throw new UsageError('--data-dir needs a folder');
      i += 1;
    } else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--database-url') {
      databaseUrl = argv[i + 1];
      if (!databaseUrl) throw new UsageError('--database-url needs a postgres://… URL');
      i += 1;
    } else if (arg.startsWith('--database-url=')) databaseUrl = arg.slice('--database-url='.length);
    else if (arg === '--json') asJson = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else rest.push(arg);
  }
  return { rest, dataDir, databaseUrl, asJson, help };
}

/** The data dir: --data-dir, else PORTICO_DATA_DIR, else the platform's app-data folder. */
export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? defaultDataDir());
}
