// npm run bench: every scenario in its own process (so one's JIT state and
// heap do not colour another's), then one table and bench/results.json.
// Benchmarks are not tests: a missed target is reported, never a failure.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scenarios = readdirSync(join(here, 'scenarios'))
  .filter((f) => f.endsWith('.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const results = [];
for (const file of scenarios) {
  const name = file.replace(/\.mjs$/, '');
  process.stdout.write(`running ${name}...\n`);
  try {
    execFileSync(process.execPath, ['--expose-gc', join(here, 'scenarios', file)], { stdio: 'inherit' });
    results.push(JSON.parse(readFileSync(join(here, 'results', `${name}.json`), 'utf8')));
  } catch (err) {
    console.error(`scenario ${name} failed: ${err.message}`);
  }
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const lines = [
  `Inferometer benchmarks, ${new Date().toISOString().slice(0, 10)}, ${machine}. Medians; ratios are peer / ours.`,
  '',
  '| target | metric | ours | peers (ratio) | goal | met |',
  '|---|---|---|---|---|---|',
];
for (const result of results) {
  for (const r of result.rows) {
    const peers = Object.entries(r.peers).map(([name, v]) => `${name} ${fmt(v)} ${r.unit} (${fmt(v / r.ours)}x)`).join('<br>');
    lines.push(`| ${r.target} | ${r.metric} | ${fmt(r.ours)} ${r.unit} | ${peers || '-'} | ${r.goal} | ${r.met ? 'yes' : 'NO'} |`);
  }
}
console.log(`\n${lines.join('\n')}\n`);
for (const result of results) for (const r of result.rows) if (r.note) console.log(`- ${r.metric}: ${r.note}`);
writeFileSync(join(here, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
