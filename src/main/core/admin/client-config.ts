import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { maskedKey, verifyApiKey } from '../auth/api-keys';
import {
  CLIENT_IDS,
  type ClientDefinition,
  type ClientId,
  configPathFor,
  cursorInstallLink,
  type EntryInput,
  type ExpectedEntry,
  entryNameFor,
  getClient,
  isRecord,
  PORTICO_PREFIX,
  type ServerEntry,
  vscodeInstallLink,
} from '../clients';
import { planeName, type Workspace } from '../store/schema';
import { mintKey } from './keys';
import { type AdminContext, defineTool, ToolError } from './registry';

/**
 * What an AI client's config entry for Portico is made of — the gateway URL, the `portico bridge`
 * launch line, a key minted for that client — shared by `portico clients …` and get_client_config.
 */

export interface ClientTarget {
  plane: 'admin' | 'gateway';
  customerId?: string;
}

/** Stands for the key wherever it is not shown: same shape as a masked key elsewhere. */
export const KEY_MASK = maskedKey('••••••••');

/** The target of a `plane` + optional customer, checked against the workspace. */
export function resolveTarget(ws: Workspace, plane: 'admin' | 'gateway', customerId?: string): ClientTarget {
  if (plane === 'admin') {
    if (customerId) {
      throw new ToolError(
        'The admin plane is not per customer: drop the customer, or use plane "gateway" for a customer.',
      );
    }
    return { plane };
  }
  if (!customerId) {
    throw new ToolError(
      'The gateway plane serves one customer per entry: give the customer id (--customer ID / customer_id).',
    );
  }
  if (!ws.customers[customerId]) {
    throw new ToolError(
      `Unknown customer "${customerId}". Create it first (create_customer) or list them with list_customers.`,
    );
  }
  return { plane, customerId };
}

/** `portico-admin` → admin; `portico-<id>` → that customer's gateway. */
export function targetFromEntryName(name: string): ClientTarget | undefined {
  if (!name.startsWith(PORTICO_PREFIX)) return undefined;
  const rest = name.slice(PORTICO_PREFIX.length);
  if (rest === 'admin') return { plane: 'admin' };
  return rest ? { plane: 'gateway', customerId: rest } : undefined;
}

export function entryName(target: ClientTarget): string {
  return entryNameFor(target.plane, target.customerId);
}

/** `http://host:port` for a bind address; a wildcard bind is reached over loopback. */
function baseUrlOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** The running server's URL, else the configured host and port (what `portico serve` would use). */
export function gatewayBaseUrl(ctx: AdminContext): string {
  const running = ctx.server()?.url;
  if (running) return running;
  const { host, port } = ctx.store.data.settings;
  return baseUrlOf(host, port || 7430);
}

/** The plane's Streamable HTTP endpoint under `base`. */
export function planeUrl(base: string, target: ClientTarget): string {
  const url = new URL(base);
  url.pathname = target.plane === 'admin' ? '/mcp/admin' : '/mcp/gateway';
  url.search = '';
  if (target.plane === 'gateway' && target.customerId) url.searchParams.set('customer_id', target.customerId);
  return url.href;
}

let porticoBin: string | undefined;

/**
 * The absolute path of `bin/portico.js`: found by walking up from this module (source, bundle or
 * chunk alike) to the package that owns it.
 */
export function porticoBinPath(): string {
  if (porticoBin) return porticoBin;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i += 1) {
    const bin = join(dir, 'bin', 'portico.js');
    const pkg = join(dir, 'package.json');
    if (existsSync(bin) && existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'portico') {
          porticoBin = realpathSync(bin);
          return porticoBin;
        }
      } catch {
        // not our package.json: keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ToolError(
    'Cannot find bin/portico.js next to this Portico installation, so a `portico bridge` entry cannot be written. Reinstall Portico or use an HTTP client entry.',
  );
}

export interface BridgeLaunch {
  command: string;
  args: string[];
  /** Extra environment the launch needs besides the key (ELECTRON_RUN_AS_NODE inside the desktop app). */
  env: Record<string, string>;
}

/**
 * How a GUI client starts `portico bridge` without a shell PATH: the absolute path of this Node (or
 * of Electron, run as Node) and of the CLI script, the plane, and the data dir the bridge reads the
 * running server's address from. The key is never in here.
 */
export function bridgeLaunch(dataDir: string, target: ClientTarget): BridgeLaunch {
  const args = [porticoBinPath(), 'bridge', '--plane', target.plane];
  if (target.customerId) args.push('--customer', target.customerId);
  args.push('--data-dir', dataDir);
  const env: Record<string, string> = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  return { command: process.execPath, args, env };
}

/** The entry `client` gets for `target` with `key`, exactly as add writes it. */
export function clientEntry(
  ctx: AdminContext,
  client: ClientDefinition,
  target: ClientTarget,
  key: string,
): { entry: ServerEntry; url: string } {
  const url = planeUrl(gatewayBaseUrl(ctx), target);
  const launch = client.transport === 'stdio' ? bridgeLaunch(ctx.store.dataDir, target) : undefined;
  const input: EntryInput = {
    name: entryName(target),
    url,
    key,
    bridge: launch ? { command: launch.command, args: launch.args } : { command: '', args: [] },
  };
  const entry = client.buildEntry(input);
  if (launch && Object.keys(launch.env).length && isRecord(entry.value.env)) {
    entry.value.env = { ...launch.env, ...entry.value.env };
  }
  return { entry, url };
}

/** Whether a key still opens `target`: known here, not revoked, the right scope and customer. */
export function keyValidFor(ws: Workspace, target: ClientTarget): (key: string) => boolean {
  return (key) => {
    const check = verifyApiKey(key, ws.apiKeys);
    if (!check.ok || check.key.scope !== target.plane) return false;
    const { customers } = check.key;
    return target.plane === 'admin' || !customers || customers.includes(target.customerId ?? '');
  };
}

