// Portico's benchmarks: every scenario against a baseline measured in the same run.
// Usage (through scripts/bench.mjs): npm run bench -- [--json] [--quick] [--only a,b] [--out FILE]
// --only takes: latency, throughput (or http), passthrough, resources, scale (scale-tools and
// scale-customers), scrub, import, burst, start, ui, webhooks, limits, team.
import { writeFileSync } from 'node:fs';
import { machine, type Row, table } from './lib/report';
import { burstScenario } from './scenarios/burst';
import { httpScenarios } from './scenarios/http';
import { importScenario } from './scenarios/import';
import { limitsScenario } from './scenarios/limits';
import { passthroughScenario } from './scenarios/passthrough';
import { resourcesScenario } from './scenarios/resources';
import { scaleScenario } from './scenarios/scale';
import { scaleCustomersScenario } from './scenarios/scale-customers';
import { scrubScenario } from './scenarios/scrub';
import { startScenario } from './scenarios/start';
import { teamScenario } from './scenarios/team';
import { uiScenario } from './scenarios/ui';
import { webhooksScenario } from './scenarios/webhooks';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const json = flag('--json');
const quick = flag('--quick');
const only = new Set(
  (
    option('--only') ??
    'latency,throughput,passthrough,resources,scale,scrub,import,burst,start,ui,webhooks,limits,team'
  ).split(','),
);
const log = (line: string) => process.stderr.write(`${line}\n`);

const SCENARIOS = {
  http: () =>
    httpScenarios(
      {
        latencyCalls: quick ? 300 : 2_000,
        throughputRounds: quick ? 2 : 6,
        roundMs: quick ? 1_500 : 3_000,
        concurrency: 16,
      },
      log,
    ),
  passthrough: () =>
    passthroughScenario(
      {
        latencyCalls: quick ? 200 : 1_000,
        rounds: quick ? 2 : 6,
        roundMs: quick ? 1_500 : 3_000,
        concurrency: 16,
      },
      log,
    ),
  resources: () => resourcesScenario({ reads: quick ? 300 : 2_000 }, log),
  scale: () =>
    scaleScenario(
      {
        connectors: Number(option('--connectors') ?? 200),
        actions: 50,
        customers: 100,
        listCalls: quick ? 10 : 40,
        searchCalls: quick ? 100 : 400,
        changes: quick ? 5 : 15,
      },
      log,
    ),
  'scale-customers': () =>
    scaleCustomersScenario(
      {
        connectors: 200,
        actions: 50,
        customers: Number(option('--customers') ?? 10_000),
        wide: 5,
        links: 2,
        changes: quick ? 5 : 15,
      },
      log,
    ),
  scrub: () => scrubScenario({ calls: quick ? 200 : 1_000, small: 10, large: 10_000 }, log),
  import: () => importScenario({ imports: quick ? 1 : 3 }, log),
  // One script writing through the CLI (the target), then three at once (for reference: on two
  // cores, three back-to-back process starts compete with the gateway for CPU).
  burst: async () => {
    const options = { callsPerRound: quick ? 500 : 2_000, rounds: quick ? 2 : 3 };
    const one = await burstScenario({ ...options, writers: 1, target: true }, log);
    const three = await burstScenario({ ...options, writers: 3, target: false }, log);
    return {
      rows: [...one.rows, ...three.rows],
      errors: one.errors + three.errors,
      detail: { oneWriter: one.detail, threeWriters: three.detail },
    };
  },
  start: () => startScenario({ runs: quick ? 2 : 5 }, log),
  ui: () => uiScenario({ loads: quick ? 2 : 5, customers: 10_000 }, log),
  webhooks: () => webhooksScenario({ calls: quick ? 300 : 2_000 }, log),
  limits: () => limitsScenario({ calls: quick ? 300 : 2_000 }, log),
  team: () =>
    teamScenario(
      {
        latencyCalls: quick ? 300 : 2_000,
        rounds: quick ? 2 : 6,
        roundMs: quick ? 1_500 : 3_000,
        concurrency: 16,
      },
      log,
    ),
};
/** The --only names that select each scenario. */
const SELECTED_BY: Record<string, string[]> = {
  http: ['http', 'latency', 'throughput'],
  scale: ['scale', 'scale-tools'],
  'scale-customers': ['scale', 'scale-customers'],
};

const started = Date.now();
const rows: Row[] = [];
const details: Record<string, unknown> = {};
let errors = 0;
const host = machine();
log(
  `Portico bench on ${host.cpu}, ${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, load ${host.load}`,
);
for (const [name, run] of Object.entries(SCENARIOS)) {
  if (!(SELECTED_BY[name] ?? [name]).some((n) => only.has(n))) continue;
  const t0 = Date.now();
  try {
    const result = await run();
    rows.push(...result.rows);
    details[name] = result.detail;
    errors += result.errors;
  } catch (error) {
    errors += 1;
    details[name] = { failed: (error as Error).stack ?? String(error) };
    log(`${name} FAILED: ${(error as Error).stack ?? error}`);
  }
  log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

const out = {
  when: new Date().toISOString(),
  machine: host,
  loadAtEnd: machine().load,
  seconds: Math.round((Date.now() - started) / 1000),
  quick,
  errors,
  rows: rows.map((r) => ({ ...r })),
  details,
};
const printed = table(rows);
if (json) {
  log(printed);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  // The machine line goes with the table: the load says what else shared the cores.
  process.stdout.write(
    `\n${host.cpu}, ${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}; load ${host.load} at the start, ${machine().load} at the end\n\n${printed}\n\n${rows.filter((r) => r.met === false).length} target(s) missed; ${errors} error(s); ${out.seconds} s.\n`,
  );
}
const file = option('--out');
if (file) writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
process.exit(errors > 0 ? 1 : 0);
