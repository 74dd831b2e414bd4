#!/usr/bin/env node
/**
 * `inferometer-profile data.csv > reference.json`: the reference profile of
 * a training CSV, for `driftMonitor({ reference })`. See `--help`.
 */
import { runProfileCommand } from './cli/profile-command.js';

// No top-level await: the same source builds as CommonJS too.
void runProfileCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`inferometer-profile: unexpected failure: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  },
);
