import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dataPaths } from '../util/paths';
import { pidAlive } from '../util/process-alive';
import type { PlaneName, Settings } from './schema';

/** What a running server publishes in `<dataDir>/server.json` for the CLI and a second instance. */
export interface ServerInfo {
  pid: number;
  url: string | null;
  host: string;
  port: number | null;
  startedAt: string;
  version: string;
  /** Planes switched off for this run only (`--no-admin`, `--no-gateway`). */
  offForRun: PlaneName[];
  /** Where clients and browsers reach it (`--public-url`), when not at `url` (a proxy, a container). */
  publicUrl?: string;
}

/** The URL to give people and clients: the public URL, else where it listens. */
export const externalUrl = (info: ServerInfo | null | undefined): string | null =>
  info?.publicUrl ?? info?.url ?? null;

export class AlreadyRunningError extends Error {}

/** The live server for this data dir, or null (no file, or its process is gone). */
export function readServerInfo(dataDir: string): ServerInfo | null {
  try {
    const info = JSON.parse(readFileSync(dataPaths(dataDir).server, 'utf8')) as ServerInfo;
    return typeof info.pid === 'number' && pidAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/** The header carrying the local credential (the CLI's way in; never a browser's). */
export const LOCAL_CREDENTIAL_HEADER = 'x-portico-local-credential';

/** The running server's local credential, readable only by the OS user who runs it; null when none. */
export function readLocalCredential(dataDir: string): string | null {
  try {
    return readFileSync(dataPaths(dataDir).localCredential, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * Claims the data dir for this process: one server per data dir. A file left by a dead
 * process is taken over. Also writes a fresh local credential (mode 0600) with which `portico`
 * commands of the same OS user send their changes through this server. Returns the credential
 * and functions to publish the final address and to release.
 */
export function claimServer(dataDir: string, info: ServerInfo) {
  const path = dataPaths(dataDir).server;
  const write = (value: ServerInfo, flag: 'wx' | 'w') =>
    writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag });
  try {
    write(info, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = readServerInfo(dataDir);
    if (other && other.pid !== process.pid) {
      throw new AlreadyRunningError(
        `Portico is already running for data dir ${dataDir}${other.url ? ` at ${other.url}` : ''} (pid ${other.pid}). ` +
          'Use that one, stop it first, or pass another --data-dir.',
      );
    }
    write(info, 'w');
  }
  const credential = randomBytes(32).toString('base64url');
  writeFileSync(dataPaths(dataDir).localCredential, `${credential}\n`, { mode: 0o600 });
  let current = info;
  return {
    credential,
    publish(update: Partial<ServerInfo>) {
      current = { ...current, ...update };
      write(current, 'w');
    },
    release() {
      const onDisk = readServerInfo(dataDir);
      if (!onDisk || onDisk.pid === process.pid) {
        rmSync(path, { force: true });
        if (readLocalCredential(dataDir) === credential)
          rmSync(dataPaths(dataDir).localCredential, { force: true });
      }
    },
  };
}

/**
 * Whether each plane serves right now: the persisted switch, unless this run started with
 * the plane off and nobody has flipped the switch since.
 */
export function effectivePlanes(settings: Settings, info: ServerInfo | null): Record<PlaneName, boolean> {
  const flippedSinceStart = (settings.planesChangedAt ?? '') > (info?.startedAt ?? '');
  const on = (plane: PlaneName) =>
    settings.planes[plane] && (flippedSinceStart || !(info?.offForRun ?? []).includes(plane));
  return { admin: on('admin'), gateway: on('gateway') };
}
