import { type CliTarget, openCliRegistry } from './context';
import { type CliIO, json } from './output';

/**
 * `portico status`: is a server running for this data dir, where, which planes, where the
 * workspace lives, how secrets are kept. Read-only: it creates, moves or changes nothing.
 */
export async function statusCommand(
  target: Omit<CliTarget, 'readOnly'>,
  asJson: boolean,
  io: CliIO,
): Promise<number> {
  const session = await openCliRegistry({ ...target, readOnly: true });
  try {
    const result = await session.client.call('get_gateway_status', {});
    if (!result.ok) {
      io.err(result.error);
      return 1;
    }
    const status = result.value;
    if (asJson) {
      io.out(json(status));
      return 0;
    }
    const onOff = (on: boolean) => (on ? 'on' : 'off');
    const planes = status.running ? status.planes : status.configured_planes;
    io.out(
      [
        status.running
          ? `Portico is running at ${status.url} (pid ${status.pid}).`
          : 'Portico is not running for this data dir.',
        `Planes: admin ${onOff(planes.admin)}, gateway ${onOff(planes.gateway)}${status.running ? '' : ' (configured)'}`,
        `Data dir: ${status.data_dir}`,
        `Workspace: ${status.database}`,
        `Secrets: ${status.secrets}`,
        `Workspace: ${status.counts.customers} customers, ${status.counts.connectors} connectors, ${status.counts.connections} connections, ${status.counts.api_keys} active API keys`,
      ].join('\n'),
    );
    return 0;
  } finally {
    await session.close();
  }
}
