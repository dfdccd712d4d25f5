// The soak test (npm run soak [-- --minutes N] [-- --json]): 50 concurrent sessions across 20
// customers for a bounded time, mixed tools/list and tools/call (HTTP connector, stdio MCP
// connector, SDK path with progress tokens), sessions opening and closing. Passes when there
// were no errors, no session, child process or socket was left behind, and RSS grew < 10%
// after warm-up. Then sessions that clients abandon: --idle-sessions N (default 1000, the
// per-key cap) opened and left idle, memory per open session measured, the next one refused
// (429), and all of them expiring after --idle-timeout S (default 15) with their memory
// returned. Prints one verdict line; exits 1 on failure.
import { McpHttpSession, newAgent } from './lib/mcp-client';
import { childPids, rssMb, socketCount, startServer, tcpSockets } from './lib/procs';
import { everythingCommand } from './scenarios/passthrough';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const minutes = Number(option('--minutes') ?? 5);
const SESSIONS = Number(option('--sessions') ?? 50);
const CUSTOMERS = Number(option('--customers') ?? 20);
const json = argv.includes('--json');
const IDLE_TIMEOUT = Number(option('--idle-timeout') ?? 15);
const IDLE_SESSIONS = Number(option('--idle-sessions') ?? 1000);
const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const upstream = await startServer('upstream', {});
const portico = await startServer(
  'portico',
  {
    setup: 'soak',
    upstream: upstream.ready.url,
    everything: everythingCommand(),
    customers: CUSTOMERS,
    sessionIdleTimeoutSeconds: IDLE_TIMEOUT,
    maxSessionsPerKey: IDLE_SESSIONS,
  },
  ['--expose-gc'],
);
const url = String(portico.ready.url);
const customers = portico.ready.customers as string[];
const withEverything = new Set(customers.filter((_, i) => i % 4 === 0));
const auth = { authorization: `Bearer ${portico.ready.gatewayKey}` };
const failures: string[] = [];
const errors: string[] = [];
let requests = 0;
let opened = 0;
let closedSessions = 0;

const agents = Array.from({ length: SESSIONS }, () => newAgent(4));

async function one(agentIndex: number, deadline: number): Promise<void> {
  const customer = customers[agentIndex % customers.length] as string;
  const session = new McpHttpSession(`${url}/mcp/gateway?customer_id=${customer}`, auth, agents[agentIndex]);
  await session.initialize();
  opened += 1;
  try {
    const { tools } = (await session.request('tools/list')) as { tools: { name: string }[] };
    requests += 1;
    const getItem = tools.find((t) => /get_?item/i.test(t.name))?.name;
    const createItem = tools.find((t) => /create_?item/i.test(t.name))?.name;
    const echo = tools.find((t) => /__echo$/.test(t.name))?.name;
    if (!getItem || !createItem || (withEverything.has(customer) && !echo))
      throw new Error(`${customer}: tools missing from ${tools.map((t) => t.name).join(', ')}`);
    const ops = 5 + Math.floor(Math.random() * 35);
    for (let i = 0; i < ops && Date.now() < deadline; i += 1) {
      const roll = Math.random();
      if (roll < 0.25) {
        const listed = (await session.request('tools/list')) as { tools: unknown[] };
        if (listed.tools.length !== tools.length) throw new Error(`${customer}: tools/list changed size`);
      } else if (roll < 0.35) {
        // Through the SDK transport: a progress token keeps the call off the fast path.
        const r = await session.request('tools/call', {
          name: getItem,
          arguments: { itemId: `p-${i}` },
          _meta: { progressToken: `${agentIndex}-${i}` },
        });
        if (r.isError || !JSON.stringify(r).includes(`p-${i}`))
          throw new Error(`${customer}: bad SDK-path result`);
      } else if (roll < 0.5 && echo) {
        const r = await session.callTool(echo, { message: `m${i}` });
        if (!JSON.stringify(r).includes(`m${i}`)) throw new Error(`${customer}: bad echo`);
      } else if (roll < 0.6) {
        const r = await session.callTool(createItem, { name: `n${i}`, count: i });
        if (!JSON.stringify(r).includes(`n${i}`)) throw new Error(`${customer}: bad create`);
      } else {
        const r = await session.callTool(getItem, { itemId: `${customer}-${i}` });
        if (!JSON.stringify(r).includes(`${customer}-${i}`)) throw new Error(`${customer}: bad get`);
      }
      requests += 1;
    }
  } finally {
    await session.close();
    closedSessions += 1;
  }
}

