// Issue 13 (governance), activity retention: set_activity_retention keeps the activity log under a
// number of days and a row cap — the oldest rows beyond the cap go, exactly the newest remain —
// pruning at once when the setting changes. Runs on SQLite and PostgreSQL (vitest.config.ts BOTH_ENGINES).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityLog } from '../../src/main/core/activity/activity-log';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
let seeder: ActivityLog;

const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
const call = async (args: Record<string, unknown>) =>
  (await admin.callTool({ name: 'set_activity_retention', arguments: args })) as Result;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const db = () => {
  const database = gw.app.store.database;
  if (!database) throw new Error('the test gateway has no database');
  return database.db;
};
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Writes rows named `${prefix}.${i}`, the i-th `ages[i]` milliseconds old. */
async function seed(prefix: string, ages: number[]) {
  for (const [i, age] of ages.entries())
    seeder.record({
      plane: 'gateway',
      entry_point: 'mcp',
      customer_id: null,
      tool: `${prefix}.${i}`,
      duration_ms: 1,
      outcome: 'ok',
      time: ago(age),
    });
  await seeder.flush();
}

/** The tools of the rows whose name starts with `prefix`, read straight from the table. */
async function stored(prefix: string): Promise<string[]> {
  const rows = await db()
    .selectFrom('activity')
    .select('tool')
    .where('tool', 'like', `${prefix}.%`)
    .execute();
  return rows.map((r) => r.tool).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  seeder = new ActivityLog(gw.app.store.database);
});
afterAll(async () => {
  await admin?.close();
  await gw?.app.close();
});

describe('activity retention', () => {
  it('answers the defaults: 90 days, a million rows', async () => {
    const result = await call({});
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ days: 90, max_rows: 1_000_000 });
  });

  it('rejects bad input with a clear error and changes nothing', async () => {
    for (const args of [{ days: 0 }, { max_rows: 0 }, { days: 1.5 }, { max_rows: 'ten' }, { weeks: 2 }]) {
      const result = await call(args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result)).toMatch(/days|max_rows|weeks/);
    }
    expect((await call({})).structuredContent).toMatchObject({ days: 90, max_rows: 1_000_000 });
  });

  it('under a small cap, exactly the newest rows remain', async () => {
    // 30 rows, the i-th (30 - i) minutes old: the newest are the highest numbers.
    await seed(
      'cap',
      Array.from({ length: 30 }, (_, i) => (30 - i) * MINUTE),
    );
    expect(await stored('cap')).toHaveLength(30);
    await gw.app.services.activity.flush();
    const before = await db()
      .selectFrom('activity')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    // Every other row (earlier admin calls) is newer than the seeded ones: keep those and 7 seeds.
    const others = Number(before.n) - 30;
    const result = await call({ max_rows: others + 7 });
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ days: 90, max_rows: others + 7, deleted: 23 });
    expect(await stored('cap')).toEqual(Array.from({ length: 7 }, (_, i) => `cap.${23 + i}`));
    // The setting persisted, and get_gateway_status shows it.
    expect((await call({})).structuredContent).toMatchObject({ max_rows: others + 7 });
    const status = (await admin.callTool({ name: 'get_gateway_status', arguments: {} })) as Result;
    expect(status.structuredContent?.activity_retention).toEqual({ days: 90, max_rows: others + 7 });
    await call({ max_rows: 1_000_000 });
  });

  it('deletes rows older than the days kept', async () => {
    await seed('old', [40 * DAY, 20 * DAY, 11 * DAY, 9 * DAY, 2 * DAY, MINUTE]);
    await gw.app.services.activity.flush();
    const result = await call({ days: 10 });
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ days: 10, deleted: 3 });
    expect(await stored('old')).toEqual(['old.3', 'old.4', 'old.5']);
    const again = await call({ days: 1 });
    expect(again.structuredContent).toMatchObject({ days: 1, deleted: 2 });
    expect(await stored('old')).toEqual(['old.5']);
  });

  it('list_activity shows what remains', async () => {
    const listed = (await admin.callTool({
      name: 'list_activity',
      arguments: { limit: 200 },
    })) as Result;
    const tools = ((listed.structuredContent?.entries ?? []) as { tool: string }[]).map((e) => e.tool);
    expect(tools).toContain('old.5');
    expect(tools).not.toContain('old.4');
    expect(tools).not.toContain('cap.0');
  });
});
