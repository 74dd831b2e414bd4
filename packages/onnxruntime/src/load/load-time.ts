import type { Attributes, Histogram } from '@opentelemetry/api';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import { ProviderBound, runtime } from '@inferometer/core/internal';
import { ATTR_EXECUTION_PROVIDER, METRIC_MODEL_LOAD } from '../catalog.js';
import { PACKAGE_NAME, VERSION } from '../version.js';

/** Loads remembered for a provider registered later (bounded: one per session, oldest dropped first). */
const MAX_REMEMBERED_LOADS = 64;
const SCOPE = PACKAGE_NAME;

/**
 * Records `ml_model_load_seconds{model_name, model_version, execution_provider}`.
 *
 * A model is usually loaded once, often before the service registers its
 * MeterProvider, and the OpenTelemetry JS API has no proxy provider: a
 * histogram taken earlier stays a no-op. So each load is remembered (a few
 * dozen at most) and recorded again into a provider that appears later;
 * {@link ensure} checks the global provider with one comparison and runs on
 * every instrumented `run()`.
 *
 * @internal
 */
export class LoadTimeRecorder {
  private readonly _histogram = new ProviderBound<Histogram>((provider) =>
    provider.getMeter(SCOPE, VERSION).createHistogram(METRIC_MODEL_LOAD.name, {
      description: METRIC_MODEL_LOAD.description,
      unit: METRIC_MODEL_LOAD.unit,
      // Seconds: without advice the SDK's millisecond-scale defaults apply.
      advice: { explicitBucketBoundaries: [...METRIC_MODEL_LOAD.buckets] },
    }),
  );
  private readonly _loads: { readonly seconds: number; readonly attributes: Attributes }[] = [];

  record(seconds: number, model: string, version: string, executionProvider: string): void {
    const load = {
      seconds,
      attributes: { [ATTR_MODEL_NAME]: model, [ATTR_MODEL_VERSION]: version, [ATTR_EXECUTION_PROVIDER]: executionProvider },
    };
    if (this._loads.length >= MAX_REMEMBERED_LOADS) this._loads.shift();
    this._loads.push(load);
    if (this.ensure()) return; // a new provider: every load, this one included, was just recorded
    this._histogram.get().record(load.seconds, load.attributes);
  }

  /** Takes the histogram from a provider registered since; returns true if it did (and replayed the loads). */
  ensure(): boolean {
    if (!this._histogram.stale()) return false;
    const histogram = this._histogram.get();
    for (const load of this._loads) histogram.record(load.seconds, load.attributes);
    return true;
  }
}

/**
 * The process's load recorder: one per core runtime, whichever copy of this
 * package asks first, so a load recorded through one copy is replayed once.
 *
 * @internal
 */
export function loadTimes(): LoadTimeRecorder {
  return runtime().shared('@inferometer/onnxruntime:load-times', () => new LoadTimeRecorder());
}
