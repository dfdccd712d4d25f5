#!/usr/bin/env node
// Summarizes a .cpuprofile: self time by function and by package/file, top N.
// node bench/profile-summary.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, n = '40'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const where = new Map();
for (const [id, us] of self) {
  const { callFrame } = byId.get(id);
  const url = callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:');
  const key = `${callFrame.functionName || '(anon)'} ${url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const pkg = url.startsWith('nm:')
    ? url
        .split('/')
        .slice(0, url.startsWith('nm:@') ? 2 : 1)
        .join('/')
    : url.includes('portico-bench')
      ? 'portico(src)'
      : url || callFrame.functionName;
  where.set(pkg, (where.get(pkg) ?? 0) + us);
}
const show = (map, title) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show(where, 'self time by package');
show(fn, 'self time by function');

// Inclusive time per function (counted once per sample even when recursive).
const parent = new Map();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const incl = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const { callFrame } = byId.get(cur);
    const url = callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:');
    const key = `${callFrame.functionName || '(anon)'} ${url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + us);
  }
}
const busy = total - (where.get('(idle)') ?? 0);
console.log(`\ninclusive time (% of busy ${(busy / 1000).toFixed(0)} ms)`);
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(n) * 2))
  console.log(`${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
