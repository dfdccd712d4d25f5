// `portico admin help` lists every registry tool with its first sentence — whole, never cut in the
// middle — and `portico admin help TOOL` shows that tool: description, input fields (type,
// required, default, description) and annotations. Help touches no data dir.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminRegistry } from '../../src/main/core/admin';
import { portico } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

const tools = adminRegistry().list();

describe('portico admin help', () => {
  it('lists every tool with the first sentence of its description, whole', () => {
    const dir = join(tempDir(), 'never-created');
    const run = portico(['admin', 'help', '--data-dir', dir]);
    expect(run.code).toBe(0);
    expect(existsSync(dir)).toBe(false);
    const rows = new Map(
      run.stdout
        .split('\n')
        .map((line) => /^([a-z_]+) {2,}(.+)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1] as string, m[2] as string]),
    );
    expect([...rows.keys()]).toEqual(tools.map((t) => t.name));
    for (const tool of tools) {
      const shown = rows.get(tool.name) ?? '';
      // A prefix of the description that ends a sentence (or all of it), not a fragment.
      expect(tool.description.startsWith(shown), tool.name).toBe(true);
      expect(shown === tool.description || /[.!?]$/.test(shown), `${tool.name}: ${shown}`).toBe(true);
      expect(shown.length, tool.name).toBeGreaterThan(15);
      const rest = tool.description.slice(shown.length);
      expect(
        rest === '' || /^\s+[A-Z"`(]/.test(rest),
        `${tool.name}: cut before "${rest.slice(0, 20)}"`,
      ).toBe(true);
    }
    // "e.g." and the like do not end a sentence.
    for (const shown of rows.values()) expect(shown).not.toMatch(/\b(e\.g|i\.e)\.$/);
    expect(run.stdout).toContain(`${tools.length} tools.`);
    expect(run.stdout).toContain('portico admin help TOOL');
  });

  it('`help TOOL` shows its description, input fields and annotations', () => {
    const run = portico(['admin', 'help', 'list_customers']);
    expect(run.code, run.stderr).toBe(0);
    const tool = tools.find((t) => t.name === 'list_customers');
    expect(run.stdout).toContain(`list_customers — ${tool?.title}`);
    expect(run.stdout).toContain(tool?.description);
    expect(run.stdout).toMatch(/^ {2}limit \(integer 1–500, optional, default 50\)$/m);
    expect(run.stdout).toMatch(/^ {6}Maximum number of items to return/m);
    expect(run.stdout).toMatch(/^ {2}cursor \(string, optional\)$/m);
    expect(run.stdout).toContain('Annotations: readOnlyHint: true, idempotentHint: true');
    // Not the whole list.
    expect(run.stdout).not.toContain('create_webhook');
  });

  it('shows required fields, choices, nullable types and nested objects', () => {
    const customer = portico(['admin', 'help', 'create_customer']);
    expect(customer.stdout).toMatch(/^ {2}id \(string, required\)$/m);
    expect(customer.stdout).toMatch(/^ {2}name \(string, required\)$/m);
    expect(customer.stdout).toContain('destructiveHint: false');
    expect(customer.stdout).toContain(`Example: portico admin create_customer '{"id":"…","name":"…"}'`);

    const connector = portico(['admin', 'help', 'create_connector']);
    expect(connector.stdout).toMatch(/^ {2}kind \("http" \| "mcp", required\)$/m);
    expect(connector.stdout).toMatch(/^ {2}auth \(object, optional\)$/m);
    expect(connector.stdout).toMatch(/^ {6}scheme \(("[a-z_0-9]+"( \| )?)+, (required|optional)\)$/m);

    const action = portico(['admin', 'help', 'update_action']);
    expect(action.code, action.stderr).toBe(0);
    expect(action.stdout).toMatch(/^ {2}output_schema \(object or null, optional\)$/m);
  });

  it('`admin TOOL --help` and `admin --help` are the same help, never a call, with no data dir', () => {
    const dir = join(tempDir(), 'never-created');
    const viaHelp = portico(['admin', 'help', 'delete_customer']);
    for (const argv of [
      ['admin', 'delete_customer', '--help'],
      ['admin', 'delete_customer', '{"id":"acme"}', '-h'],
      ['admin', 'help', 'delete_customer', '--help'],
    ]) {
      const run = portico([...argv, '--data-dir', dir]);
      expect(run.code, argv.join(' ')).toBe(0);
      expect(run.stdout).toBe(viaHelp.stdout);
    }
    const list = portico(['admin', '--help', '--data-dir', dir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${tools.length} tools.`);
    expect(existsSync(dir)).toBe(false);
    const general = portico(['--help']);
    expect(general.stdout).toMatch(/^ {2}keys revoke ID {2,}/m);
    expect(general.stdout).toContain('--session-idle-timeout SECONDS');
    expect(general.stdout).toContain('--max-sessions-per-key N');
  });

  it('an unknown tool is an error that suggests near names', () => {
    const run = portico(['admin', 'help', 'create_customers']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Unknown admin tool "create_customers"/);
    expect(run.stderr).toMatch(/create_customer/);
  });
});
