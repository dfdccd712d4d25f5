// Placeholder page: shows whether the gateway runs and which planes are on. The real
// workspace UI (customers, connectors, keys) replaces this in a later issue.
import { useCallback, useEffect, useState } from 'react';
import { onWorkspaceChange } from './registry';
import { type GatewayStatus, loadStatus } from './status';

/** Where no change events arrive (the web UI), polling keeps the page honest when the tray flips a plane. */
const REFRESH_MS = 5_000;

function OnOff({ on }: { on: boolean }) {
  return <span className={on ? 'on' : 'off'}>{on ? 'On' : 'Off'}</span>;
}

function StatusList({ status }: { status: GatewayStatus }) {
  if (!status.running) {
    return (
      <dl className="status">
        <dt>Gateway</dt>
        <dd className="error">Not running: {status.error}</dd>
      </dl>
    );
  }
  return (
    <dl className="status">
      <dt>Gateway</dt>
      <dd>Listening on {status.url}</dd>
      <dt>Admin MCP (control plane)</dt>
      <dd>
        <OnOff on={status.planes.admin} />
      </dd>
      <dt>Customer gateway (data plane)</dt>
      <dd>
        <OnOff on={status.planes.gateway} />
      </dd>
      {status.customers !== undefined && (
        <>
          <dt>Customers</dt>
          <dd>{status.customers}</dd>
        </>
      )}
      {status.version !== undefined && (
        <>
          <dt>Version</dt>
          <dd>{status.version}</dd>
        </>
      )}
    </dl>
  );
}

export function App() {
  const [status, setStatus] = useState<GatewayStatus | null>(null);
  const refresh = useCallback(() => {
    void loadStatus().then(setStatus);
  }, []);

  useEffect(() => {
    refresh();
    // The desktop app tells the page when the workspace changes; the web UI asks now and then.
    const unsubscribe = onWorkspaceChange(refresh);
    if (unsubscribe) return unsubscribe;
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <main>
      <h1>Portico</h1>
      <p className="subtitle">Local MCP gateway</p>
      {status ? <StatusList status={status} /> : <p aria-busy="true">Checking the gateway…</p>}
      <button type="button" onClick={refresh}>
        Refresh
      </button>
    </main>
  );
}
