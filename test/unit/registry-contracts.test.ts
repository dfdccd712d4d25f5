// The contracts in src/shared are what core's registry serves: same tools, same order, the very
// same schemas (so the same JSON Schemas in tools/list), and src/shared stays loadable in a browser.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adminRegistry, adminTools } from '../../src/main/core/admin';
import { adminContracts, isToolName, TOOL_NAMES } from '../../src/shared/registry';
import { portableSchema } from '../../src/shared/schemas/portable';

// What tools/list shows: the contract's JSON Schema in the subset every major client takes.
const json = (schema: z.ZodType, io: 'input' | 'output') =>
  portableSchema(z.toJSONSchema(schema, { io, unrepresentable: 'any' }), io);

describe('shared contracts and the core registry', () => {
  it('list the same tools in the same order with identical JSON Schemas and annotations', () => {
    const listed = adminRegistry().list();
    expect(listed.map((t) => t.name)).toEqual(adminContracts.map((c) => c.name));
    expect(listed).toEqual(
      adminContracts.map((c) => ({
        name: c.name,
        title: c.title,
        description: c.description,
        inputSchema: json(c.input, 'input'),
        outputSchema: json(c.output, 'output'),
        annotations: { title: c.title, ...c.annotations },
      })),
    );
  });

  it('bind each handler to its contract’s own schema objects (no second copy of a schema)', () => {
    expect(adminTools).toHaveLength(adminContracts.length);
    adminTools.forEach((tool, i) => {
      const contract = adminContracts[i];
      expect(tool.name).toBe(contract?.name);
      expect(tool.input).toBe(contract?.input);
      expect(tool.output).toBe(contract?.output);
      expect(typeof tool.handler).toBe('function');
    });
  });

  it('know every tool name, and nothing else, as a tool name', () => {
    expect(TOOL_NAMES.size).toBe(adminContracts.length);
    expect(isToolName('create_customer')).toBe(true);
    for (const name of ['create_customers', '__proto__', 'toString', '', 42, null])
      expect(isToolName(name)).toBe(false);
  });
});

describe('src/shared', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const shared = join(root, 'src', 'shared');
  const files = readdirSync(shared, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

  it('imports only zod and its own files: no node:*, electron or src/main (the renderer bundles it)', () => {
    expect(files.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const file of files) {
      const path = join(shared, file);
      const text = readFileSync(path, 'utf8');
      for (const [, spec] of text.matchAll(/\b(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (!spec) continue;
        const ok =
          spec === 'zod' ||
          (spec.startsWith('.') && !relative(shared, resolve(path, '..', spec)).startsWith('..'));
        if (!ok) problems.push(`${file} imports ${spec}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
