// Big import: GitHub's REST description (1,000+ operations) imported over /mcp/admin with
// import_openapi {slug, spec_path, base_url} while a data-plane client calls tools/call in a loop
// (c=1). The loop's p99 while an import runs, against its p99 in windows of the same length with
// no import, alternating; the imports use fresh slugs and are deleted between rounds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { McpHttpSession, newAgent } from '../lib/mcp-client';
import { ROOT, startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { now, round, summarize } from '../lib/stats';
import { roundAll } from './http';

export interface ImportOptions {
  imports: number;
}

export function githubSpecPath(): string {
  return createRequire(join(ROOT, 'package.json')).resolve('@octokit/openapi/generated/api.github.com.json');
}

function operationCount(path: string): number {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  return Object.values(doc.paths).reduce(
    (n, item) => n + Object.keys(item).filter((m) => methods.has(m)).length,
    0,
  );
}

/** A tool result's structured content, or its JSON text. */
function structured<T>(result: Record<string, unknown>): T {
  if (result.structuredContent) return result.structuredContent as T;
  const [first] = result.content as { text?: string }[];
  return JSON.parse(first?.text ?? '{}') as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function importScenario(opts: ImportOptions, log: (s: string) => void) {
  const specPath = githubSpecPath();
  const operations = operationCount(specPath);
  const upstream = await startServer('upstream', {});
  const upstreamUrl = String(upstream.ready.url);
  const portico = await startServer('portico', { setup: 'http', upstream: upstreamUrl });
  try {
    const url = String(portico.ready.url);
    const gw = new McpHttpSession(
      `${url}/mcp/gateway?customer_id=acme`,
      { authorization: `Bearer ${portico.ready.gatewayKey}` },
      newAgent(4),
    );
    const admin = new McpHttpSession(
      `${url}/mcp/admin`,
      { authorization: `Bearer ${portico.ready.adminKey}` },
      newAgent(4),
    );
    await Promise.all([gw.initialize(), admin.initialize()]);
    const { tools } = (await gw.request('tools/list')) as { tools: { name: string }[] };
    const tool = tools.find((t) => /get_?item/i.test(t.name))?.name;
    if (!tool) throw new Error(`no getItem tool in ${tools.map((t) => t.name).join(', ')}`);

    // The data-plane loop: every call's start time and latency.
    const samples: { t: number; ms: number }[] = [];
    let running = true;
    let loopError: unknown;
    const loop = (async () => {
      while (running) {
        const t = now();
        const result = await gw.callTool(tool, { itemId: 'abc-123' });
        if (!JSON.stringify(result).includes('abc-123')) throw new Error('gateway: unexpected result');
        samples.push({ t, ms: now() - t });
      }
    })().catch((error: unknown) => {
      loopError = error;
    });
    const window = (from: number, to: number) =>
      samples.filter((s) => s.t >= from && s.t < to).map((s) => s.ms);

    log(
      `import: ${opts.imports} × import_openapi of ${operations} operations, c=1 tools/call loop alongside`,
    );
    await sleep(1_500); // warm-up
    const base: number[] = [];
    const during: number[] = [];
    const after: number[] = [];
    const durations: number[] = [];
    const deleteMs: number[] = [];
    let actions = 0;
    let windowMs = 3_000;
    for (let i = 0; i < opts.imports && !loopError; i += 1) {
      const b0 = now();
      await sleep(windowMs);
      base.push(...window(b0, now()));
      const slug = `github${i + 1}`;
      const t0 = now();
      const result = structured<{ connector_id: string; actions: unknown[] }>(
        await admin.callTool('import_openapi', { slug, spec_path: specPath, base_url: upstreamUrl }),
      );
      const t1 = now();
      durations.push(t1 - t0);
      windowMs = t1 - t0;
      during.push(...window(t0, t1));
      actions = result.actions.length;
      if (actions < 1_000) throw new Error(`import_openapi made ${actions} actions, expected over 1,000`);
      await sleep(1_000);
      after.push(...window(t1, now()));
      const d0 = now();
      await admin.callTool('delete_connector', { connector_id: result.connector_id });
      deleteMs.push(now() - d0);
      await sleep(500);
      const slowest = Math.max(0, ...window(t0, t1));
      log(
        `  import ${i + 1}: ${(t1 - t0).toFixed(0)} ms, ${actions} actions; slowest call meanwhile ${slowest.toFixed(0)} ms`,
      );
    }
    running = false;
    await loop;
    if (loopError) throw loopError;
    if (portico.stderr.join('').includes('no worker script'))
      throw new Error('the import ran on the main thread: no worker script was found');
    await Promise.all([gw.close(), admin.close()]);

    const sb = summarize(base);
    const sd = summarize(during);
    const imp = summarize(durations);
    const rows: Row[] = [
      {
        scenario: `Big import (${operations.toLocaleString('en')} ops)`,
        metric: 'gateway tools/call p99 during import_openapi (c=1)',
        portico: sd.p99,
        baseline: sb.p99,
        compare: 'ratio',
        unit: 'ms',
        target: '≤ 50 ms',
        met: sd.p99 <= 50,
      },
      {
        scenario: `Big import (${operations.toLocaleString('en')} ops)`,
        metric: 'gateway tools/call max during import_openapi (c=1)',
        portico: sd.max,
        baseline: sb.max,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario: `Big import (${operations.toLocaleString('en')} ops)`,
        metric: 'import_openapi duration p50 (spec_path, over /mcp/admin)',
        portico: imp.p50,
        baseline: null,
        compare: 'none',
        unit: 'ms',
        target: '—',
        met: null,
      },
    ];
    return {
      rows,
      errors: 0,
      detail: {
        spec: specPath,
        operations,
        actions,
        importMs: durations.map((d) => round(d, 0)),
        deleteConnectorMs: deleteMs.map((d) => round(d, 0)),
        gateway: {
          base: roundAll(sb),
          duringImport: roundAll(sd),
          firstSecondAfter: roundAll(summarize(after)),
        },
      },
    };
  } finally {
    await Promise.all([portico.stop(), upstream.stop()]);
  }
}
