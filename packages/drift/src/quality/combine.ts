import type { BoundInferenceObserver, InferenceObserver } from '@inferometer/core';

/**
 * One observer from several, for the single `drift` option: a drift
 * monitor, an outcome tracker, a data-quality monitor and an embedding
 * monitor side by side. Each is bound and called in the order given; one
 * that throws costs only its own observation (the others still run, and
 * core counts the failure as for any observer).
 *
 * @example
 * ```ts
 * instrument(predict, { model: 'iris', version: '1.0.0', drift: combineObservers(drift, outcomes, quality) });
 * ```
 */
export function combineObservers(...observers: readonly InferenceObserver[]): InferenceObserver {
  for (const [i, o] of observers.entries()) {
    if (o === null || typeof o !== 'object' || typeof o.bind !== 'function') {
      throw new TypeError(`combineObservers(...observers): argument ${i} must be an observer with a bind() method, such as driftMonitor(...) or outcomeTracker(...)`);
    }
  }
  return {
    bind(series) {
      const bound = observers.map((o) => o.bind(series));
      const inputs = bound.filter((b) => typeof b.input === 'function');
      const outputs = bound.filter((b) => typeof b.output === 'function');
      const result: BoundInferenceObserver = {};
      if (inputs.length > 0) {
        result.input = (args) => {
          let failure: unknown;
          for (const b of inputs) {
            try {
              b.input!(args);
            } catch (err) {
              failure ??= err;
            }
          }
          if (failure !== undefined) throw failure;
        };
      }
      if (outputs.length > 0) {
        result.output = (value, args) => {
          let failure: unknown;
          for (const b of outputs) {
            try {
              b.output!(value, args);
            } catch (err) {
              failure ??= err;
            }
          }
          if (failure !== undefined) throw failure;
        };
      }
      return result;
    },
  };
}