async function worker(index: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      await one(index, deadline);
    } catch (error) {
      errors.push((error as Error).message);
      if (errors.length > 1000) errors.splice(0, 500);
    }
  }
}

// Prime: start every stdio child once, so the socket baseline includes their pipes.
for (const customer of withEverything) {
  const s = new McpHttpSession(`${url}/mcp/gateway?customer_id=${customer}`, auth, newAgent(2));
  await s.initialize();
  const { tools } = (await s.request('tools/list')) as { tools: { name: string }[] };
  const echo = tools.find((t) => /__echo$/.test(t.name))?.name as string;
  await s.callTool(echo, { message: 'prime' });
  await s.close();
  s.agent.destroy();
}
await sleep(500);
const socketsBefore = socketCount(portico.pid);
const childrenBefore = childPids(portico.pid);

const totalMs = minutes * 60_000;
const warmupMs = Math.min(totalMs / 2, Math.max(30_000, totalMs * 0.2));
const started = Date.now();
const deadline = started + totalMs;
log(
  `soak: ${minutes} min, ${SESSIONS} sessions across ${CUSTOMERS} customers (${withEverything.size} with a stdio MCP connector); warm-up ${Math.round(warmupMs / 1000)} s`,
);
const samples: { t: number; rss: number }[] = [];
const sampler = setInterval(() => samples.push({ t: Date.now() - started, rss: rssMb(portico.pid) }), 2_000);
let lastReport = 0;
const reporter = setInterval(() => {
  const s = samples.at(-1);
  if (Date.now() - lastReport < 30_000) return;
  lastReport = Date.now();
  log(
    `  ${Math.round((Date.now() - started) / 1000)} s: ${requests} requests, ${opened} sessions opened, ${errors.length} errors, RSS ${s?.rss.toFixed(0)} MB`,
  );
}, 5_000);
// The live heap (after a full GC) at the end of warm-up, to tell a leak from V8's heap sizing.
let heapWarm = Number.NaN;
const heapProbe = setTimeout(() => {
  void portico.stats('gc').then((s) => {
    heapWarm = Number(s.heapMb);
    log(`  end of warm-up, after a full GC: ${JSON.stringify(s)}`);
  });
}, warmupMs);
await Promise.all(Array.from({ length: SESSIONS }, (_, i) => worker(i, deadline)));
clearTimeout(heapProbe);
clearInterval(sampler);
clearInterval(reporter);
const seconds = (Date.now() - started) / 1000;

// RSS: the median of the window right after warm-up vs the median of the last 20%.
const window = Math.max(4_000, totalMs * 0.1);
const early = samples.filter((s) => s.t >= warmupMs && s.t < warmupMs + window).map((s) => s.rss);
const late = samples.filter((s) => s.t >= totalMs - Math.max(window, totalMs * 0.2)).map((s) => s.rss);
const rssWarm = median(early.length ? early : samples.map((s) => s.rss));
const rssEnd = median(late.length ? late : samples.map((s) => s.rss));
const growth = (rssEnd - rssWarm) / rssWarm;

// Leaks: every session the clients closed is gone; sockets back to the baseline.
for (const a of agents) a.destroy();
await sleep(6_000); // past undici's keep-alive to the upstream (4 s)
const stats = await portico.stats('gc');
const sessions = stats.sessions as { admin: number; gateway: number } | null;
const socketsAfter = socketCount(portico.pid);
// Inbound connections to the gateway must all be gone; outbound keep-alive connections to the
// upstream API are a bounded pool (the upstream lets them idle 60 s), reported, not a leak.
const serverPort = Number(new URL(url).port);
const upstreamPort = Number(new URL(String(upstream.ready.url)).port);
const tcp = tcpSockets(portico.pid);
const inbound = tcp.filter((s) => s.local === serverPort && s.state !== 'listen').length;
const upstreamPool = tcp.filter((s) => s.remote === upstreamPort).length;
const otherSockets = socketsAfter - inbound - upstreamPool;
const childrenDuring = childPids(portico.pid);

