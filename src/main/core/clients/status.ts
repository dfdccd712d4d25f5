import type { FoundEntry } from './config-file';

export interface ExpectedEntry {
  /** The URL the plane is served at now. */
  url: string;
  /** Whether a key is live (known, not revoked, right scope): the caller asks the key store. */
  keyValid: (key: string) => boolean;
  /** For stdio entries: the bridge command the caller would write now. */
  bridge?: { command: string; args: string[] };
}

export type StaleCode =
  | 'unrecognised'
  | 'url-missing'
  | 'port-changed'
  | 'url-changed'
  | 'key-missing'
  | 'key-invalid'
  | 'command-changed';

export interface StaleReason {
  code: StaleCode;
  message: string;
}

export type EntryStatus =
  | { status: 'current'; keyChecked: boolean }
  | { status: 'stale'; reasons: StaleReason[]; reason: string };

function compareUrls(actual: string, expected: string): StaleReason | undefined {
  if (actual === expected) return undefined;
  let a: URL;
  let e: URL;
  try {
    a = new URL(actual);
    e = new URL(expected);
  } catch {
    return { code: 'url-changed', message: `points at ${actual}, the gateway is at ${expected}` };
  }
  // The key may ride along as ?api_key=…; never compare it, never print it.
  a.searchParams.delete('api_key');
  e.searchParams.delete('api_key');
  if (a.href === e.href) return undefined;
  const portOf = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');
  const samePlace = a.protocol === e.protocol && a.hostname === e.hostname && a.pathname === e.pathname;
  if (samePlace && a.search === e.search && portOf(a) !== portOf(e)) {
    return {
      code: 'port-changed',
      message: `points at port ${portOf(a)}, the gateway listens on port ${portOf(e)}`,
    };
  }
  return { code: 'url-changed', message: `points at ${a.href}, the gateway is at ${e.href}` };
}

/**
 * Is an entry Portico wrote still right: same URL (port), a live key, the same bridge command?
 * A key the client resolves itself (`${input:…}`) cannot be checked and does not make it stale.
 */
export function entryStatus(entry: Pick<FoundEntry, 'details'>, expected: ExpectedEntry): EntryStatus {
  const { details } = entry;
  const reasons: StaleReason[] = [];
  if (details.transport === 'unknown') {
    reasons.push({ code: 'unrecognised', message: 'is not in a shape Portico writes' });
  } else {
    if (details.url !== undefined) {
      const diff = compareUrls(details.url, expected.url);
      if (diff) reasons.push(diff);
    } else if (details.transport === 'http') {
      reasons.push({ code: 'url-missing', message: 'has no URL' });
    }
    if (details.key !== undefined) {
      if (!expected.keyValid(details.key)) {
        reasons.push({ code: 'key-invalid', message: 'uses a key that is revoked or unknown' });
      }
    } else if (details.keyReference === undefined) {
      reasons.push({ code: 'key-missing', message: 'has no API key' });
    }
    const isBridge = details.transport === 'stdio' && !(details.args ?? []).includes('mcp-remote');
    if (isBridge && expected.bridge) {
      const same =
        details.command === expected.bridge.command &&
        JSON.stringify(details.args ?? []) === JSON.stringify(expected.bridge.args);
      if (!same)
        reasons.push({ code: 'command-changed', message: 'runs a different portico bridge command' });
    }
  }
  if (reasons.length === 0) return { status: 'current', keyChecked: details.key !== undefined };
  return { status: 'stale', reasons, reason: reasons.map((r) => r.message).join('; ') };
}
