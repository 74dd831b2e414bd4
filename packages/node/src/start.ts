/**
 * `start()`: reads the configuration once (start/setup.ts), then runs the
 * mode this thread is in, one module each:
 *   start/thread.ts          a worker thread: answers its main thread
 *   start/cluster-worker.ts  a `node:cluster` worker: answers its primary
 *   start/primary.ts         a cluster primary or a main thread gathering threads: exports the merge
 *   start/standalone.ts      anything else: exports its own points
 * The members share start/member.ts, the exporting modes start/exporting.ts,
 * and all four the one shutdown of start/lifecycle.ts.
 */
import { startClusterWorker } from './start/cluster-worker.js';
import type { InferometerHandle, StartOptions } from './start/options.js';
import { startPrimary } from './start/primary.js';
import { resolveSetup } from './start/setup.js';
import { startStandalone } from './start/standalone.js';
import { startThread } from './start/thread.js';

export type { InferometerHandle, StartOptions } from './start/options.js';

/**
 * Sets up OpenTelemetry metrics for Inferometer: a MeterProvider with the
 * exporters the environment asks for, registered globally so every
 * `@Instrument` / `instrument()` records into it. With no configuration it
 * serves the Prometheus pull endpoint on port 9464.
 *
 * Fails (rejects with a {@link ConfigurationError}) on a wrong value, naming
 * the variable or option and what is accepted, and when another global
 * MeterProvider is already registered: in that case do not call `start()`;
 * `@inferometer/core` records into that provider, and
 * {@link createPrometheusReader} serves it.
 *
 * @example
 * ```ts
 * import { start } from '@inferometer/node';
 *
 * const telemetry = await start({ serviceName: 'iris-server' });
 * console.log(`metrics at ${telemetry.metricsUrl}`);
 * process.on('SIGTERM', () => void telemetry.shutdown());
 * ```
 */
export async function start(options: StartOptions = {}): Promise<InferometerHandle> {
  const setup = resolveSetup(options);
  const { mode } = setup;
  if (mode.thread) return startThread(setup);
  if (mode.role === 'worker') return startClusterWorker(setup);
  if (mode.role === 'primary' || mode.threads) return startPrimary(setup);
  return startStandalone(setup);
}
