import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The reference MCP server from npm, run over stdio with this Node: [command, ...args]. */
export function everythingServerCommand(): { command: string; args: string[] } {
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  return { command: process.execPath, args: [join(dirname(pkg), 'dist', 'index.js'), 'stdio'] };
}
