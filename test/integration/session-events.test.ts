// Team mode: the event store behind Last-Event-ID. A change heard by many sessions at once (a
// list_changed to each) is written as one statement per tick, each event getting the id of its own
// row in order; an event for a session that ended elsewhere a moment ago does not fail the others;
// a session's replay holds its own events only, in order; old ones are pruned.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { SessionEvents } from '../../src/main/core/server/session-events';
import { openStore, workspaceTarget } from '../helpers/store';

describe.skipIf(!inject('postgresUrl'))('session events on PostgreSQL', () => {
  it('are written in batches, replayed per session in order, and pruned', async () => {
    const target = await workspaceTarget('postgres');
    const store = await openStore(target);
    const database = store.database;
    if (!database) throw new Error('no database');
    try {
      const statements: string[] = [];
      const events = new SessionEvents(database, () => {});
      const stores = ['s1', 's2', 's3'].map((id) => events.forSession(id));
      // Fan-out: 3 sessions × 40 notifications in one tick (no session rows: ended or not yet written).
      const sent = stores.flatMap((one, s) =>
        Array.from({ length: 40 }, (_, i) =>
          one.storeEvent('_GET_stream', {
            jsonrpc: '2.0',
            method: 'notifications/message',
            params: { s, i },
          }),
        ),
      );
      const counted = countInserts(statements);
      const ids = await Promise.all(sent);
      counted();
      expect(statements.length).toBe(1);
      for (const id of ids) expect(id).toMatch(/^g\d+$/);
      // Ids follow the order the events were sent in.
      const numbers = ids.map((id) => Number(id.slice(1)));
      expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);

      // s2 replays after its 10th event: its own 30 later ones, in order, none of s1's or s3's.
      const replayed: { id: string; message: unknown }[] = [];
      const stream = await stores[1]?.replayEventsAfter(ids[40 + 9] ?? '', {
        send: async (id, message) => {
          replayed.push({ id, message });
        },
      });
      expect(stream).toBe('_GET_stream');
      expect(replayed.map((r) => (r.message as { params: { s: number; i: number } }).params)).toEqual(
        Array.from({ length: 30 }, (_, k) => ({ s: 1, i: 10 + k })),
      );
      // Someone else's id replays nothing of s2's past: an id is only a position.
      expect(await stores[1]?.getStreamIdForEventId('g0')).toBe('_GET_stream');
      expect(await stores[1]?.getStreamIdForEventId('p~x')).toBeUndefined();
      expect(await stores[1]?.getStreamIdForEventId('nonsense')).toBeUndefined();

      // Old events are pruned.
      await events.prune(Date.now() + 6 * 60_000);
      const left = await database.db.selectFrom('mcp_events').select('id').execute();
      expect(left).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

/** Counts the INSERTs into mcp_events sent to PostgreSQL until the returned function is called. */
function countInserts(into: string[]): () => void {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text && /insert into "mcp_events"/i.test(text)) into.push(text);
    return original.apply(this, args);
  };
  return () => {
    proto.query = original;
  };
}
