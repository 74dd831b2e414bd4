// `npm test` after the build: lint, type-check and the vitest suite, run at
// once rather than one after the other. Lint and the type checks are CPU
// work of a minute or two each; most of the suite's wall time is spent
// waiting on real servers (scrape intervals, alert `for`s, an outage of
// 10 s), time the checks can use. Run one after the other, they were about
// 150 s on CI's critical path.
//
// Arguments go to `vitest run`. Lint's and the type checks' output is
// printed when each ends (so it does not interleave with vitest's); the
// exit status is non-zero if any of the three failed.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command; its output is kept and printed at its end unless `inherit`. */
function run(name, command, args, inherit = false) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const output = [];
    if (!inherit) {
      child.stdout.on('data', (chunk) => output.push(chunk));
      child.stderr.on('data', (chunk) => output.push(chunk));
    }
    child.on('error', (err) => {
      output.push(Buffer.from(`${name}: ${err.message}\n`));
    });
    child.on('close', (code, signal) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      const ok = code === 0;
      if (!inherit) process.stdout.write(Buffer.concat(output));
      console.log(`test: ${name} ${ok ? 'passed' : `failed (${signal ?? `exit ${code}`})`} in ${seconds} s`);
      resolve(ok);
    });
  });
}

const results = await Promise.all([
  run('lint', npm, ['run', 'lint']),
  // The build is done (npm test's first step): the type-check programs alone.
  run('typecheck', npm, ['run', 'typecheck:programs']),
  run('vitest', process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], true),
]);
process.exitCode = results.every(Boolean) ? 0 : 1;