/** What an entry for `target` should say now, for entryStatus. */
export function expectedEntry(
  ctx: AdminContext,
  client: ClientDefinition,
  target: ClientTarget,
): ExpectedEntry {
  const launch = client.transport === 'stdio' ? bridgeLaunch(ctx.store.dataDir, target) : undefined;
  return {
    url: planeUrl(gatewayBaseUrl(ctx), target),
    keyValid: keyValidFor(ctx.store.data, target),
    ...(launch ? { bridge: { command: launch.command, args: launch.args } } : {}),
  };
}

/** The id of a key that is this workspace's own (its secret matches) and not yet revoked. */
export function liveKeyId(ws: Workspace, key: string | undefined): string | undefined {
  if (!key) return undefined;
  const check = verifyApiKey(key, ws.apiKeys);
  return check.ok ? check.key.id : undefined;
}

/** What a key minted for a client is called, so it can be found and revoked on its own. */
export function clientKeyName(client: ClientDefinition, target: ClientTarget, via: string): string {
  const forWhom = target.plane === 'gateway' ? `, customer ${target.customerId}` : '';
  return `${client.displayName}${forWhom} (${via})`;
}

/** Mints a key for one client: scope = plane, restricted to the customer on the gateway plane. */
export function mintClientKey(
  ctx: AdminContext,
  client: ClientDefinition,
  target: ClientTarget,
  via: string,
): { id: string; key: string } {
  const { record, key } = ctx.store.mutate((ws) =>
    mintKey(ws, {
      name: clientKeyName(client, target, via),
      scope: target.plane,
      customers: target.customerId ? [target.customerId] : null,
    }),
  );
  ctx.events.emit('key.created', { key_id: record.id, name: record.name, scope: record.scope });
  return { id: record.id, key };
}

/** Revokes keys by id (those already revoked or gone are skipped); returns the ids it revoked. */
export function revokeKeys(ctx: AdminContext, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const revoked = ctx.store.mutate((ws) => {
    const done: { id: string; name: string }[] = [];
    for (const id of ids) {
      const key = ws.apiKeys[id];
      if (!key || key.revokedAt) continue;
      key.revokedAt = new Date().toISOString();
      done.push({ id, name: key.name });
    }
    return done;
  });
  for (const key of revoked) ctx.events.emit('key.revoked', { key_id: key.id, name: key.name });
  return revoked.map((k) => k.id);
}

/** The one-click install link for clients that have one (no real key in it). */
export function deeplinkFor(client: ClientDefinition, name: string, url: string): string | undefined {
  if (client.id === 'cursor') return cursorInstallLink({ name, url });
  if (client.id === 'vscode') return vscodeInstallLink({ name, url });
  return undefined;
}

export const clientIdSchema = z.enum(CLIENT_IDS as [ClientId, ...ClientId[]]);

export function clientById(id: string): ClientDefinition {
  const client = getClient(id);
  if (!client) {
    throw new ToolError(`Unknown client "${id}". Known clients: ${CLIENT_IDS.join(', ')}.`);
  }
  return client;
}

const getClientConfig = defineTool({
  name: 'get_client_config',
  title: 'Get an AI client config entry',
  description:
    'The config entry that connects an AI client (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, …) to a Portico plane: ' +
    'the file it belongs in, the server name and the entry, plus a one-click install link for Cursor and VS Code. ' +
    'Writes no file. The key is masked unless include_key is true: then a fresh key is minted for this client and shown in the entry once.',
  input: z.strictObject({
    client: clientIdSchema.describe(`The AI client: ${CLIENT_IDS.join(', ')}.`),
    plane: planeName.describe('"admin" (control plane) or "gateway" (a customer\'s data plane).'),
    customer_id: z.string().optional().describe('Gateway plane only: the customer the entry is for.'),
    include_key: z
      .boolean()
      .default(false)
      .describe('Mint a new key for this client and put it in the entry (shown only in this response).'),
  }),
  output: z.object({
    client: clientIdSchema,
    display_name: z.string(),
    transport: z
      .enum(['http', 'stdio'])
      .describe('How the client talks to Portico: HTTP, or stdio through `portico bridge`.'),
    path: z.string().describe("The client's config file on this machine."),
    server_name: z.string().describe('The key of the entry in the servers map.'),
    root_key: z.string().describe('The map in the config file that holds the entry.'),
    entry: z
      .record(z.string(), z.unknown())
      .describe('The entry value. The key is masked unless include_key minted one.'),
    key_id: z.string().optional().describe('The id of the key minted for this entry (include_key only).'),
    deeplink: z.string().optional().describe('One-click install link (Cursor, VS Code); it carries no key.'),
    restart_hint: z.string().describe('What the user does for the client to pick the entry up.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  handler({ client: clientId, plane, customer_id, include_key }, ctx) {
    const client = clientById(clientId);
    const target = resolveTarget(ctx.store.data, plane, customer_id);
    const minted = include_key ? mintClientKey(ctx, client, target, 'get_client_config') : undefined;
    const { entry, url } = clientEntry(ctx, client, target, minted?.key ?? KEY_MASK);
    const path = configPathFor(client);
    const deeplink = deeplinkFor(client, entry.name, url);
    return {
      client: client.id,
      display_name: client.displayName,
      transport: client.transport,
      path,
      server_name: entry.name,
      root_key: client.rootKey,
      entry: entry.value,
      ...(minted ? { key_id: minted.id } : {}),
      ...(deeplink ? { deeplink } : {}),
      restart_hint: client.restart.hint,
    };
  },
});

export const clientConfigTools = [getClientConfig] as const;
