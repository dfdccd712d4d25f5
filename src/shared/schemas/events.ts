/** Workspace and gateway events; webhooks subscribe to these (Standard Webhooks `type`). */
export const EVENT_TYPES = [
  'tool.called',
  'tool.failed',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'connection.expired',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'connector.created',
  'connector.updated',
  'connector.deleted',
  'key.created',
  'key.revoked',
  'approval.requested',
  'approval.decided',
  'tool.changed',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
