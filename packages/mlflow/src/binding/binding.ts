import type { Attributes } from '@opentelemetry/api';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import { runtime, UNKNOWN_VERSION } from '@inferometer/core/internal';
import { ATTR_ALIASES, ATTR_RUN_ID, ATTR_SOURCE, ATTR_STAGE, RESOLVE_FAILURE_REASONS, type ResolveFailureReason } from '../catalog.js';
import { parseModelUri, type ModelUri } from '../config/model-uri.js';
import type { MlflowModelOptions } from '../config/options.js';
import { resolveConfig, type RegistryConfig } from '../config/resolve-config.js';
import { MlflowResolveError } from '../errors.js';
import { resolveModelVersion } from '../registry/client.js';
import { sameVersion, type MlflowModelVersion } from '../registry/model-version.js';
import { mlflowRegistry, warnOnce, type InfoPoint, type RegistryMember } from './registry.js';

/** Replaced versions a binding keeps reporting in `ml_model_registry_info` (at 1, then 0), at most. */
export const MAX_REPLACED_VERSIONS = 8;
/** Share of `refreshSeconds` added at random to each wait, so a fleet's processes spread their requests. */
const JITTER = 0.1;

/** The last failed resolution of a binding. */
export interface MlflowResolveFailure {
  /** Why, as counted in `inferometer_mlflow_resolve_failures_total{reason}`. */
  readonly reason: ResolveFailureReason;
  /** What went wrong, for a log line (never a credential). */
  readonly message: string;
  /** When, in milliseconds since the epoch. */
  readonly at: number;
}

/** One outcome of a resolution, before it is applied. */
type Outcome = { readonly ok: true; readonly changed: boolean } | { readonly ok: false; readonly failure: MlflowResolveFailure; readonly status?: number; readonly cause?: unknown };

/** The first resolution's outcome of each binding, for {@link mlflowModel}. */
const firstOutcomes = new WeakMap<MlflowModel, Promise<Outcome>>();

interface Held {
  readonly version: MlflowModelVersion;
  readonly attributes: Attributes;
  /** `Date.now()` when another version took its place; undefined while bound. */
  replacedAt: number | undefined;
}

/**
 * A `models:/` URI bound to the registry version it names, re-resolved every
 * `refreshSeconds`. Pass {@link MlflowModel.version} as the `version` of
 * `instrument()` or `@Instrument`: each call then records under the version
 * bound at that moment, at the cost of one property read.
 *
 * Made by {@link mlflowModel} (waits for the first resolution) or
 * {@link bindMlflowModel} (returns at once).
 */
export class MlflowModel {
  /** The URI as given, e.g. `models:/fraud@champion`. */
  readonly uri: string;
  /** The registered model's name: pass it as the `model` option, so the series join `ml_model_registry_info`. */
  readonly name: string;
  /** The alias the URI follows; undefined for a pinned `models:/name/<version>`. */
  readonly alias: string | undefined;
  /**
   * The version bound now, as a function for the `version` option of
   * `instrument()` and `@Instrument`: one property read per call. Before
   * the first resolution it gives `fallbackVersion`, else `unknown`.
   *
   * @example
   * ```ts
   * instrument(score, { model: fraud.name, version: fraud.version })
   * ```
   */
  readonly version: () => string;
  /**
   * Settles when the first resolution has finished: true when a registry
   * version is bound, false when it failed (the binding then labels calls
   * with `fallbackVersion` or `unknown` and keeps asking). Never rejects.
   */
  readonly ready: Promise<boolean>;

  private _label: string;
  private _held: Held | undefined;
  private readonly _replaced: Held[] = [];
  private _lastFailure: MlflowResolveFailure | undefined;
  private _inFlight: Promise<Outcome> | undefined;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _closed = false;
  private readonly _abort = new AbortController();
  private readonly _member: RegistryMember;

  /** @internal Use {@link mlflowModel} or {@link bindMlflowModel}. */
  constructor(
    private readonly _model: ModelUri,
    private readonly _config: RegistryConfig,
  ) {
    this.uri = _model.uri;
    this.name = _model.name;
    this.alias = _model.alias;
    this._label = _config.fallbackVersion ?? UNKNOWN_VERSION;
    this.version = () => this._label;
    this._member = { infoPoints: (now) => this._infoPoints(now), closed: () => this._allAttributes() };
    mlflowRegistry().add(this._member);
    const first = this._resolve();
    firstOutcomes.set(this, first);
    this.ready = first.then((outcome) => outcome.ok);
    void first.then(() => this._schedule());
  }

