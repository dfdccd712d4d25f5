import { gatewayStatus } from '../core/admin/gateway';
import { openCliContext } from './context';
import { type CliIO, json } from './output';

/** `portico status`: is a server running for this data dir, where, which planes, how secrets are kept. */
export function statusCommand(dataDir: string, asJson: boolean, io: CliIO): number {
  const ctx = openCliContext(dataDir);
  const status = gatewayStatus(ctx);
  if (asJson) {
    io.out(json(status));
    return 0;
  }
  const onOff = (on: boolean) => (on ? 'on' : 'off');
  io.out(
    [
      status.running
        ? `Portico is running at ${status.url} (pid ${status.pid}).`
        : 'Portico is not running for this data dir.',
      `Planes: admin ${onOff(status.running ? status.planes.admin : status.configured_planes.admin)}, gateway ${onOff(status.running ? status.planes.gateway : status.configured_planes.gateway)}${status.running ? '' : ' (configured)'}`,
      `Data dir: ${status.data_dir}`,
      `Secrets: ${status.secrets}`,
      `Workspace: ${status.counts.customers} customers, ${status.counts.connectors} connectors, ${status.counts.connections} connections, ${status.counts.api_keys} active API keys`,
    ].join('\n'),
  );
  return 0;
}
