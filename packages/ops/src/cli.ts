#!/usr/bin/env node
/**
 * The `inferometer` bin (package.json "bin"). All logic is in cli/main.ts.
 */
import { main } from './cli/main.js';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    // exitCode, not exit(): let stdout drain when it is a pipe (`> rules.yml`).
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`inferometer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