  /** The registry version bound now; undefined until a resolution has succeeded. */
  get current(): MlflowModelVersion | undefined {
    return this._held?.version;
  }

  /** The last failed resolution (undefined if none failed since the last success). */
  get lastFailure(): MlflowResolveFailure | undefined {
    return this._lastFailure;
  }

  /**
   * Asks the registry now, without waiting for the next refresh. Resolves to
   * true when the bound version changed. Never rejects: a failure keeps the
   * binding, is counted and is readable from {@link lastFailure}. Joins a
   * resolution already under way instead of starting another.
   */
  async refresh(): Promise<boolean> {
    const outcome = await this._resolve();
    return outcome.ok && outcome.changed;
  }

  /**
   * Stops refreshing; this binding's `ml_model_registry_info` points go to
   * 0. {@link version} keeps giving the last bound version.
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._abort.abort();
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = undefined;
    mlflowRegistry().remove(this._member);
  }

  private _schedule(): void {
    if (this._closed) return;
    const delay = this._config.refreshMs * (1 + Math.random() * JITTER);
    this._timer = setTimeout(() => {
      this._timer = undefined;
      void this._resolve().then(() => this._schedule());
    }, delay);
    // A binding never keeps the process alive.
    this._timer.unref?.();
  }

  private _resolve(): Promise<Outcome> {
    if (this._closed) return Promise.resolve({ ok: true, changed: false });
    this._inFlight ??= this._attempt().finally(() => (this._inFlight = undefined));
    return this._inFlight;
  }

  private async _attempt(): Promise<Outcome> {
    const registry = mlflowRegistry();
    registry.ensure();
    let resolution;
    try {
      resolution = await resolveModelVersion(this._config, this._model, this._abort.signal);
    } catch (err) {
      // resolveModelVersion does not reject; should it ever, it is a failure like any other.
      resolution = { ok: false as const, reason: RESOLVE_FAILURE_REASONS.unreachable, message: String(err) };
    }
    if (!resolution.ok) return this._failed(resolution.reason, resolution.message, resolution.status);
    if (this._closed) return { ok: true, changed: false };
    const next = resolution.version;
    const held = this._held;
    if (held !== undefined && held.version.version === next.version) {
      // Same version: aliases, stage or status may have moved; the label does not.
      if (!sameVersion(held.version, next)) {
        this._held = { version: next, attributes: this._attributes(next), replacedAt: undefined };
        this._drop(held, this._held);
      }
      this._lastFailure = undefined;
      return { ok: true, changed: false };
    }
    const onChange = this._config.onChange;
    if (onChange !== undefined) {
      try {
        await onChange(next, held?.version);
      } catch (err) {
        return this._failed(RESOLVE_FAILURE_REASONS.onChange, `onChange for version ${next.version} failed: ${(err as Error)?.message ?? String(err)}`, undefined, err);
      }
      if (this._closed) return { ok: true, changed: false };
    }
    this._bind(next);
    this._lastFailure = undefined;
    return { ok: true, changed: true };
  }

  /** Moves the label: from the next call on, series carry `next.version`. */
  private _bind(next: MlflowModelVersion): void {
    const bound: Held = { version: next, attributes: this._attributes(next), replacedAt: undefined };
    let held = this._held;
    if (held !== undefined) {
      if (this.alias !== undefined && held.version.aliases.includes(this.alias)) {
        // The alias this binding follows has left that version: its info says so without asking again.
        const version = { ...held.version, aliases: held.version.aliases.filter((a) => a !== this.alias) };
        const moved: Held = { version, attributes: this._attributes(version), replacedAt: undefined };
        this._drop(held, moved);
        held = moved;
      }
      held.replacedAt = Date.now();
      this._replaced.push(held);
      if (this._replaced.length > MAX_REPLACED_VERSIONS) this._drop(this._replaced.shift()!);
    }
    // A version bound again (a rollback) is reported once, as bound.
    const back = this._replaced.findIndex((h) => h.version.version === next.version);
    if (back >= 0) this._drop(this._replaced.splice(back, 1)[0]!, bound);
    this._held = bound;
    this._label = next.version;
  }

  /** A point no longer reported as it was: set to 0, unless `by` reports the very same attributes. */
  private _drop(gone: Held, by?: Held): void {
    if (by !== undefined && sameAttributes(gone.attributes, by.attributes)) return;
    mlflowRegistry().zero(gone.attributes);
  }

