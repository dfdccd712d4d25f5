import type { Migration } from 'kysely/migration';
import {
  activityDetail,
  approvalsTable,
  initialSchema,
  mcpSessionState,
  mcpSessionsTable,
  oauthForClients,
  rateLimitsTables,
} from './shared';

/** PostgreSQL's migrations, in order. Names never change once released; each has a test. */
export const postgresMigrations: Record<string, Migration> = {
  '0001_workspace': initialSchema({ serial: 'bigserial', epochMs: 'bigint' }),
  '0002_activity_detail': activityDetail,
  '0003_oauth_clients': oauthForClients({ serial: 'bigserial', epochMs: 'bigint' }),
  '0004_approvals': approvalsTable,
  '0005_mcp_sessions': mcpSessionsTable({ epochMs: 'bigint', serial: 'bigserial' }),
  '0006_rate_limits': rateLimitsTables,
  '0007_mcp_session_state': mcpSessionState({ epochMs: 'bigint', serial: 'bigserial' }),
};
