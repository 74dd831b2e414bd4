/**
 * How every mode of `start()` registers and ends: the global MeterProvider
 * registration, the one shutdown path (with its signal and 'beforeExit'
 * hooks). The modes differ only in what they hand it to close.
 */
import { diag, metrics } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ConfigurationError } from '../config/env.js';

/**
 * Registers `provider` as the global MeterProvider. When another is
 * registered already (an OpenTelemetry setup elsewhere in the service),
 * runs `undo` (what the start set up so far) and rejects naming the fix.
 */
export async function registerGlobal(provider: MeterProvider, undo: () => Promise<void>): Promise<void> {
  if (metrics.setGlobalMeterProvider(provider)) return;
  await undo();
  throw new ConfigurationError(
    '@inferometer/node start(): a global MeterProvider is already registered (by an OpenTelemetry setup elsewhere in the service). ' +
      "Skip start(): @inferometer/core records into that provider; add createPrometheusReader()'s reader to it to serve /metrics.",
    { accepted: 'start() only when no global MeterProvider is registered' },
  );
}

/** What a started mode holds, in the order its shutdown closes it. */
export interface Held {
  /**
   * Closed first, step after step, the parts of one step at once: the
   * providers (their last export still reads the producers) and servers, or
   * a member's goodbye (it carries its last points) then its provider. A
   * failure goes to `diag` and the rest still run.
   */
  readonly close: readonly (readonly (() => void | Promise<void>)[])[];
  /** Then detached, once nothing reads them: the catalog producers, runtime metrics. */
  readonly detach: () => void;
}

export interface ShutdownHooks {
  /** The `handleSignals` option: shut down on SIGTERM and SIGINT, then let the signal take its course. */
  readonly handleSignals: boolean;
  /** With push exporters: export once more when the event loop empties, holding the process at most `boundMillis`. */
  readonly beforeExit?: { readonly flush: () => Promise<void>; readonly boundMillis: number };
}

/**
 * The shutdown of every mode: unhooks, unregisters the global
 * MeterProvider (so `start()` may run again), closes what is held, then
 * detaches. Runs once; later calls return the same promise.
 */
export function shutdownPath(held: Held, hooks: ShutdownHooks): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  const unhook: (() => void)[] = [];
  const shutdown = (): Promise<void> => {
    stopped ??= (async () => {
      for (const remove of unhook) remove();
      metrics.disable();
      for (const step of held.close) {
        const results = await Promise.allSettled(step.map(async (close) => close()));
        for (const result of results) {
          if (result.status === 'rejected') diag.error('@inferometer/node: shutdown failed', result.reason);
        }
      }
      held.detach();
    })();
    return stopped;
  };
  if (hooks.handleSignals) unhook.push(onSignals(shutdown));
  if (hooks.beforeExit !== undefined) unhook.push(onBeforeExit(hooks.beforeExit.flush, hooks.beforeExit.boundMillis));
  return shutdown;
}

/**
 * When the event loop empties ('beforeExit': the process is about to end on
 * its own, https://nodejs.org/api/process.html#event-beforeexit), exports
 * once more, holding the process at most `boundMillis`; then the process
 * ends as it would have (same exit code). The export itself empties the
 * loop again and fires 'beforeExit' once more: that one is let pass, or the
 * process would export forever. A later 'beforeExit' (another listener
 * scheduled work after) exports again. Not on `process.exit()` or a signal:
 * no callback runs then.
 */
function onBeforeExit(flush: () => Promise<void>, boundMillis: number): () => void {
  let state: 'armed' | 'flushing' | 'flushed' = 'armed';
  const handler = (): void => {
    if (state === 'flushing') return;
    if (state === 'flushed') {
      // The wake-up of our own export: let the process end.
      state = 'armed';
      return;
    }
    state = 'flushing';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(hold);
      state = 'flushed';
    };
    // Referenced on purpose: the export's own timers may be unreferenced, and
    // the process must stay for it, at most the bound.
    const hold = setTimeout(finish, boundMillis);
    flush()
      .catch((err: unknown) => diag.error('@inferometer/node: the export at the end of the process failed', err))
      .finally(finish);
  };
  process.on('beforeExit', handler);
  return () => process.off('beforeExit', handler);
}

/** SIGTERM / SIGINT: flush, then re-raise so the process ends as it would have. */
function onSignals(shutdown: () => Promise<void>): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const handler = (): void => {
      // Re-raise only when nobody else listens: another listener owns the
      // exit, and re-raising would run it a second time.
      void shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    process.once(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
