// A big OpenAPI import over /mcp/admin reports progress when the client asks for it, and is
// parsed off the main thread: the data plane keeps answering meanwhile.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const GITHUB = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');

describe('import_openapi of a 1,000+-operation document over the Admin MCP', () => {
  it('sends MCP progress notifications, in order, up to the operation count; the other plane stays live', async () => {
    const gw = await startTestGateway();
    await gw.app.callTool('create_customer', { id: 'acme', name: 'Acme' }, 'internal');
    const admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
    const gateway = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    const progress: { progress: number; total?: number }[] = [];
    const imported = admin.callTool(
      {
        name: 'import_openapi',
        arguments: { slug: 'github', spec_path: GITHUB, base_url: 'http://127.0.0.1:9' },
      },
      undefined,
      { onprogress: (p) => progress.push(p), timeout: 120_000 },
    );
    // While the import runs, the data plane answers.
    let answered = 0;
    let done = false;
    void imported.finally(() => {
      done = true;
    });
    while (!done) {
      await gateway.listTools();
      answered += 1;
      // Paced: thousands of back-to-back requests on one SDK client pile abort listeners on its
      // transport's shared signal (a Node warning in the test process, not a server problem).
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const result = (await imported) as { isError?: boolean; structuredContent?: { actions: unknown[] } };
    expect(result.isError).toBeFalsy();
    const count = result.structuredContent?.actions.length ?? 0;
    expect(count).toBeGreaterThan(1000);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.map((p) => p.progress)).toEqual(
      [...progress.map((p) => p.progress)].sort((a, b) => a - b),
    );
    expect(progress.at(-1)).toMatchObject({ progress: count, total: count });
    expect(answered).toBeGreaterThan(10);
    await admin.close();
    await gateway.close();
  }, 150_000);
});
