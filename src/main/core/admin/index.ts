import type { z } from 'zod';
import { actionTools } from './actions';
import { authTools } from './auth';
import { catalogTools } from './catalog';
import { clientConfigTools } from './client-config-tools';
import { connectionTools } from './connections';
import { connectorTools } from './connectors';
import { customerTools } from './customers';
import { gatewayTools } from './gateway';
import { keyTools } from './keys';
import { oauthConnectTools } from './oauth-connect';
import { AdminRegistry, type CallResult } from './registry';
import { webhookTools } from './webhooks';

/** Every admin tool, in the order they are listed. */
export const adminTools = [
  ...connectorTools,
  ...catalogTools,
  ...actionTools,
  ...authTools,
  ...connectionTools,
  ...oauthConnectTools,
  ...customerTools,
  ...keyTools,
  ...webhookTools,
  ...gatewayTools,
  ...clientConfigTools,
] as const;

type AnyTool = (typeof adminTools)[number];
/** The name of every admin operation. */
export type ToolName = AnyTool['name'];
type ToolNamed<N extends ToolName> = Extract<AnyTool, { name: N }>;
/** What a caller passes to a tool (before defaults are applied). */
export type ToolInput<N extends ToolName> = z.input<ToolNamed<N>['input']>;
/** What a tool returns. */
export type ToolOutput<N extends ToolName> = z.output<ToolNamed<N>['output']>;

/** The registry as every caller sees it — in process, over /api, IPC or the CLI: typed end to end. */
export interface RegistryClient {
  call<N extends ToolName>(name: N, input: ToolInput<N>): Promise<CallResult<ToolOutput<N>>>;
}

export function adminRegistry(log?: (line: string) => void): AdminRegistry {
  return new AdminRegistry(adminTools, log);
}
