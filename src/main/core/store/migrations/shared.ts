import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** A dialect's column types: the two migration lists differ only where the engines do. */
export interface ColumnTypes {
  /** An auto-incrementing primary key. */
  serial: 'integer' | 'bigserial';
  /** Epoch milliseconds. */
  epochMs: 'integer' | 'bigint';
}

/** Version 1: the whole workspace, activity, key usage, the webhook outbox and pending OAuth logins. */
export function initialSchema(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const table = (name: string) => db.schema.createTable(name);
      await table('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await table('customers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await table('connectors')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await table('actions')
        .addColumn('connector_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('actions_pk', ['connector_id', 'name'])
        .execute();
      await table('auth_configs')
        .addColumn('connector_id', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await table('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('connector_id', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('connections_customer').on('connections').column('customer_id').execute();
      for (const name of ['webhooks', 'api_keys']) {
        await table(name)
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
      }
      await table('changes')
        .addColumn('rev', types.serial, (c) =>
          types.serial === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('collection', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await table('activity')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('plane', 'text', (c) => c.notNull())
        .addColumn('entry_point', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('key_id', 'text')
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('activity_at').on('activity').columns(['at', 'id']).execute();
      await table('key_usage')
        .addColumn('key_id', 'text', (c) => c.primaryKey())
        .addColumn('last_used_at', 'text', (c) => c.notNull())
        .execute();
      await table('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', types.epochMs, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claimed_until', types.epochMs)
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['state', 'next_attempt_at'])
        .execute();
      // Pending counts and discards per webhook.
      await db.schema
        .createIndex('webhook_deliveries_webhook')
        .on('webhook_deliveries')
        .columns(['webhook_id', 'state'])
        .execute();
      await table('webhook_attempts')
        .addColumn('seq', types.serial, (c) =>
          types.serial === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text')
        .execute();
      await db.schema
        .createIndex('webhook_attempts_webhook')
        .on('webhook_attempts')
        .columns(['webhook_id', 'seq'])
        .execute();
      // Pruning finds finished deliveries whose attempts all aged out of the log.
      await db.schema
        .createIndex('webhook_attempts_delivery')
        .on('webhook_attempts')
        .column('delivery_id')
        .execute();
      await table('oauth_pending')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', types.epochMs, (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * Migrations a read-only open may find not yet applied: they only add what readers do without
 * (`portico keys list` on a database the server has not upgraded yet still works).
 */
export const READ_COMPATIBLE = new Set([
  '0002_activity_detail',
  '0003_oauth_clients',
  '0004_approvals',
  '0005_mcp_sessions',
  '0006_rate_limits',
  '0007_mcp_session_state',
]);

/** Version 2: a short detail per activity entry (an approval's tool and decision), never arguments. */
export const activityDetail: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('activity').addColumn('detail', 'text').execute();
  },
};

/** Version 3: OAuth for MCP clients — registered clients, grants, and requests, codes and tokens (hashed). */
export function oauthForClients(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oauth_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('oauth_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('plane', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('oauth_tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        .addColumn('data', 'text')
        .addColumn('expires_at', types.epochMs, (c) => c.notNull())
        .addColumn('used_at', types.epochMs)
        .execute();
      await db.schema.createIndex('oauth_tokens_grant').on('oauth_tokens').column('grant_id').execute();
    },
  };
}

/**
 * Version 4: tool calls waiting for approval, and recent decisions — in the database so that any
 * replica lists and decides them (the first decision wins, by a conditional update).
 */
export const approvalsTable: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('approvals_status')
      .on('approvals')
      .columns(['status', 'created_at'])
      .execute();
  },
};

/**
 * Version 5: open MCP sessions (Streamable HTTP), so that any replica on one PostgreSQL database
 * serves any session: its owner (key or OAuth grant id, customer), what the client sent at
 * initialize (protocol version, capabilities, client info), its logging level, and when it was
 * last used on any replica (epoch ms). Created on SQLite too, where sessions stay in memory.
 */
export function mcpSessionsTable(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mcp_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('plane', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('protocol_version', 'text', (c) => c.notNull())
        .addColumn('client', 'text', (c) => c.notNull())
        .addColumn('logging_level', 'text')
        .addColumn('created_at', types.epochMs, (c) => c.notNull())
        .addColumn('last_seen', types.epochMs, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('mcp_sessions_key')
        .on('mcp_sessions')
        .columns(['key_id', 'plane'])
        .execute();
      await db.schema.createIndex('mcp_sessions_last_seen').on('mcp_sessions').column('last_seen').execute();
    },
  };
}

/**
 * Version 6: rate limits shared by the replicas of one PostgreSQL database (team mode) — a token
 * bucket per limited key or customer, and one lease per call in flight under a concurrency limit
 * (a crashed replica's leases run out). Created on SQLite too, where the limits stay in memory.
 */
export const rateLimitsTables: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('rate_buckets')
      .addColumn('subject', 'text', (c) => c.primaryKey())
      .addColumn('per_minute', 'integer', (c) => c.notNull())
      .addColumn('tokens', 'double precision', (c) => c.notNull())
      .addColumn('at', 'double precision', (c) => c.notNull())
      .addColumn('refused_in_row', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('inflight', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('rate_leases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'double precision', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('rate_leases_subject')
      .on('rate_leases')
      .columns(['subject', 'expires_at'])
      .execute();
  },
};

/**
 * Version 7 (team mode, used on PostgreSQL only): what a session needs on whichever replica serves
 * it next — the events sent on its standalone GET stream, for a client that reconnects with
 * `Last-Event-ID` (kept minutes, not forever), and the resources it subscribed to (both go with
 * their session's row); and which session an approval was asked in ("allow for this session").
 */
export function mcpSessionState(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mcp_events')
        .addColumn('id', types.serial, (c) =>
          types.serial === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        // No foreign key: a replica's copy may send to a session just ended elsewhere, and one such
        // event must not fail the batch it is written with (they go with the session, or in 5 min).
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('created_at', types.epochMs, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('mcp_events_session')
        .on('mcp_events')
        .columns(['session_id', 'id'])
        .execute();
      await db.schema.createIndex('mcp_events_created').on('mcp_events').column('created_at').execute();
      await db.schema
        .createTable('mcp_subscriptions')
        .addColumn('session_id', 'text', (c) => c.notNull().references('mcp_sessions.id').onDelete('cascade'))
        .addColumn('uri', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('mcp_subscriptions_pk', ['session_id', 'uri'])
        .execute();
      // "Allow for this session": found by whichever replica serves the session's next call.
      await db.schema.alterTable('approvals').addColumn('session_ref', 'text').execute();
      await db.schema.createIndex('approvals_session_ref').on('approvals').column('session_ref').execute();
    },
  };
}
