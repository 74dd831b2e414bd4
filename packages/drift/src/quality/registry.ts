import type { Attributes, BatchObservableResult, Histogram, MeterProvider, Observable } from '@opentelemetry/api';
import { ProviderBound, runtime } from '@inferometer/core/internal';
import {
  DEFAULT_ABSOLUTE_ERROR_BUCKETS,
  DEFAULT_LABEL_DELAY_BUCKETS,
  METRIC_ABSOLUTE_ERROR,
  METRIC_CONFUSION,
  METRIC_DATA_QUALITY_ISSUES,
  METRIC_DATA_QUALITY_ROWS,
  METRIC_EMBEDDING_CENTROID_DISTANCE,
  METRIC_EMBEDDING_ROWS,
  METRIC_EXPECTED_CORRECT,
  METRIC_LABEL_DELAY,
  METRIC_OUTCOME_CONFIDENCE,
  METRIC_OUTCOME_EVENTS,
  METRIC_OUTCOME_STORE_ENTRIES,
  METRIC_OUTCOMES,
  METRIC_OUTCOMES_BY_CONFIDENCE,
  METRIC_OUTLIER_ROWS,
  METRIC_PREDICTIONS_KEPT,
  METRIC_PREDICTIONS_SCORED,
  METRIC_SIGNED_ERROR,
  METRIC_SQUARED_ERROR,
} from '../quality-catalog.js';
import { VERSION } from '../version.js';
import { reportError } from '../monitor/diagnostics.js';

/** Instrumentation scope of the model-quality metrics. */
export const QUALITY_SCOPE = '@inferometer/drift/quality';

/** The observable instruments a member reports into at collection. @internal */
export interface QualityInstruments {
  readonly outcomes: Observable;
  readonly confusion: Observable;
  readonly byConfidence: Observable;
  readonly outcomeConfidence: Observable;
  readonly squaredError: Observable;
  readonly signedError: Observable;
  readonly kept: Observable;
  readonly scored: Observable;
  readonly expectedCorrect: Observable;
  readonly events: Observable;
  readonly storeEntries: Observable;
  readonly qualityIssues: Observable;
  readonly qualityRows: Observable;
  readonly centroidDistance: Observable;
  readonly embeddingRows: Observable;
  readonly outlierRows: Observable;
}

/** The histograms recorded when an outcome is joined. @internal */
export interface QualityHistograms {
  readonly absoluteError: Histogram;
  readonly labelDelay: Histogram;
}

/** Something with counts to report at collection. @internal */
export interface QualityMember {
  collect(result: BatchObservableResult, instruments: QualityInstruments): void;
}

/**
 * The process-wide model-quality instruments. Counts live in the members
 * (plain numbers bumped in place, nothing per call reaches the SDK) and are
 * reported by one batch callback at collection; the two histograms are
 * synchronous (a histogram has no observable form) and recorded per joined
 * outcome, off the prediction path. As in the drift registry, instruments
 * are created again whenever the global MeterProvider changes.
 *
 * @internal
 */
export class QualityRegistry {
  private readonly _bound = new ProviderBound<QualityHistograms | undefined>((provider) => {
    try {
      return this._register(provider);
    } catch (err) {
      reportError('register model-quality metrics', err);
      return undefined;
    }
  });
  private readonly _members = new Set<QualityMember>();

  add(member: QualityMember): void {
    this._members.add(member);
    this._bound.get();
  }

  remove(member: QualityMember): void {
    this._members.delete(member);
  }

  /** The histograms of the current provider (undefined if registering failed). */
  histograms(): QualityHistograms | undefined {
    return this._bound.get();
  }

  private _register(provider: MeterProvider): QualityHistograms {
    const meter = provider.getMeter(QUALITY_SCOPE, VERSION);
    const counter = (m: { name: string; description: string; unit: string }): Observable => meter.createObservableCounter(m.name, { description: m.description, unit: m.unit });
    const gauge = (m: { name: string; description: string; unit: string }): Observable => meter.createObservableGauge(m.name, { description: m.description, unit: m.unit });
    const instruments: QualityInstruments = {
      outcomes: counter(METRIC_OUTCOMES),
      confusion: counter(METRIC_CONFUSION),
      byConfidence: counter(METRIC_OUTCOMES_BY_CONFIDENCE),
      outcomeConfidence: counter(METRIC_OUTCOME_CONFIDENCE),
      squaredError: counter(METRIC_SQUARED_ERROR),
      signedError: meter.createObservableUpDownCounter(METRIC_SIGNED_ERROR.name, { description: METRIC_SIGNED_ERROR.description, unit: METRIC_SIGNED_ERROR.unit }),
      kept: counter(METRIC_PREDICTIONS_KEPT),
      scored: counter(METRIC_PREDICTIONS_SCORED),
      expectedCorrect: counter(METRIC_EXPECTED_CORRECT),
      events: counter(METRIC_OUTCOME_EVENTS),
      storeEntries: gauge(METRIC_OUTCOME_STORE_ENTRIES),
      qualityIssues: counter(METRIC_DATA_QUALITY_ISSUES),
      qualityRows: counter(METRIC_DATA_QUALITY_ROWS),
      centroidDistance: gauge(METRIC_EMBEDDING_CENTROID_DISTANCE),
      embeddingRows: counter(METRIC_EMBEDDING_ROWS),
      outlierRows: counter(METRIC_OUTLIER_ROWS),
    };
    meter.addBatchObservableCallback((result) => {
      for (const member of this._members) {
        // One member's failure must not cost the others their counts.
        try {
          member.collect(result, instruments);
        } catch (err) {
          reportError('collect model-quality metrics', err);
        }
      }
    }, Object.values(instruments));
    return {
      absoluteError: meter.createHistogram(METRIC_ABSOLUTE_ERROR.name, {
        description: METRIC_ABSOLUTE_ERROR.description,
        unit: METRIC_ABSOLUTE_ERROR.unit,
        advice: { explicitBucketBoundaries: [...DEFAULT_ABSOLUTE_ERROR_BUCKETS] },
      }),
      labelDelay: meter.createHistogram(METRIC_LABEL_DELAY.name, {
        description: METRIC_LABEL_DELAY.description,
        unit: METRIC_LABEL_DELAY.unit,
        advice: { explicitBucketBoundaries: [...DEFAULT_LABEL_DELAY_BUCKETS] },
      }),
    };
  }
}

/**
 * The process's model-quality registry: one per core runtime, whichever copy
 * of this package asks first, so each instrument is registered once.
 *
 * @internal
 */
export function qualityRegistry(): QualityRegistry {
  return runtime().shared('@inferometer/drift:quality-registry', () => new QualityRegistry());
}

/** A counter bumped in place with its attributes built once. @internal */
export interface Tally {
  readonly attributes: Attributes;
  count: number;
}
