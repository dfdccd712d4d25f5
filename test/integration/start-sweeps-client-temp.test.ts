// Class 9 of the hardening issue, at start: temp files that a killed client-config write left
// beside Claude's, Cursor's (or any client's) config — or beside the file a symlinked config
// points to — are removed when Portico starts; a live writer's temp file and every config stay.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

/** Polls (25 ms) until `check` holds; fails after 10 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('portico serve at start', () => {
  it('removes the temp files killed config writes left, following symlinked configs, and nothing else', async () => {
    const home = tempDir('portico-home-');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    // Cursor's config is a dotfiles symlink: its writes (and their temp files) are beside the target.
    const dotfiles = join(home, 'dotfiles');
    mkdirSync(dotfiles);
    mkdirSync(join(home, '.cursor'));
    const cursorTarget = join(dotfiles, 'cursor-mcp.json');
    writeFileSync(cursorTarget, '{ "mcpServers": {} }\n');
    symlinkSync(cursorTarget, join(home, '.cursor', 'mcp.json'));
    const claudeDir = join(home, '.config', 'Claude');
    mkdirSync(claudeDir, { recursive: true });
    writeFileSync(join(claudeDir, 'claude_desktop_config.json'), '{"mcpServers":{}}');
    const stale = [
      join(dotfiles, `.cursor-mcp.json.portico-tmp-${dead}-abcd1234`),
      join(claudeDir, `.claude_desktop_config.json.portico-tmp-${dead}-0badf00d`),
      join(claudeDir, '.claude_desktop_config.json.portico-tmp-garbage'),
    ];
    const kept = [
      join(claudeDir, `.claude_desktop_config.json.portico-tmp-${process.pid}-beef0000`), // a live writer
      join(claudeDir, '.other.json.portico-tmp-1-x'), // not a client config's
      join(home, '.cursor', `.mcp.json.portico-tmp-${dead}-1`), // beside the link, not the file written
    ];
    for (const file of [...stale, ...kept]) writeFileSync(file, 'half a file');

    const served = await serve([], { HOME: home, XDG_CONFIG_HOME: '', PORTICO_DATA_DIR: tempDir() });
    await until('the stale temp files are gone', () => stale.every((file) => !existsSync(file)));
    for (const file of kept) expect(existsSync(file), file).toBe(true);
    expect(readFileSync(cursorTarget, 'utf8')).toBe('{ "mcpServers": {} }\n');
    expect(readFileSync(join(claudeDir, 'claude_desktop_config.json'), 'utf8')).toBe('{"mcpServers":{}}');
    for (const file of stale) expect(served.output()).toContain(`Removed ${file}`);
    expect(await served.stop()).toBe(0);
  }, 30_000);
});
