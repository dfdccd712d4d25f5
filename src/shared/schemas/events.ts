/** Workspace and gateway events; webhooks subscribe to these (Standard Webhooks `type`). */
export const EVENT_TYPES = [
  'tool.called',
  'tool.failed',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'connector.created',
  'connector.updated',
  'connector.deleted',
  'key.created',
  'key.revoked',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
