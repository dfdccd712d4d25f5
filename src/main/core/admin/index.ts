import { actionTools } from './actions';
import { authTools } from './auth';
import { catalogTools } from './catalog';
import { clientConfigTools } from './client-config';
import { connectionTools } from './connections';
import { connectorTools } from './connectors';
import { customerTools } from './customers';
import { gatewayTools } from './gateway';
import { keyTools } from './keys';
import { AdminRegistry } from './registry';
import { webhookTools } from './webhooks';

/** Every admin tool, in the order they are listed. */
export function createAdminRegistry(): AdminRegistry {
  return new AdminRegistry([
    ...connectorTools,
    ...catalogTools,
    ...actionTools,
    ...authTools,
    ...connectionTools,
    ...customerTools,
    ...keyTools,
    ...webhookTools,
    ...gatewayTools,
    ...clientConfigTools,
  ]);
}
