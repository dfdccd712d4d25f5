import { baseUrlOf } from '../../core/admin/client-entry';
import { readStoredSettingsSync } from '../../core/store/database';
import { readServerInfo } from '../../core/store/server-info';

/** Where `portico serve` listens when nothing says otherwise. */
export const DEFAULT_BASE = 'http://127.0.0.1:7430';

export interface Endpoint {
  url: URL;
  /** Where the address came from, for the "not running" message. */
  source: string;
}

/** What picks the plane's URL: the bridge's flags and the data dir it serves. */
export interface EndpointTarget {
  dataDir: string;
  plane: 'admin' | 'gateway';
  customer?: string;
  url?: string;
}

/** The configured host and port of the data dir's workspace, when it has one. */
function configuredBase(dataDir: string): string | undefined {
  const settings = readStoredSettingsSync(dataDir);
  if (!settings || typeof settings !== 'object') return undefined;
  const { host: rawHost, port: rawPort } = settings as { host?: unknown; port?: unknown };
  const host = typeof rawHost === 'string' ? rawHost : '127.0.0.1';
  const port = typeof rawPort === 'number' && rawPort > 0 ? rawPort : 7430;
  return baseUrlOf(host, port);
}

/**
 * Where the plane is: --url, else the running server of the data dir, else the last place that
 * answered, else the configured or default address. Asked again on every (re)connection, because a
 * restarted gateway may have come back on another port (`--port 0`).
 */
export function resolveEndpoint(target: EndpointTarget, lastGoodBase: string | undefined): Endpoint {
  const { dataDir, url } = target;
  let base: string;
  let source: string;
  if (url) {
    base = url;
    source = 'the address given with --url';
  } else {
    const running = readServerInfo(dataDir)?.url;
    if (running) {
      base = running;
      source = `the server running for data dir ${dataDir}`;
    } else if (lastGoodBase) {
      base = lastGoodBase;
      source = `no server is running for data dir ${dataDir} now; this is where it last answered`;
    } else {
      const configured = configuredBase(dataDir);
      base = configured ?? DEFAULT_BASE;
      source = `no server is running for data dir ${dataDir}; this is the ${configured ? 'configured' : 'default'} address`;
    }
  }
  const endpoint = new URL(base);
  if (endpoint.pathname === '/' || endpoint.pathname === '') {
    endpoint.pathname = target.plane === 'admin' ? '/mcp/admin' : '/mcp/gateway';
  }
  const { customer } = target;
  if (
    target.plane === 'gateway' &&
    customer &&
    !endpoint.searchParams.has('customer_id') &&
    !endpoint.searchParams.has('endOrgId')
  ) {
    endpoint.searchParams.set('customer_id', customer);
  }
  return { url: endpoint, source };
}
