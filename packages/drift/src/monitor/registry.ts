import {
  type Attributes,
  type BatchObservableResult,
  type MeterProvider,
  type ObservableCounter,
  type ObservableGauge,
} from '@opentelemetry/api';
import { ATTR_MODEL_NAME, ATTR_REASON } from '@inferometer/core/catalog';
import { ProviderBound, runtime } from '@inferometer/core/internal';
import { METRIC_DATA_DRIFT_SCORE, METRIC_DRIFT_DROPPED, METRIC_PREDICTION_DRIFT_SCORE } from '../catalog.js';

import { VERSION } from '../version.js';
import { reportError } from './diagnostics.js';
import { DRIFT_PART, DRIFT_PART_MODULE, DRIFT_SCOPE, mergeThreadParts, type WindowContribution } from './threads.js';

/** The instruments a member reports into at collection. @internal */
export interface DriftInstruments {
  readonly data: ObservableGauge;
  readonly prediction: ObservableGauge;
}

/** A bound series: computes its scores when the SDK collects. @internal */
export interface DriftMember {
  collect(result: BatchObservableResult, instruments: DriftInstruments, now: number): void;
  /** Its windows' counts now, for the union across threads (threads.ts). */
  contribute(out: WindowContribution[], now: number): void;
}


/**
 * The process-wide set of bound series and the gauges that report them.
 *
 * Drift scores are observable gauges: computed at collection time, not per
 * call, so the statistics cost nothing on the prediction path. The OpenTelemetry JS API has no proxy provider, so gauges
 * created before the SDK is registered stay no-ops forever; as in core's
 * OtelApiRecorder, the instruments are created lazily and again whenever the
 * global provider changes. {@link ensure} is one reference comparison, made
 * once per observed call.
 *
 * @internal
 */
export class DriftRegistry {
  /** The gauges of the current global provider (true once registered on it, even if that failed: not retried per call). */
  private readonly _gauges = new ProviderBound<true>((provider) => {
    try {
      this._register(provider);
    } catch (err) {
      reportError('register drift gauges', err);
    }
    return true;
  });
  private readonly _members = new Set<DriftMember>();
  /** Dropped observations by model and reason: attributes built once, counts bumped in place. */
  private readonly _dropped = new Map<string, { readonly attributes: Attributes; count: number }>();

  constructor() {
    // Windows travel to a main thread that aggregates this thread (and that
    // main thread merges them, its own among them): see threads.ts.
    const parts = runtime().threadParts;
    parts.provide(DRIFT_PART, { module: DRIFT_PART_MODULE, produce: () => this.contributions() });
    parts.addMerger(DRIFT_PART, mergeThreadParts);
  }

  /** Every member's windows now; a member's failure costs only its own. */
  contributions(): WindowContribution[] {
    const out: WindowContribution[] = [];
    const now = performance.now();
    for (const member of this._members) {
      try {
        member.contribute(out, now);
      } catch (err) {
        reportError('share drift windows with the main thread', err);
      }
    }
    return out;
  }

  add(member: DriftMember): void {
    this._members.add(member);
    this.ensure();
  }

  remove(member: DriftMember): void {
    this._members.delete(member);
  }

  /** Counts one dropped observation (a row, or a result). */
  dropped(model: string, reason: string, rows = 1): void {
    const key = `${model}\u0000${reason}`;
    let entry = this._dropped.get(key);
    if (entry === undefined) {
      entry = { attributes: { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason }, count: 0 };
      this._dropped.set(key, entry);
    }
    entry.count += rows;
  }

  /** Dropped observations so far for `model` and `reason` (tests, diagnostics). */
  droppedCount(model: string, reason: string): number {
    return this._dropped.get(`${model}\u0000${reason}`)?.count ?? 0;
  }

  /** (Re)creates the instruments when the global MeterProvider changed. */
  ensure(): void {
    this._gauges.get();
  }

  private _register(provider: MeterProvider): void {
    const meter = provider.getMeter(DRIFT_SCOPE, VERSION);
    const instruments: DriftInstruments = {
      data: meter.createObservableGauge(METRIC_DATA_DRIFT_SCORE.name, {
        description: METRIC_DATA_DRIFT_SCORE.description,
        unit: METRIC_DATA_DRIFT_SCORE.unit,
      }),
      prediction: meter.createObservableGauge(METRIC_PREDICTION_DRIFT_SCORE.name, {
        description: METRIC_PREDICTION_DRIFT_SCORE.description,
        unit: METRIC_PREDICTION_DRIFT_SCORE.unit,
      }),
    };
    const dropped: ObservableCounter = meter.createObservableCounter(METRIC_DRIFT_DROPPED.name, {
      description: METRIC_DRIFT_DROPPED.description,
      unit: METRIC_DRIFT_DROPPED.unit,
    });
    meter.addBatchObservableCallback(
      (result) => {
        const now = performance.now();
        for (const member of this._members) {
          // One member's failure must not cost the others their scores.
          try {
            member.collect(result, instruments, now);
          } catch (err) {
            reportError('compute drift scores', err);
          }
        }
        for (const entry of this._dropped.values()) result.observe(dropped, entry.count, entry.attributes);
      },
      [instruments.data, instruments.prediction, dropped],
    );
  }
}

/**
 * The process's drift registry: one per core runtime, whichever copy of this
 * package (ESM, CJS, two versions) asks first, so the gauges are registered
 * once and every monitor's series report through them.
 *
 * @internal
 */
export function driftRegistry(): DriftRegistry {
  return runtime().shared('@inferometer/drift:registry', () => new DriftRegistry());
}
