// Team mode (issue 15): a webhook event is delivered exactly once when the replica delivering it is
// killed mid-delivery. Replica A (a real `portico serve` on PostgreSQL) claims the delivery and is
// killed with SIGKILL while the receiver holds its request; replica B, on the same database, takes
// the claim over once its lease ran out (3 × the webhook timeout) and delivers it — the same
// message id, signed with the same secret, answered once; nothing is sent again afterwards.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { portico, serve } from '../helpers/cli';
import { workspaceTarget } from '../helpers/store';
import { tempDir } from '../helpers/temp';
import { startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

describe.skipIf(!inject('postgresUrl'))('webhooks across replicas', () => {
  it('an event whose replica dies mid-delivery is delivered once, by another replica', async () => {
    const { dataDir: dirA, databaseUrl } = await workspaceTarget('postgres');
    // The receiver holds the first request (the delivery in flight when A dies), then answers 200.
    const receiver = await startReceiver(['hang']);
    const env = { PORTICO_DATABASE_URL: databaseUrl ?? '', PORTICO_WEBHOOK_TIMEOUT: '1' };
    const a = await serve(['--data-dir', dirA], env);
    const hook = portico(
      [
        '--data-dir',
        dirA,
        'admin',
        'create_webhook',
        JSON.stringify({ url: receiver.url, events: ['customer.created'] }),
      ],
      { env },
    );
    expect(hook.code, hook.stderr).toBe(0);
    const { secret } = JSON.parse(hook.stdout) as { secret: string };
    const made = portico(['--data-dir', dirA, 'admin', 'create_customer', '{"id":"acme","name":"Acme"}'], {
      env,
    });
    expect(made.code, made.stderr).toBe(0);

    const first = await receiver.request(1);
    a.proc.kill('SIGKILL');
    await a.stop();

    // Replica B: its own data dir with the workspace's key (replicas share the key file).
    const dirB = tempDir();
    expect(existsSync(join(dirA, 'secret.key'))).toBe(true);
    copyFileSync(join(dirA, 'secret.key'), join(dirB, 'secret.key'));
    const b = await serve(['--data-dir', dirB], env);
    try {
      const second = await receiver.request(2);
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      const event = verifiedByStandardWebhooks(secret, second) as {
        type: string;
        data: { customer_id: string };
      };
      expect(event).toMatchObject({ type: 'customer.created', data: { customer_id: 'acme' } });
      // Delivered: nothing more arrives (a retry would come within the backoff's first seconds).
      await new Promise((r) => setTimeout(r, 3_000));
      expect(receiver.received).toHaveLength(2);
      const listed = portico(
        [
          '--data-dir',
          dirB,
          'admin',
          'list_webhook_deliveries',
          JSON.stringify({ webhook_id: JSON.parse(hook.stdout).id }),
        ],
        { env },
      );
      expect(listed.code, listed.stderr).toBe(0);
      const deliveries = JSON.parse(listed.stdout) as { deliveries: { state: string }[] };
      expect(deliveries.deliveries.filter((d) => d.state === 'delivered')).toHaveLength(1);
    } finally {
      await b.stop();
    }
  }, 60_000);
});