// Abandoned sessions: opened up to the key's cap and left idle; they must cost a bounded amount
// each, stop at the cap, expire on their own and give their memory back.
const heapOf = (stats: Record<string, unknown>) => Number(stats.heapMb);
const gatewaySessions = (stats: Record<string, unknown>) =>
  (stats.sessions as { gateway: number } | null)?.gateway ?? Number.NaN;
const idleBase = await portico.stats('gc');
const idleAgents = Array.from({ length: 8 }, () => newAgent(4));
const idle: McpHttpSession[] = [];
let nextIdle = 0;
const idleOpenStarted = Date.now();
await Promise.all(
  idleAgents.map(async (agent) => {
    while (nextIdle < IDLE_SESSIONS) {
      const i = nextIdle++;
      const customer = customers[i % customers.length] as string;
      const session = new McpHttpSession(`${url}/mcp/gateway?customer_id=${customer}`, auth, agent);
      try {
        await session.initialize();
        await session.request('tools/list');
        idle.push(session);
      } catch (error) {
        errors.push(`idle session: ${(error as Error).message}`);
      }
    }
  }),
);
const idleOpenSeconds = (Date.now() - idleOpenStarted) / 1000;
const lastActivity = Date.now();
const over = await new McpHttpSession(`${url}/mcp/gateway?customer_id=${customers[0]}`, auth, newAgent(1))
  .initialize()
  .then(
    () => 'accepted',
    (error: Error) => error.message,
  );
const idleFull = await portico.stats('gc');
const idleOpen = gatewaySessions(idleFull);
const heapPerSessionKb = ((heapOf(idleFull) - heapOf(idleBase)) * 1024) / idleOpen;
const rssPerSessionKb = ((Number(idleFull.rssMb) - Number(idleBase.rssMb)) * 1024) / idleOpen;
log(
  `  ${idleOpen} idle sessions open (in ${idleOpenSeconds.toFixed(1)} s): heap after GC ${heapOf(idleBase)} → ${heapOf(idleFull)} MB (${heapPerSessionKb.toFixed(1)} KB per session), RSS ${idleBase.rssMb} → ${idleFull.rssMb} MB; one more: ${over.slice(0, 120)}`,
);
// Nothing touches them now: only the server's own count is polled until they expired.
let idleLeft = idleOpen;
const expiryDeadline = Date.now() + (IDLE_TIMEOUT + 30) * 1000;
while (idleLeft > 0 && Date.now() < expiryDeadline) {
  await sleep(500);
  idleLeft = gatewaySessions(await portico.stats());
}
const expiredAfter = (Date.now() - lastActivity) / 1000;
const stale = await idle[0]?.request('tools/list').then(
  () => 'still answers',
  (error: Error) => error.message,
);
for (const a of idleAgents) a.destroy();
const idleAfter = await portico.stats('gc');
const idleGrowth = heapOf(idleFull) - heapOf(idleBase);
const returned = (heapOf(idleFull) - heapOf(idleAfter)) / idleGrowth;
log(
  `  expired after ${expiredAfter.toFixed(1)} s (${idleLeft} left): heap after GC ${heapOf(idleAfter)} MB (${(returned * 100).toFixed(0)}% of the ${idleGrowth.toFixed(1)} MB returned), RSS ${idleAfter.rssMb} MB; an expired id: ${stale?.slice(0, 140)}`,
);
await portico.stop();
await sleep(1_000);
const survivors = [...new Set([...childrenBefore, ...childrenDuring])].filter((pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
});
await upstream.stop();

if (errors.length) failures.push(`${errors.length} errors (first: ${errors[0]})`);
if (!sessions) failures.push('the server does not report its session count (PorticoApp.sessionCount)');
else if (sessions.gateway !== 0 || sessions.admin !== 0)
  failures.push(`${sessions.gateway + sessions.admin} sessions left open`);
if (inbound > 0) failures.push(`${inbound} client connections still open`);
if (upstreamPool > SESSIONS)
  failures.push(`${upstreamPool} upstream connections (more than ${SESSIONS} concurrent sessions)`);
if (otherSockets > socketsBefore + 2) failures.push(`other sockets ${socketsBefore} → ${otherSockets}`);
if (childrenDuring.length > childrenBefore.length)
  failures.push(`child processes ${childrenBefore.length} → ${childrenDuring.length}`);
