// Issue 13 (governance), approvals: a customer's risky call waits for a person's decision, end to
// end with MCP SDK clients waiting on the call against a real HTTP upstream. Allow, deny, timeout,
// "always allow", "allow for this session", first decision wins, the client cancelling, the
// elicitation path (a client that declares elicitation and answers it), the activity log, the
// approval.* webhooks (verified with the standardwebhooks package) and `portico approvals`.

import { execFile } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTICO_BIN } from '../helpers/cli';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}
interface Approval {
  id: string;
  customer_id: string;
  tool: string;
  arguments: Record<string, unknown>;
  status: string;
  decided_by?: string;
  remember?: string;
  reason?: string;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
let admin: Client;
const clients: Client[] = [];

const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
const adminCall = async (name: string, args: Record<string, unknown>) =>
  (await admin.callTool({ name, arguments: args })) as Result;
async function adminOk(name: string, args: Record<string, unknown>) {
  const result = await adminCall(name, args);
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent ?? {};
}

async function gatewayClient(customerId: string) {
  const client = await connectClient(
    `${gw.app.url}/mcp/gateway?customer_id=${customerId}`,
    bearer(gw.mint('gateway')),
  );
  clients.push(client);
  return client;
}

/** A client that declares elicitation and answers every question with `answer`. */
async function elicitingClient(
  customerId: string,
  answer: (message: string) => { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> },
) {
  const asked: { message: string; schema: unknown }[] = [];
  const client = new Client(
    { name: 'eliciting', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const params = request.params as { message: string; requestedSchema?: unknown };
    asked.push({ message: params.message, schema: params.requestedSchema });
    return answer(params.message);
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gw.app.url}/mcp/gateway?customer_id=${customerId}`), {
      requestInit: { headers: bearer(gw.mint('gateway')) },
    }),
  );
  clients.push(client);
  return { client, asked };
}

const call = (client: Client, name: string, args: Record<string, unknown> = {}, signal?: AbortSignal) =>
  client.callTool({ name, arguments: args }, undefined, signal ? { signal } : undefined) as Promise<Result>;

const pending = async (customerId?: string) =>
  (await adminOk('list_approvals', { status: 'pending', ...(customerId ? { customer_id: customerId } : {}) }))
    .approvals as Approval[];

/** The next approval of this customer's tool to appear (polled through list_approvals). */
async function waitingApproval(
  customerId: string,
  tool: string,
  seen = new Set<string>(),
): Promise<Approval> {
  for (let i = 0; i < 200; i++) {
    const found = (await pending(customerId)).find((a) => a.tool === tool && !seen.has(a.id));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no approval for ${tool} appeared`);
}

/** The built CLI, run without blocking this process (the server it talks to lives here). */
const portico = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [PORTICO_BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

const deletes = () => echo.received.filter((r) => r.method === 'DELETE').length;

beforeAll(async () => {
  gw = await startTestGateway();
  echo = await startEchoUpstream();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  await adminOk('create_connector', { slug: 'files', name: 'Files', kind: 'http', base_url: echo.url });
  await adminOk('create_action', { connector_id: 'files', name: 'list', method: 'GET', path: '/echo/list' });
  await adminOk('create_action', {
    connector_id: 'files',
    name: 'remove',
    method: 'DELETE',
    path: '/echo/remove',
  });
  await adminOk('create_action', {
    connector_id: 'files',
    name: 'upload',
    method: 'POST',
    path: '/echo/upload',
  });
  for (const id of ['acme', 'globex', 'initech', 'umbrella', 'hooli']) {
    await adminOk('create_customer', { id, name: id.toUpperCase() });
    await adminOk('configure_customer_tools', {
      customer_id: id,
      mode: 'selected',
      connector_ids: ['files'],
    });
  }
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await admin.close();
});

describe('approval policy', () => {
  it('is "never" for a new customer: a destructive call runs at once', async () => {
    const customer = await adminOk('get_customer', { customer_id: 'hooli' });
    expect(customer.approvals).toEqual({ policy: 'never', actions: [], timeout_s: 120 });
    const before = deletes();
    const result = await call(await gatewayClient('hooli'), 'files__remove');
    expect(result.isError, text(result)).toBeFalsy();
    expect(deletes()).toBe(before + 1);
    expect(await pending('hooli')).toEqual([]);
  });

  it('refuses bad input with what to do', async () => {
    expect(text(await adminCall('set_approval_policy', { customer_id: 'nobody', policy: 'always' }))).toMatch(
      /No customer with id "nobody"/,
    );
    expect(
      text(
        await adminCall('set_approval_policy', {
          customer_id: 'acme',
          actions: [{ connector_id: 'files', action: 'nope', policy: 'always' }],
        }),
      ),
    ).toMatch(/no action "nope".*list_actions/);
    expect(
      text(await adminCall('set_approval_policy', { customer_id: 'acme', policy: 'sometimes' })),
    ).toMatch(/policy/);
    expect(text(await adminCall('set_approval_policy', { customer_id: 'acme' }))).toMatch(/Nothing to set/);
    expect(text(await adminCall('decide_approval', { approval_id: 'apr_nope', decision: 'allow' }))).toMatch(
      /No approval with id "apr_nope".*list_approvals/,
    );
  });
});

describe('a call waiting for approval', () => {
  beforeAll(async () => {
    const set = await adminOk('set_approval_policy', { customer_id: 'acme', policy: 'destructive' });
    expect(set).toMatchObject({ customer_id: 'acme', policy: 'destructive', timeout_s: 120 });
  });

  it('runs once allowed; read-only tools never wait; the decision is in the activity log', async () => {
    const client = await gatewayClient('acme');
    // GET: read-only, runs at once.
    expect((await call(client, 'files__list')).isError).toBeFalsy();
    const before = deletes();
    const waiting = call(client, 'files__remove', { reason: 'cleanup' });
    const approval = await waitingApproval('acme', 'files__remove');
    expect(approval).toMatchObject({
      customer_id: 'acme',
      status: 'pending',
      arguments: { reason: 'cleanup' },
    });
    // Nothing reached the upstream while it waits.
    expect(deletes()).toBe(before);
    const decided = await adminOk('decide_approval', { approval_id: approval.id, decision: 'allow' });
    expect(decided.approval).toMatchObject({ id: approval.id, status: 'allowed', decided_by: 'mcp' });
    const result = await waiting;
    expect(result.isError, text(result)).toBeFalsy();
    expect(deletes()).toBe(before + 1);

    const activity = (await adminOk('list_activity', { tool: 'approval', customer_id: 'acme' })).entries as {
      detail?: string;
      entry_point: string;
    }[];
    expect(activity.find((e) => e.detail?.includes(approval.id))?.detail).toMatch(
      /^files__remove: allowed \(apr_/,
    );
  });

  it('is refused with a clear isError when denied, and the upstream never sees it', async () => {
    const client = await gatewayClient('acme');
    const before = deletes();
    const waiting = call(client, 'files__remove');
    const approval = await waitingApproval('acme', 'files__remove');
    await adminOk('decide_approval', { approval_id: approval.id, decision: 'deny' });
    const result = await waiting;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/files__remove was denied by a person .*it was not run/);
    expect(deletes()).toBe(before);
    const failed = (await adminOk('list_activity', { tool: 'files__remove', outcome: 'error' })).entries as {
      error?: string;
    }[];
    expect(failed[0]?.error).toMatch(/denied/);
  });

  it('the first decision wins', async () => {
    const client = await gatewayClient('acme');
    const waiting = call(client, 'files__remove');
    const approval = await waitingApproval('acme', 'files__remove');
    const [a, b] = await Promise.all([
      adminCall('decide_approval', { approval_id: approval.id, decision: 'deny' }),
      adminCall('decide_approval', { approval_id: approval.id, decision: 'allow' }),
    ]);
    expect([a.isError ?? false, b.isError ?? false].sort()).toEqual([false, true]);
    expect(text(b)).toMatch(/already denied .*the first decision stands/);
    expect((await waiting).isError).toBe(true);
    const later = await adminCall('decide_approval', { approval_id: approval.id, decision: 'allow' });
    expect(later.isError).toBe(true);
    const decided = (await adminOk('list_approvals', { status: 'decided' })).approvals as Approval[];
    expect(decided.find((x) => x.id === approval.id)?.status).toBe('denied');
  });

  it('"allow for this session" lets the same session call again at once, not another session', async () => {
    const client = await gatewayClient('acme');
    const first = call(client, 'files__remove');
    const approval = await waitingApproval('acme', 'files__remove');
    await adminOk('decide_approval', { approval_id: approval.id, decision: 'allow', remember: 'session' });
    expect((await first).isError).toBeFalsy();
    expect((await call(client, 'files__remove')).isError).toBeFalsy();
    // Another session of the same customer still asks.
    const other = await gatewayClient('acme');
    const waiting = call(other, 'files__remove');
    const next = await waitingApproval('acme', 'files__remove', new Set([approval.id]));
    await adminOk('decide_approval', { approval_id: next.id, decision: 'deny' });
    expect((await waiting).isError).toBe(true);
  });

  it('a client that cancels its call stops waiting', async () => {
    const client = await gatewayClient('acme');
    const controller = new AbortController();
    const waiting = call(client, 'files__remove', {}, controller.signal).catch((e: Error) => e);
    const approval = await waitingApproval('acme', 'files__remove');
    controller.abort();
    expect(await waiting).toBeInstanceOf(Error);
    for (let i = 0; i < 100 && (await pending('acme')).some((a) => a.id === approval.id); i++)
      await new Promise((r) => setTimeout(r, 20));
    const decided = (await adminOk('list_approvals', { status: 'decided' })).approvals as Approval[];
    expect(decided.find((x) => x.id === approval.id)).toMatchObject({
      status: 'expired',
      decided_by: 'internal',
    });
  });
});

describe('always allow, policy "always" and the timeout', () => {
  it('"always allow" stops asking for that tool of that customer, recorded in its policy', async () => {
    await adminOk('set_approval_policy', { customer_id: 'globex', policy: 'always' });
    const client = await gatewayClient('globex');
    // "always": even a read-only tool waits.
    const listing = call(client, 'files__list');
    const approval = await waitingApproval('globex', 'files__list');
    await adminOk('decide_approval', { approval_id: approval.id, decision: 'allow', remember: 'always' });
    expect((await listing).isError).toBeFalsy();
    const customer = await adminOk('get_customer', { customer_id: 'globex' });
    expect(customer.approvals).toMatchObject({
      policy: 'always',
      actions: [{ connector_id: 'files', action: 'list', policy: 'never' }],
    });
    // A new session, and the tool runs at once; another tool still waits.
    const fresh = await gatewayClient('globex');
    expect((await call(fresh, 'files__list')).isError).toBeFalsy();
    const upload = call(fresh, 'files__upload');
    const next = await waitingApproval('globex', 'files__upload');
    expect(
      text(
        await adminCall('decide_approval', { approval_id: next.id, decision: 'deny', remember: 'always' }),
      ),
    ).toMatch(/remember.*allow/);
    await adminOk('decide_approval', { approval_id: next.id, decision: 'deny' });
    expect((await upload).isError).toBe(true);
    // null removes the exception.
    const cleared = await adminOk('set_approval_policy', {
      customer_id: 'globex',
      actions: [{ connector_id: 'files', action: 'list', policy: null }],
    });
    expect(cleared.actions).toEqual([]);
  });

  it('no decision within timeout_s denies the call', async () => {
    await adminOk('set_approval_policy', { customer_id: 'initech', policy: 'destructive', timeout_s: 5 });
    const client = await gatewayClient('initech');
    const started = Date.now();
    const result = await call(client, 'files__remove');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/needs approval .*No decision within 5 s.*portico approvals/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    const decided = (await adminOk('list_approvals', { status: 'decided', customer_id: 'initech' }))
      .approvals as Approval[];
    expect(decided[0]).toMatchObject({ status: 'expired', decided_by: 'internal' });
  }, 20_000);
});

describe('elicitation: the person in the AI client decides', () => {
  beforeAll(async () => {
    await adminOk('set_approval_policy', { customer_id: 'umbrella', policy: 'destructive' });
  });

  it('asks a client that declares elicitation, and its "allow" runs the call', async () => {
    const { client, asked } = await elicitingClient('umbrella', () => ({
      action: 'accept',
      content: { decision: 'allow' },
    }));
    const before = deletes();
    const result = await call(client, 'files__remove', { path: '/tmp/x' });
    expect(result.isError, text(result)).toBeFalsy();
    expect(deletes()).toBe(before + 1);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.message).toMatch(
      /^Allow files__remove for UMBRELLA \(umbrella\)\? Arguments: \{"path":"\/tmp\/x"\}/,
    );
    const decided = (await adminOk('list_approvals', { status: 'decided', customer_id: 'umbrella' }))
      .approvals as Approval[];
    expect(decided[0]).toMatchObject({ status: 'allowed', decided_by: 'mcp' });
  });

  it('"decline" denies; "allow for this session" is remembered for the session', async () => {
    const declining = await elicitingClient('umbrella', () => ({ action: 'decline' }));
    const denied = await call(declining.client, 'files__remove');
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/denied by a person .*through mcp/);

    const session = await elicitingClient('umbrella', () => ({
      action: 'accept',
      content: { decision: 'session' },
    }));
    expect((await call(session.client, 'files__remove')).isError).toBeFalsy();
    expect((await call(session.client, 'files__remove')).isError).toBeFalsy();
    expect(session.asked).toHaveLength(1);
  });

  it('a decision made elsewhere first wins over the client still being asked', async () => {
    let release: () => void = () => {};
    const answered = new Promise<void>((r) => {
      release = r;
    });
    const slow = await elicitingClient('umbrella', () => {
      release();
      // The person is still looking at the question when an admin denies it.
      return { action: 'accept', content: { decision: 'allow' } };
    });
    const waiting = call(slow.client, 'files__remove');
    const approval = await waitingApproval('umbrella', 'files__remove');
    await answered;
    // Either the admin's deny or the client's allow came first — exactly one decision stands.
    const admins = await adminCall('decide_approval', { approval_id: approval.id, decision: 'deny' });
    const result = await waiting;
    expect(result.isError ?? false).toBe(!admins.isError);
  });
});

