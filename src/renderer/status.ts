// Where the page gets the gateway's status: the preload's IPC in Electron, or the
// server's /healthz when the same page is served as the headless web UI.

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

export async function loadStatus(): Promise<GatewayStatus> {
  try {
    if (window.portico) return await window.portico.getStatus();
    const response = await fetch('/healthz', { headers: { accept: 'application/json' } });
    if (!response.ok) return { running: false, error: `/healthz answered HTTP ${response.status}` };
    return parseHealthz(await response.json(), window.location.origin);
  } catch (error) {
    return { running: false, error: error instanceof Error ? error.message : String(error) };
  }
}
