// Integration tests run the built CLI (bin/portico.js → out/main/cli.js): build it first when stale.
// @ts-expect-error -- a plain ESM script without types
import { buildIfStale } from '../scripts/build-if-stale.mjs';

export default function setup(): void {
  if (buildIfStale({ quiet: true }) !== 0)
    throw new Error('electron-vite build failed; run `npm run build` to see why');
}