  private _failed(reason: ResolveFailureReason, message: string, status?: number, cause?: unknown): Outcome {
    const failure: MlflowResolveFailure = { reason, message, at: Date.now() };
    this._lastFailure = failure;
    if (!this._closed) {
      mlflowRegistry().failed(this.name, reason);
      warnOnce(`${this.uri}:${reason}`, `@inferometer/mlflow: resolving ${this.uri} failed (${reason}: ${message}); calls keep model_version="${this._label}" and the binding retries every refresh. Counted in inferometer_mlflow_resolve_failures_total; reported once per reason.`);
    }
    return { ok: false, failure, ...(status === undefined ? {} : { status }), ...(cause === undefined ? {} : { cause }) };
  }

  private _attributes(version: MlflowModelVersion): Attributes {
    return {
      [ATTR_MODEL_NAME]: this.name,
      [ATTR_MODEL_VERSION]: version.version,
      [ATTR_RUN_ID]: version.runId,
      [ATTR_ALIASES]: [...version.aliases].sort().join(','),
      [ATTR_STAGE]: version.stage,
      [ATTR_SOURCE]: version.source,
    };
  }

  /**
   * The bound version at 1; replaced ones at 1 for as long as core keeps
   * their prediction series (`versionIdleSeconds` after they were
   * replaced), then at 0. Not left out: OpenTelemetry JS's SDK (3.1) keeps
   * exporting, under cumulative temporality, the last value of an
   * asynchronous instrument's attribute set that a callback no longer
   * observes (the specification says it SHOULD NOT: "Observations inside
   * asynchronous callbacks", https://opentelemetry.io/docs/specs/otel/metrics/sdk/),
   * so a version left out would stay at 1 until the process ends.
   */
  private _infoPoints(now: number): readonly InfoPoint[] {
    const idle = runtime().guard.config.versionIdleSeconds * 1000;
    const points: InfoPoint[] = this._replaced.map((h) => ({ attributes: h.attributes, value: now - h.replacedAt! < idle ? 1 : 0 }));
    if (this._held !== undefined) points.push({ attributes: this._held.attributes, value: 1 });
    return points;
  }

  /** Every version's info attributes, for the registry to report at 0 after {@link close}. */
  private _allAttributes(): Attributes[] {
    const all = this._replaced.map((h) => h.attributes);
    if (this._held !== undefined) all.push(this._held.attributes);
    return all;
  }
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * Binds a `models:/name@alias` (or `models:/name/<version>`) URI to the
 * version the MLflow Model Registry names, and keeps following it: waits
 * for the first resolution, then re-resolves every `refreshSeconds`. When
 * an alias moves, calls record under the new version from then on, and the
 * old version's series retire through core's version retirement
 * (`versionIdleSeconds` after the last call on it).
 *
 * Rejects with an `InferometerConfigError` for a bad URI, option or
 * variable, and with an {@link MlflowResolveError} when the first
 * resolution fails and no `fallbackVersion` is given. A failure later keeps
 * the version bound, counts it and never reaches a prediction.
 *
 * @example
 * ```ts
 * import { instrument } from '@inferometer/core';
 * import { mlflowModel } from '@inferometer/mlflow';
 *
 * const fraud = await mlflowModel('models:/fraud@champion', { refreshSeconds: 60 });
 * const predict = instrument(score, { model: fraud.name, version: fraud.version });
 * ```
 */
export async function mlflowModel(uri: string, options?: MlflowModelOptions): Promise<MlflowModel> {
  const model = bindMlflowModel(uri, options);
  const first = await firstOutcomes.get(model)!;
  if (first.ok || options?.fallbackVersion !== undefined) return model;
  model.close();
  throw new MlflowResolveError(uri, first.failure.reason, `@inferometer/mlflow: could not resolve ${uri}: ${first.failure.reason}: ${first.failure.message}`, first.status, first.cause);
}

/**
 * Like {@link mlflowModel}, but returns at once, for code that cannot wait
 * (a decorator's options, a CommonJS module): calls are labelled
 * `fallbackVersion` (else `unknown`) until the first resolution succeeds;
 * `ready` settles when it has finished. Throws an `InferometerConfigError`
 * for a bad URI, option or variable.
 *
 * @example
 * ```ts
 * const fraud = bindMlflowModel('models:/fraud@champion', { fallbackVersion: '3' });
 * class Scorer {
 *   @Instrument({ model: fraud.name, version: fraud.version })
 *   score(row: number[]) { return row.length; }
 * }
 * ```
 */
export function bindMlflowModel(uri: string, options?: MlflowModelOptions): MlflowModel {
  const model = parseModelUri(uri);
  const config = resolveConfig(options);
  return new MlflowModel(model, config);
}
