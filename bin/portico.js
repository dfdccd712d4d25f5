#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js). `npm install` builds it; `npm run build` rebuilds.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    `Portico is not built yet (${fileURLToPath(cli)} is missing). Run \`npm install\` or \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}.\n`,
  );
  process.exit(1);
}
await import(cli.href);