describe('approval webhooks and the command line', () => {
  it('sends approval.requested and approval.decided, signed as Standard Webhooks', async () => {
    const receiver = await startReceiver();
    const hook = await adminOk('create_webhook', {
      url: receiver.url,
      events: ['approval.requested', 'approval.decided'],
    });
    const client = await gatewayClient('acme');
    const waiting = call(client, 'files__remove');
    const approval = await waitingApproval('acme', 'files__remove');
    const requested = await receiver.request(1);
    await adminOk('decide_approval', { approval_id: approval.id, decision: 'allow' });
    await waiting;
    const decided = await receiver.request(2);
    const first = verifiedByStandardWebhooks(String(hook.secret), requested) as {
      type: string;
      data: Record<string, unknown>;
    };
    const second = verifiedByStandardWebhooks(String(hook.secret), decided) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(first).toMatchObject({
      type: 'approval.requested',
      data: { approval_id: approval.id, customer_id: 'acme', tool: 'files__remove' },
    });
    expect(second).toMatchObject({
      type: 'approval.decided',
      data: { approval_id: approval.id, status: 'allowed', decided_by: 'mcp' },
    });
    await adminOk('delete_webhook', { webhook_id: String(hook.id) });
  });

  it('`portico approvals` lists the waiting calls and allows or denies them through the server', async () => {
    const client = await gatewayClient('acme');
    const waiting = call(client, 'files__remove');
    const approval = await waitingApproval('acme', 'files__remove');
    const listed = await portico(['--data-dir', gw.dataDir, 'approvals']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(approval.id);
    expect(listed.stdout).toMatch(/files__remove/);
    const asJson = await portico(['--data-dir', gw.dataDir, 'approvals', 'list', '--json']);
    expect((JSON.parse(asJson.stdout) as { approvals: Approval[] }).approvals.map((a) => a.id)).toContain(
      approval.id,
    );
    const allowed = await portico(['--data-dir', gw.dataDir, 'approvals', 'allow', approval.id]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/files__remove for acme: Allowed once/);
    expect((await waiting).isError).toBeFalsy();
    const again = await portico(['--data-dir', gw.dataDir, 'approvals', 'deny', approval.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already allowed \(by cli\)/);
    const usage = await portico(['--data-dir', gw.dataDir, 'approvals', 'deny']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Usage: portico approvals/);
  });
});
