import type { Generated } from 'kysely';

/**
 * The workspace's SQL tables, the same on SQLite and PostgreSQL. Records keep their scalar keys
 * in columns (for lookups and indexes) and the whole validated record as JSON in `data`, which is
 * parsed with the record's zod schema when read back.
 */
export interface Tables {
  settings: { key: string; data: string };
  customers: { id: string; name: string; data: string };
  connectors: { id: string; slug: string; kind: string; data: string };
  /** A connector's actions, one row each: importing 1,000 operations writes 1,000 small rows. */
  actions: { connector_id: string; name: string; position: number; data: string };
  auth_configs: { connector_id: string; data: string };
  connections: { id: string; customer_id: string; connector_id: string; data: string };
  webhooks: { id: string; data: string };
  api_keys: { id: string; data: string };
  /** One row per changed record per commit: other processes catch up by reading past their revision. */
  changes: { rev: Generated<number>; collection: string; record_id: string; at: string };
  activity: {
    id: string;
    at: string;
    plane: string;
    entry_point: string;
    customer_id: string | null;
    key_id: string | null;
    tool: string;
    duration_ms: number;
    outcome: string;
    error: string | null;
    /** Since 0002: what an entry records beyond its tool (an approval's decision). */
    detail: string | null;
  };
  key_usage: { key_id: string; last_used_at: string };
  /**
   * The webhook outbox: one row per event per subscribed webhook. A dispatcher claims due rows
   * for `claimed_until` (epoch ms); a claim whose lease ran out is taken over by another process.
   */
  webhook_deliveries: {
    /** The message id (`webhook-id` header), the same on every attempt. */
    id: string;
    webhook_id: string;
    event: string;
    attempts: number;
    next_attempt_at: number;
    /** 'pending' | 'delivered' | 'failed' | 'cancelled'. */
    state: string;
    claimed_by: string | null;
    claimed_until: number | null;
    created_at: string;
  };
  /** One row per attempt (test_webhook's too), newest = highest seq; pruned to the newest few thousand. */
  webhook_attempts: {
    seq: Generated<number>;
    delivery_id: string;
    webhook_id: string;
    event_type: string;
    attempt: number;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
    at: string;
    state: string;
    next_attempt_at: string | null;
  };
  oauth_pending: { state: string; data: string; expires_at: number };
  /** Since 0003: MCP clients registered with Portico's authorization server (RFC 7591). */
  oauth_clients: { id: string; data: string; created_at: string };
  /** Since 0003: an MCP client's approved access to one plane (and customers); its tokens die with it. */
  oauth_grants: {
    id: string;
    client_id: string;
    plane: string;
    data: string;
    created_at: string;
    revoked_at: string | null;
  };
  /**
   * Since 0003: authorization requests awaiting consent, codes, access and refresh tokens — each by
   * the SHA-256 of its secret (a request by its id), with its expiry (epoch ms) and, once used, when.
   */
  oauth_tokens: {
    hash: string;
    kind: string;
    grant_id: string | null;
    data: string | null;
    expires_at: number;
    used_at: number | null;
  };
  /**
   * Since 0004: tool calls waiting for approval and recent decisions; `data` is the approval as
   * list_approvals shows it (arguments with connection secrets masked).
   */
  approvals: {
    id: string;
    customer_id: string;
    status: string;
    created_at: string;
    expires_at: string;
    decided_at: string | null;
    data: string;
    /** Since 0007: the MCP session that asked (for "allow for this session"). */
    session_ref: string | null;
  };
  /**
   * Since 0005 (used on PostgreSQL only): an open MCP session, for any replica to serve it; `client`
   * is JSON `{capabilities, clientInfo}` from its initialize; times are epoch ms.
   */
  mcp_sessions: {
    id: string;
    plane: string;
    key_id: string;
    customer_id: string | null;
    protocol_version: string;
    client: string;
    logging_level: string | null;
    created_at: number;
    last_seen: number;
  };
  /**
   * Since 0006 (used on PostgreSQL only): a limited key's or customer's token bucket, by subject
   * (`key:ID` / `customer:ID`); `at` is the database clock in epoch ms when `tokens` was counted.
   */
  rate_buckets: {
    subject: string;
    per_minute: number;
    tokens: number;
    at: number;
    refused_in_row: number;
    /** Calls in flight under a concurrency limit: one per lease row (expired leases are taken back). */
    inflight: number;
  };
  /** Since 0006: one row per call in flight under a concurrency limit, until released or expired. */
  rate_leases: { id: string; subject: string; expires_at: number };
  /**
   * Since 0007 (PostgreSQL only): a message sent on a session's standalone GET stream, replayed to
   * a client that reconnects (to any replica) with `Last-Event-ID`; `message` is JSON.
   */
  mcp_events: {
    id: Generated<number>;
    session_id: string;
    stream_id: string;
    message: string;
    created_at: number;
  };
  /** Since 0007 (PostgreSQL only): a resource a session subscribed to, re-subscribed where it goes on. */
  mcp_subscriptions: { session_id: string; uri: string };
}
