import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The reference MCP server from npm, run over stdio with this Node: [command, ...args]. */
export function everythingServerCommand(): { command: string; args: string[] } {
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  return { command: process.execPath, args: [join(dirname(pkg), 'dist', 'index.js'), 'stdio'] };
}

/**
 * server-everything over Streamable HTTP on a free loopback port, as a child of this Node; its URL
 * is `http://127.0.0.1:PORT/mcp`. The child is stopped by `close()`.
 */
export async function startEverythingHttp(): Promise<{ url: string; close(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const child = spawn(process.execPath, [join(dirname(pkg), 'dist', 'index.js'), 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('listening on port')) resolve();
      if (said.includes('Failed to start')) reject(new Error(said));
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${said}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
