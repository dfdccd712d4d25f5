import {
  BEARER_PREFIX,
  bearer,
  type EntryDetails,
  type EntryInput,
  isRecord,
  type JsonObject,
  VARIABLE_REFERENCE,
} from './types';

/** Entry names Portico owns: `portico-admin`, `portico-<customer_id>`. */
export const PORTICO_PREFIX = 'portico-';
const NAME_PATTERN = /^portico-[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export function isPorticoName(name: string): boolean {
  return name.startsWith(PORTICO_PREFIX);
}

export function isValidEntryName(name: string): boolean {
  return NAME_PATTERN.test(name) && name.length <= 136;
}

/** The entry name for a plane: `portico-admin`, or `portico-<customer_id>` on the gateway plane. */
export function entryNameFor(plane: 'admin' | 'gateway', customerId?: string): string {
  if (plane === 'admin') return `${PORTICO_PREFIX}admin`;
  if (!customerId) throw new Error('A gateway entry needs a customer id.');
  return `${PORTICO_PREFIX}${customerId}`;
}

/** `{ Authorization: 'Bearer <key>' }`. */
export function authHeaders(key: string): JsonObject {
  return { Authorization: bearer(key) };
}

function keyFromAuthValue(value: string, details: EntryDetails): void {
  const token = value.startsWith(BEARER_PREFIX) ? value.slice(BEARER_PREFIX.length).trim() : value.trim();
  if (VARIABLE_REFERENCE.test(token)) details.keyReference = token;
  else if (token) details.key = token;
}

function keyFromHeaders(headers: unknown, details: EntryDetails): void {
  if (!isRecord(headers)) return;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'x-api-key') {
      keyFromAuthValue(value, details);
      return;
    }
  }
}

function keyFromUrl(url: string, details: EntryDetails): void {
  if (details.key || details.keyReference) return;
  try {
    const key = new URL(url).searchParams.get('api_key');
    if (key) keyFromAuthValue(key, details);
  } catch {
    // not a URL: nothing to read
  }
}

/** Read back a remote-HTTP entry whose URL sits under `urlField` (`url`, `serverUrl`, `httpUrl`). */
export function inspectHttpEntry(value: unknown, urlField: string): EntryDetails {
  const details: EntryDetails = { transport: 'unknown' };
  if (!isRecord(value)) return details;
  const url = value[urlField];
  if (typeof url === 'string') {
    details.transport = 'http';
    details.url = url;
    keyFromHeaders(value.headers, details);
    keyFromUrl(url, details);
  } else if (typeof value.command === 'string') {
    return inspectStdioEntry(value);
  }
  return details;
}

/** Read back a stdio entry: the Portico bridge (`--url`, env `PORTICO_API_KEY`) or mcp-remote. */
export function inspectStdioEntry(value: unknown): EntryDetails {
  const details: EntryDetails = { transport: 'unknown' };
  if (!isRecord(value) || typeof value.command !== 'string') return details;
  details.transport = 'stdio';
  details.command = value.command;
  const args = Array.isArray(value.args) ? value.args.filter((a): a is string => typeof a === 'string') : [];
  details.args = args;
  const env = isRecord(value.env) ? value.env : {};
  const remoteAt = args.indexOf('mcp-remote');
  if (remoteAt >= 0) {
    const url = args[remoteAt + 1];
    if (url) details.url = url;
    const auth = env.PORTICO_AUTH;
    if (typeof auth === 'string') keyFromAuthValue(auth, details);
    else {
      const header = args.find((a, i) => args[i - 1] === '--header' && /^authorization:/i.test(a));
      if (header) {
        const headerValue = header.slice(header.indexOf(':') + 1);
        if (!VARIABLE_REFERENCE.test(headerValue)) keyFromAuthValue(headerValue, details);
      }
    }
  } else {
    const urlAt = args.indexOf('--url');
    const url =
      urlAt >= 0 ? args[urlAt + 1] : args.find((a) => a.startsWith('--url='))?.slice('--url='.length);
    if (url) details.url = url;
    const key = env.PORTICO_API_KEY;
    if (typeof key === 'string') keyFromAuthValue(key, details);
  }
  if (details.url) keyFromUrl(details.url, details);
  return details;
}

/** The stdio entry that runs `portico bridge`, key in `env` (never in argv). */
export function bridgeEntryValue(input: EntryInput): JsonObject {
  return {
    command: input.bridge.command,
    args: [...input.bridge.args],
    env: { PORTICO_API_KEY: input.key },
  };
}

/**
 * The stdio alternative through mcp-remote: the header value comes from env so the key stays out of
 * argv (and out of `ps`).
 */
export function mcpRemoteEntryValue(input: Pick<EntryInput, 'url' | 'key'>): JsonObject {
  return {
    command: 'npx',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the client's own ${…} variable syntax, not a template
    args: ['-y', 'mcp-remote', input.url, '--header', 'Authorization:${PORTICO_AUTH}'],
    env: { PORTICO_AUTH: bearer(input.key) },
  };
}