if (survivors.length) failures.push(`${survivors.length} child processes outlived the server`);
if (!(growth < 0.1)) failures.push(`RSS grew ${(growth * 100).toFixed(1)}% after warm-up`);
if (opened < SESSIONS) failures.push(`only ${opened} sessions were opened`);
if (idleOpen !== IDLE_SESSIONS)
  failures.push(`${idleOpen} of ${IDLE_SESSIONS} idle sessions were open at once`);
if (!/Too many open sessions/.test(over)) failures.push(`session ${IDLE_SESSIONS + 1} of one key: ${over}`);
if (idleLeft > 0)
  failures.push(`${idleLeft} idle sessions had not expired ${Math.round(expiredAfter)} s later`);
if (!/Session not found: it expired/.test(stale ?? '')) failures.push(`an expired session id: ${stale}`);
if (!(returned >= 0.9))
  failures.push(`only ${(returned * 100).toFixed(0)}% of the idle sessions' heap was returned after expiry`);

const result = {
  pass: failures.length === 0,
  minutes,
  seconds: Math.round(seconds),
  sessions: SESSIONS,
  customers: CUSTOMERS,
  requests,
  requestsPerSecond: Math.round(requests / seconds),
  sessionsOpened: opened,
  sessionsClosed: closedSessions,
  sessionsLeftOpen: sessions,
  errors: errors.length,
  rssMb: {
    afterWarmup: Math.round(rssWarm * 10) / 10,
    end: Math.round(rssEnd * 10) / 10,
    growthPercent: Math.round(growth * 1000) / 10,
    heapAfterGcMb: { afterWarmup: heapWarm, end: stats.heapMb },
  },
  memoryAtEnd: stats,
  sockets: {
    before: socketsBefore,
    after: socketsAfter,
    inboundOpen: inbound,
    upstreamKeepAlive: upstreamPool,
    other: otherSockets,
  },
  childProcesses: {
    before: childrenBefore.length,
    after: childrenDuring.length,
    outlivedServer: survivors.length,
  },
  idleSessions: {
    idleTimeoutSeconds: IDLE_TIMEOUT,
    maxPerKey: IDLE_SESSIONS,
    open: idleOpen,
    openSeconds: Math.round(idleOpenSeconds * 10) / 10,
    overTheCap: over,
    heapMb: { before: heapOf(idleBase), open: heapOf(idleFull), afterExpiry: heapOf(idleAfter) },
    rssMb: { before: idleBase.rssMb, open: idleFull.rssMb, afterExpiry: idleAfter.rssMb },
    heapPerSessionKb: Math.round(heapPerSessionKb * 10) / 10,
    rssPerSessionKb: Math.round(rssPerSessionKb * 10) / 10,
    expiredAfterSeconds: Math.round(expiredAfter * 10) / 10,
    leftOpen: idleLeft,
    heapReturnedPercent: Math.round(returned * 1000) / 10,
    expiredIdAnswer: stale,
  },
  failures,
};
if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
const verdict = `SOAK ${result.pass ? 'PASS' : 'FAIL'}: ${Math.round(seconds)} s, ${SESSIONS} sessions × ${CUSTOMERS} customers, ${requests} requests (${result.requestsPerSecond}/s), ${opened} sessions opened/closed, ${errors.length} errors, ${sessions ? sessions.gateway + sessions.admin : '?'} left open, RSS ${rssWarm.toFixed(0)} → ${rssEnd.toFixed(0)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%), live heap ${heapWarm} → ${stats.heapMb} MB, sockets ${socketsBefore} → ${otherSockets} (+${upstreamPool} upstream keep-alive, ${inbound} inbound), children ${childrenBefore.length} → ${childrenDuring.length} → ${survivors.length} after stop; ${idleOpen} idle sessions: heap ${heapOf(idleBase)} → ${heapOf(idleFull)} MB (${heapPerSessionKb.toFixed(1)} KB each), session ${IDLE_SESSIONS + 1} refused (${/Too many open sessions/.test(over) ? '429' : 'NOT refused'}), expired in ${expiredAfter.toFixed(0)} s (timeout ${IDLE_TIMEOUT} s), heap back to ${heapOf(idleAfter)} MB (${(returned * 100).toFixed(0)}% returned)${failures.length ? ` — ${failures.join('; ')}` : ''}`;
process.stdout.write(`${verdict}\n`);
process.exit(result.pass ? 0 : 1);
