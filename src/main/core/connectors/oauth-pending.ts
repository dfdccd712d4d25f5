import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../store/file-lock';

/** An authorization_code flow waiting for its callback; single use, short-lived. */
export interface PendingAuth {
  state: string;
  customerId: string;
  connectorId: string;
  /** PKCE code verifier, sealed with the workspace secret box. */
  verifier: string;
  redirectUri: string;
  createdAt: number;
}

const TTL_MS = 15 * 60 * 1000;
const fileOf = (dataDir: string) => join(dataDir, 'oauth-pending.json');

function readAll(dataDir: string): Record<string, PendingAuth> {
  try {
    return JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as Record<string, PendingAuth>;
  } catch {
    return {};
  }
}

function writeAll(dataDir: string, all: Record<string, PendingAuth>): void {
  const tmp = `${fileOf(dataDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
  renameSync(tmp, fileOf(dataDir));
}

export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * Records a pending flow (in a file, so a URL made by the CLI completes in the server).
 * Returns the state and the plain verifier.
 */
export function createPending(
  dataDir: string,
  entry: Omit<PendingAuth, 'state' | 'createdAt' | 'verifier'>,
  seal: (verifier: string, state: string) => string,
): { state: string; verifier: string } {
  const state = randomBytes(24).toString('base64url');
  const verifier = randomBytes(48).toString('base64url');
  withFileLock(join(dataDir, 'oauth-pending.lock'), () => {
    const all = readAll(dataDir);
    const cutoff = Date.now() - TTL_MS;
    for (const [key, value] of Object.entries(all)) if (value.createdAt < cutoff) delete all[key];
    all[state] = { ...entry, state, verifier: seal(verifier, state), createdAt: Date.now() };
    writeAll(dataDir, all);
  });
  return { state, verifier };
}

/** Takes (and removes) a pending flow by state: a state works once, and only within its lifetime. */
export function takePending(dataDir: string, state: string): PendingAuth | undefined {
  return withFileLock(join(dataDir, 'oauth-pending.lock'), () => {
    const all = readAll(dataDir);
    const entry = all[state];
    if (!entry) return undefined;
    delete all[state];
    writeAll(dataDir, all);
    return Date.now() - entry.createdAt <= TTL_MS ? entry : undefined;
  });
}
