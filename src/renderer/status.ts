// Where the page gets the gateway's status: the admin registry's get_gateway_status (typed, via
// IPC in Electron), or the server's public /healthz when the same page is served as the web UI
// and has no admin session yet.
import type { CallResult, ToolOutput } from '../shared/registry';
import { registry, registryReady } from './registry';

export type GatewayStatus =
  | {
      running: true;
      url: string;
      planes: { admin: boolean; gateway: boolean };
      version?: string;
      customers?: number;
    }
  | { running: false; error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Checks a /healthz body rather than trusting it: `{status, version, planes}`. */
export function parseHealthz(body: unknown, url: string): GatewayStatus {
  const planes = isRecord(body) ? body.planes : undefined;
  if (!isRecord(body) || body.status !== 'ok' || !isRecord(planes)) {
    return { running: false, error: 'the server answered /healthz with something unexpected' };
  }
  return {
    running: true,
    url,
    planes: { admin: planes.admin === true, gateway: planes.gateway === true },
    ...(typeof body.version === 'string' ? { version: body.version } : {}),
  };
}

/** What the page shows of get_gateway_status. */
export function fromGatewayStatus(result: CallResult<ToolOutput<'get_gateway_status'>>): GatewayStatus {
  if (!result.ok) return { running: false, error: result.error };
  const { running, url, planes, version, counts } = result.value;
  if (!running || url === null) return { running: false, error: 'the gateway is not listening' };
  return { running: true, url, planes, version, customers: counts.customers };
}

async function fromHealthz(): Promise<GatewayStatus> {
  const response = await fetch('/healthz', { headers: { accept: 'application/json' } });
  if (!response.ok) return { running: false, error: `/healthz answered HTTP ${response.status}` };
  return parseHealthz(await response.json(), window.location.origin);
}

export async function loadStatus(): Promise<GatewayStatus> {
  try {
    if (registryReady) return fromGatewayStatus(await registry.call('get_gateway_status', {}));
    return await fromHealthz();
  } catch (error) {
    return { running: false, error: error instanceof Error ? error.message : String(error) };
  }
}
