// Every `npx portico …` command the README shows runs as written (in order, on a fresh data dir and
// home folder), and the README names no tool count and chains no commands with a pipe.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { portico, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** A shell line's words: '…' and "…" quoting, a trailing `# comment` dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '#' && word === undefined) break;
    else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** The README's `npx portico` lines, from its sh blocks, in order. */
const commands = [...README.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => (m[1] ?? '').split('\n'))
  .filter((line) => line.startsWith('npx portico '));

describe('the README', () => {
  it('names no tool count and chains no commands with a pipe', () => {
    expect(README).not.toMatch(/\b(about|around|some|over) \d+ tools\b/i);
    expect(README).not.toMatch(/npx portico [^\n`]*\| *npx portico/);
    expect(README).toContain('npx portico admin help');
  });

  it('every `npx portico` command it shows works as written', async () => {
    const env = { PORTICO_DATA_DIR: tempDir(), HOME: tempDir(), XDG_CONFIG_HOME: '' };
    expect(commands.length).toBeGreaterThan(10);
    let ran = 0;
    for (const line of commands) {
      const args = words(line).slice(2);
      // A synopsis with [optional] parts, and the long-running server itself, are not run here.
      if (args[0] === 'serve') continue;
      if (args.includes('KEY_ID')) {
        const listed = JSON.parse(portico(['keys', 'list', '--json'], { env }).stdout) as { id: string }[];
        const id = listed.at(-1)?.id;
        expect(id).toBeDefined();
        args.splice(args.indexOf('KEY_ID'), 1, id as string);
      }
      // `portico ui` asks the running server for a sign-in link: run it while one runs.
      const server = args[0] === 'ui' ? await serve(['--data-dir', env.PORTICO_DATA_DIR], env) : undefined;
      const run = portico(args, { env });
      if (server) {
        expect(run.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#\/login\?token=\S+/);
        expect(await server.stop()).toBe(0);
      }
      expect(run.code, `${line}\n${run.stderr}`).toBe(0);
      ran += 1;
    }
    expect(ran).toBe(commands.length - 1);
  }, 120_000);
});
