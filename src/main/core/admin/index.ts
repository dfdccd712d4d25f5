import type { ToolName } from '../../../shared/registry';
import { actionTools } from './actions';
import { approvalTools } from './approvals';
import { authTools } from './auth';
import { catalogTools } from './catalog';
import { clientConfigTools } from './client-config-tools';
import { connectionTools } from './connections';
import { connectorTools } from './connectors';
import { curationTools } from './curation';
import { customerTools } from './customers';
import { gatewayTools } from './gateway';
import { governanceTools } from './governance';
import { keyTools } from './keys';
import { oauthClientTools } from './oauth-clients';
import { oauthConnectTools } from './oauth-connect';
import { portabilityTools } from './portability';
import { AdminRegistry } from './registry';
import { toolPinningTools } from './tool-pinning';
import { webhookTools } from './webhooks';

// The typed client is derived from the contracts in src/shared, which the renderer and preload share.
export type { RegistryClient, ToolInput, ToolName, ToolOutput } from '../../../shared/registry';

/** Every admin tool — each a shared contract with its handler — in the order they are listed. */
export const adminTools = [
  ...connectorTools,
  ...catalogTools,
  ...actionTools,
  ...authTools,
  ...connectionTools,
  ...oauthConnectTools,
  ...customerTools,
  ...keyTools,
  ...oauthClientTools,
  ...webhookTools,
  ...gatewayTools,
  ...governanceTools,
  ...approvalTools,
  ...toolPinningTools,
  ...curationTools,
  ...clientConfigTools,
  ...portabilityTools,
] as const;

/** Every contract has a handler and every handler a contract (the order is checked by a test). */
type Implemented = (typeof adminTools)[number]['name'];
const everyContractImplemented: [Exclude<ToolName, Implemented>, Exclude<Implemented, ToolName>] extends [
  never,
  never,
]
  ? true
  : never = true;
void everyContractImplemented;

export function adminRegistry(log?: (line: string) => void): AdminRegistry {
  return new AdminRegistry(adminTools, log);
}
