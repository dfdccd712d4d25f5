import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';

const START = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));

describe('npm start where Electron cannot run', () => {
  it('says why on one line within 2 seconds, then serves headless and stops cleanly', async () => {
    const env = { ...process.env, PORTICO_DATA_DIR: tempDir(), PORTICO_HEADLESS: '1' };
    const started = performance.now();
    const proc = spawn(process.execPath, [START, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let decidedAt = 0;
    const listening = new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (!decidedAt && /running headless/.test(output)) decidedAt = performance.now() - started;
        const url = /Portico listening on (http:\/\/\S+)/.exec(output)?.[1];
        if (url) resolve(url);
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.on('exit', (code) => reject(new Error(`npm start exited ${code} before listening:\n${output}`)));
    });
    const url = await listening;
    const decision = output.split('\n').find((l) => l.includes('running headless')) ?? '';
    expect(decision).toMatch(/^Portico: running headless \(.+\); starting 'portico serve'\.$/);
    expect(decidedAt).toBeLessThan(2_000);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
