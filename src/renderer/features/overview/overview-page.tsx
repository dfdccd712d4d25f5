// The first page: is each plane serving (with its switch), where to point clients, how big the
// workspace is, and how the last 24 hours went.
import { CopyableUrl, Switch } from '../../common/controls';
import { QueryState, useToast } from '../../common/feedback';
import { Page, Section } from '../../common/page';
import { useTool, useToolMutation } from '../../common/queries';
import { ActivityChart, type HourBucket } from './activity-chart';

/** Calls since local midnight, from hourly UTC buckets (an hour that straddles midnight counts). */
function sinceMidnight(buckets: readonly HourBucket[]): { calls: number; errors: number } {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const today = buckets.filter((b) => Date.parse(b.hour) + 3_600_000 > midnight.getTime());
  return {
    calls: today.reduce((n, b) => n + b.calls, 0),
    errors: today.reduce((n, b) => n + b.errors, 0),
  };
}

function Stat({ label, value }: { label: string; value: number | string }) {
  return (
    <div className="card stat">
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

function PlaneRow({
  plane,
  title,
  on,
  url,
}: {
  plane: 'admin' | 'gateway';
  title: string;
  on: boolean;
  url: string;
}) {
  const toast = useToast();
  const toggle = useToolMutation('set_plane_enabled');
  return (
    <div className="plane-row">
      <div>
        <h3>{title}</h3>
        <CopyableUrl url={url} label={`${title} URL`} />
      </div>
      <Switch
        label={`${title} on or off`}
        checked={on}
        disabled={toggle.isPending}
        onChange={(enabled) =>
          toggle.mutate(
            { plane, enabled },
            { onSuccess: (r) => toast.success(r.message), onError: (e) => toast.error(e) },
          )
        }
      />
    </div>
  );
}

export function OverviewPage() {
  const status = useTool('get_gateway_status', {});
  const stats = useTool('get_activity_stats', { hours: 24 });
  const s = status.data;
  const today = stats.data ? sinceMidnight(stats.data.buckets) : undefined;
  return (
    <Page title="Overview">
      <QueryState query={status} what="the gateway status" />
      {s && (
        <>
          <Section title="Planes">
            {!s.running || !s.url ? (
              <p className="error-box">The gateway is not running.</p>
            ) : (
              <>
                <PlaneRow
                  plane="admin"
                  title="Admin MCP (control plane)"
                  on={s.planes.admin}
                  url={`${s.url}/mcp/admin`}
                />
                <PlaneRow
                  plane="gateway"
                  title="Customer gateway (data plane)"
                  on={s.planes.gateway}
                  url={`${s.url}/mcp/gateway?customer_id=CUSTOMER_ID`}
                />
              </>
            )}
          </Section>
          <div className="grid stats">
            <Stat label="Customers" value={s.counts.customers} />
            <Stat label="Connectors" value={s.counts.connectors} />
            <Stat label="Connections" value={s.counts.connections} />
            <Stat label="Calls today" value={today?.calls ?? '…'} />
            <Stat label="Errors today" value={today?.errors ?? '…'} />
          </div>
          <Section title="Last 24 hours">
            <QueryState query={stats} what="activity" />
            {stats.data && <ActivityChart buckets={stats.data.buckets} />}
          </Section>
          <Section title="This workspace">
            <dl className="props">
              <dt>Version</dt>
              <dd>{s.version}</dd>
              <dt>Data dir</dt>
              <dd>{s.data_dir}</dd>
              <dt>Workspace</dt>
              <dd>{s.database}</dd>
              <dt>Secrets</dt>
              <dd>{s.secrets}</dd>
            </dl>
          </Section>
        </>
      )}
    </Page>
  );
}
