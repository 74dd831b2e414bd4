import type { Attributes, MeterProvider } from '@opentelemetry/api';
import { InferometerConfigError } from '@inferometer/core';
import { ATTR_MODEL_NAME, ATTR_REASON } from '@inferometer/core/catalog';
import { ProviderBound, runtime } from '@inferometer/core/internal';
import { METRIC_MLFLOW_RESOLVE_FAILURES, METRIC_MODEL_REGISTRY_INFO, type ResolveFailureReason } from '../catalog.js';
import { PACKAGE_NAME, VERSION } from '../version.js';

/** Most bindings open at once in a process: each holds a timer and asks the registry. */
export const MAX_BINDINGS = 64;

/** Info points kept at 0 after their binding closed, at most (oldest forgotten first). */
export const MAX_CLOSED_POINTS = 256;

/** One `ml_model_registry_info` point. @internal */
export interface InfoPoint {
  readonly attributes: Attributes;
  readonly value: 0 | 1;
}

/** What the registry needs from a binding. @internal */
export interface RegistryMember {
  /** The info points of the versions it holds now (bounded). */
  infoPoints(now: number): readonly InfoPoint[];
  /** The attributes of every point it reported, when it closes. */
  closed(): readonly Attributes[];
}

/**
 * The process's open bindings and the two instruments that report them:
 * `ml_model_registry_info` (an observable gauge, read at collection, so
 * bindings cost nothing between scrapes) and
 * `inferometer_mlflow_resolve_failures_total` (an observable counter over
 * counts kept here, so counts made before a MeterProvider was registered are
 * not lost). The JS metrics API has no proxy provider, so the instruments
 * are created again when the global provider changes: {@link ensure} runs
 * when a binding opens and at every refresh, never on a call's path.
 *
 * @internal
 */
export class MlflowRegistry {
  private readonly _instruments = new ProviderBound<true>((provider) => {
    try {
      this._register(provider);
    } catch (err) {
      reportError('register the MLflow gauges', err);
    }
    return true;
  });
  private readonly _members = new Set<RegistryMember>();
  private readonly _closedPoints: Attributes[] = [];
  /** Failures by model and reason: attributes built once, counts bumped in place; bounded by bindings x reasons. */
  private readonly _failures = new Map<string, { readonly attributes: Attributes; count: number }>();

  add(member: RegistryMember): void {
    if (this._members.size >= MAX_BINDINGS) {
      throw new InferometerConfigError('bindings', `@inferometer/mlflow: ${MAX_BINDINGS} bindings are open in this process; close() the ones no longer used before opening more`, [`at most ${MAX_BINDINGS} open bindings`]);
    }
    this._members.add(member);
    this.ensure();
  }

  /** A binding closed: its points are reported at 0 from now on (see MlflowModel's `_infoPoints` for why not left out). */
  remove(member: RegistryMember): void {
    if (!this._members.delete(member)) return;
    for (const attributes of member.closed()) this.zero(attributes);
  }

  /** Reports a point a binding no longer holds at 0 (a bounded list, oldest forgotten first). */
  zero(attributes: Attributes): void {
    this._closedPoints.push(attributes);
    if (this._closedPoints.length > MAX_CLOSED_POINTS) this._closedPoints.shift();
  }

  /** Bindings open now. */
  get size(): number {
    return this._members.size;
  }

  /** Counts one failed resolution. */
  failed(model: string, reason: ResolveFailureReason): void {
    const key = `${model}\u0000${reason}`;
    let entry = this._failures.get(key);
    if (entry === undefined) {
      // Bounded: a failure needs an open binding, and reasons are a closed set.
      if (this._failures.size >= MAX_BINDINGS * 16) return;
      entry = { attributes: { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason }, count: 0 };
      this._failures.set(key, entry);
    }
    entry.count++;
  }

  /** Failed resolutions so far for `model` and `reason` (tests, diagnostics). */
  failures(model: string, reason: ResolveFailureReason): number {
    return this._failures.get(`${model}\u0000${reason}`)?.count ?? 0;
  }

  /** (Re)creates the instruments when the global MeterProvider changed. */
  ensure(): void {
    this._instruments.get();
  }

  private _register(provider: MeterProvider): void {
    const meter = provider.getMeter(PACKAGE_NAME, VERSION);
    const info = meter.createObservableGauge(METRIC_MODEL_REGISTRY_INFO.name, {
      description: METRIC_MODEL_REGISTRY_INFO.description,
      unit: METRIC_MODEL_REGISTRY_INFO.unit,
    });
    const failures = meter.createObservableCounter(METRIC_MLFLOW_RESOLVE_FAILURES.name, {
      description: METRIC_MLFLOW_RESOLVE_FAILURES.description,
      unit: METRIC_MLFLOW_RESOLVE_FAILURES.unit,
    });
    meter.addBatchObservableCallback(
      (result) => {
        const now = Date.now();
        for (const attributes of this._closedPoints) result.observe(info, 0, attributes);
        for (const member of this._members) {
          // One binding's failure must not cost the others their points.
          try {
            for (const point of member.infoPoints(now)) result.observe(info, point.value, point.attributes);
          } catch (err) {
            reportError('report ml_model_registry_info', err);
          }
        }
        for (const entry of this._failures.values()) result.observe(failures, entry.count, entry.attributes);
      },
      [info, failures],
    );
  }
}

/**
 * The process's binding registry: one per core runtime, whichever copy of
 * this package (ESM, CJS) asks first, so the instruments are registered once.
 *
 * @internal
 */
export function mlflowRegistry(): MlflowRegistry {
  return runtime().shared('@inferometer/mlflow:registry', () => new MlflowRegistry());
}

/** Reports our own failure through OpenTelemetry's `diag`, once per `where`. @internal */
export function reportError(where: string, err: unknown): void {
  runtime().diag.error(`@inferometer/mlflow:error:${where}`, `@inferometer/mlflow: internal failure in ${where}; predictions were not affected`, err);
}

/** `diag.warn` once per key (bounded by core's report-once memory). @internal */
export function warnOnce(key: string, message: string): void {
  runtime().diag.warn(`@inferometer/mlflow:${key}`, message);
}
