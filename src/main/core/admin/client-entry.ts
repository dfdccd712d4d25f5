import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyApiKey } from '../auth/api-keys';
import {
  type ClientDefinition,
  cursorInstallLink,
  type EntryInput,
  type ExpectedEntry,
  isRecord,
  type ServerEntry,
  vscodeInstallLink,
} from '../clients';
import type { Workspace } from '../store/schema';
import { externalUrl } from '../store/server-info';
import { type ClientTarget, entryName } from './client-config';
import { type AdminContext, ToolError } from './registry';

/**
 * What an AI client's config entry for Portico is made of: the gateway URL, the `portico bridge`
 * launch line and the key — the same for every caller of the client-config tools.
 */

/**
 * `http://host:port` for a bind address; a wildcard bind is reached over loopback. The one place
 * for it: the server's own URL (app.ts) and the bridge's configured address use it too.
 */
export function baseUrlOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** The running server's URL, else the configured host and port (what `portico serve` would use). */
export function gatewayBaseUrl(ctx: AdminContext): string {
  const running = externalUrl(ctx.server());
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

/** The one-click install link for clients that have one (no real key in it). */
export function deeplinkFor(client: ClientDefinition, name: string, url: string): string | undefined {
  if (client.id === 'cursor') return cursorInstallLink({ name, url });
  if (client.id === 'vscode') return vscodeInstallLink({ name, url });
  return undefined;
}
