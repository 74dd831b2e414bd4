// npm run bench: every scenario in its own process (so one's JIT state and
// heap do not colour another's), then one table, bench/results.json and, for
// a full run, bench/RESULTS.md. Benchmarks are not tests: a missed target is
// reported, never a failure.
//
//   node bench/run.mjs            every scenario
//   node bench/run.mjs scrape     only the scenarios whose file name contains "scrape"
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, TABLE_BEGIN, TABLE_END } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scenarios = readdirSync(join(here, 'scenarios'))
  .filter((f) => f.endsWith('.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

// The machine is shared: its load before and after goes with the figures.
function load() {
  let uptime;
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    uptime = undefined;
  }
  return { loadavg: loadavg().map((x) => +x.toFixed(2)), uptime };
}
const loadBefore = load();
console.log(`load before: ${loadBefore.uptime ?? loadBefore.loadavg.join(', ')}`);

const results = [];
const seconds = {};
const t0 = performance.now();
for (const file of scenarios) {
  const name = file.replace(/\.mjs$/, '');
  process.stdout.write(`running ${name}...\n`);
  const started = performance.now();
  try {
    execFileSync(process.execPath, ['--expose-gc', join(here, 'scenarios', file)], { stdio: 'inherit' });
    results.push(JSON.parse(readFileSync(join(here, 'results', `${name}.json`), 'utf8')));
  } catch (err) {
    console.error(`scenario ${name} failed: ${err.message}`);
  }
  seconds[name] = +((performance.now() - started) / 1000).toFixed(1);
}
const totalSeconds = +((performance.now() - t0) / 1000).toFixed(1);
const loadAfter = load();
console.log(`load after: ${loadAfter.uptime ?? loadAfter.loadavg.join(', ')}`);

// The versions the scenarios resolve (the hoisted root copies; the
// OpenTelemetry packages' export maps hide package.json from require).
const version = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(here, '..', 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'absent';
  }
};
const versions = Object.fromEntries(['@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus', 'prom-client', '@prometheus-io/client'].map((p) => [p, version(p)]));
let commit;
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
} catch {
  commit = undefined;
}
const node = process.version;
const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()} ${release()} ${arch()}`;

// One column per peer library; a row's peer goes to its library's column
// (the OpenTelemetry column holds the SDK, its PrometheusSerializer or its
// exporter, named when it is not the SDK); anything else to "other".
const columns = [
  { title: 'OpenTelemetry JS', owns: (key) => key.startsWith('otel'), named: (key) => key !== 'otel-sdk' },
  { title: 'prom-client', owns: (key) => key === 'prom-client', named: () => false },
  { title: '@prometheus-io/client', owns: (key) => key === '@prometheus-io/client', named: () => false },
  { title: 'other', owns: () => true, named: () => true },
];
const cells = (r) => {
  const out = columns.map(() => []);
  for (const [key, value] of Object.entries(r.peers ?? {})) {
    const i = columns.findIndex((c) => c.owns(key));
    out[i].push(`${columns[i].named(key) ? `${key}: ` : ''}${fmt(value)} ${r.unit} (${fmt(value / r.ours)}x)`);
  }
  return out.map((c) => (c.length === 0 ? '-' : c.join('<br>')));
};
const lines = [
  `Inferometer benchmarks, ${new Date().toISOString().slice(0, 10)}${commit ? ` (commit ${commit})` : ''}.`,
  '',
  `- Node ${node}; ${machine}.`,
  `- ${Object.entries(versions).map(([p, v]) => `${p} ${v}`).join(', ')}.`,
  `- Load average (1, 5, 15 min) before: ${loadBefore.loadavg.join(', ')}; after: ${loadAfter.loadavg.join(', ')}. Medians; ratios are peer / ours (above 1: ours is lower).`,
  `- Wall time ${totalSeconds} s: ${Object.entries(seconds).map(([n, s]) => `${n} ${s} s`).join(', ')}.`,
  '',
  `| target | metric | ours | ${columns.map((c) => c.title).join(' | ')} | goal | met |`,
  `|---|---|---|${columns.map(() => '---|').join('')}---|---|`,
];
for (const result of results) {
  for (const r of result.rows) {
    lines.push(`| ${r.target} | ${r.metric} | ${fmt(r.ours)} ${r.unit} | ${cells(r).join(' | ')} | ${r.goal} | ${r.met ? 'yes' : 'NO'} |`);
  }
}
const notes = results.flatMap((result) => result.rows.filter((r) => r.note).map((r) => `- ${r.metric}: ${r.note}`));
const text = `${lines.join('\n')}\n${notes.length > 0 ? `\nNotes:\n\n${notes.join('\n')}\n` : ''}`;
console.log(`\n${text}`);
writeFileSync(
  join(here, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), commit, node, machine, versions, load: { before: loadBefore, after: loadAfter }, seconds: { total: totalSeconds, ...seconds }, results }, null, 2)}\n`,
);
// The committed table only from a full run: a partial one would drop rows.
if (only.length === 0) {
  writeFileSync(join(here, 'RESULTS.md'), `# Benchmark results\n\nWritten by \`npm run bench\` (bench/run.mjs).\n\n${text}`);
  // The table in docs/performance.md is this run's, between its markers,
  // never typed (test/performance-table.test.ts checks they agree).
  const doc = join(here, '..', 'docs', 'performance.md');
  const current = readFileSync(doc, 'utf8');
  const begin = current.indexOf(TABLE_BEGIN);
  const end = current.indexOf(TABLE_END);
  if (begin === -1 || end < begin) throw new Error(`${doc}: the markers ${TABLE_BEGIN} and ${TABLE_END} are missing`);
  writeFileSync(doc, `${current.slice(0, begin + TABLE_BEGIN.length)}\n${lines.join('\n')}\n${current.slice(end)}`);
}
