import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientsAddFor } from '../../src/main/desktop/clients-add';
import { connectClient, startTestGateway } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

const saved = process.env.PORTICO_CURSOR_CONFIG;
afterEach(() => {
  if (saved === undefined) delete process.env.PORTICO_CURSOR_CONFIG;
  else process.env.PORTICO_CURSOR_CONFIG = saved;
});

describe('the tray\'s "Add to Cursor"', () => {
  it('writes a working entry through add_client_config', async () => {
    const gw = await startTestGateway();
    const config = join(tempDir(), 'cursor', 'mcp.json');
    process.env.PORTICO_CURSOR_CONFIG = config;
    const summary = await clientsAddFor(() => gw.app)('cursor', 'admin');
    expect(summary).not.toMatch(/ptc_/);
    const entry = JSON.parse(readFileSync(config, 'utf8')).mcpServers['portico-admin'];
    expect(entry.url).toBe(`${gw.app.url}/mcp/admin`);
    const client = await connectClient(entry.url, entry.headers);
    expect((await client.listTools()).tools.length).toBeGreaterThan(10);
    await client.close();
    await expect(clientsAddFor(() => gw.app)('cursor', 'gateway', 'nobody')).rejects.toThrow(/nobody/);
    await gw.app.close();
  });
});
