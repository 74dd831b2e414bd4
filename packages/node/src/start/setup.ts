/**
 * What every mode of `start()` is given: the configuration, read and
 * checked in one place and one order (so the first wrong value is the one
 * reported, whatever the mode), and the pieces the modes share: the
 * catalog producers a start attaches, and the local side of an aggregating
 * mode.
 */
import type { HistogramKind } from '@inferometer/core';
import { MeterProvider, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import { Aggregator } from '../cluster/aggregator.js';
import { resolveAggregation, type AggregationMode } from '../cluster/config.js';
import { LocalReader } from '../cluster/local-reader.js';
import { CLUSTER_SCOPE } from '../cluster/names.js';
import { checkBoolean, option, readString, type Environment } from '../config/env.js';
import { resolveExporters, type MetricsExporterName } from '../config/exporters.js';
import { applyGuards } from '../config/guards.js';
import { checkStartOptions } from '../config/options.js';
import { resolveOtlpConfig } from '../config/otlp.js';
import { buildResource } from '../config/resource.js';
import { NATIVE_HISTOGRAMS_VARIABLE } from '../exporters/prometheus.js';
import { createCatalogProducer, type CatalogProducer } from '../native/producer.js';
import { resolveRuntimeMetrics } from '../runtime-metrics/index.js';
import type { StartOptions } from './options.js';

/** The configuration of one `start()`, resolved. */
export interface StartSetup {
  readonly options: StartOptions;
  readonly env: Environment;
  readonly exporters: readonly MetricsExporterName[];
  readonly handleSignals: boolean;
  readonly runtimeMetricsOn: boolean;
  /** The cluster role and worker_threads role of this thread: which mode runs. */
  readonly mode: AggregationMode;
  /** What a member's catalog is read as: `both` when an exporter wants exponential histograms, so the merge has each kind. */
  readonly memberHistograms: HistogramKind;
  readonly resource: Resource;
}

/**
 * Reads and checks every option and variable. Everything that can refuse
 * the configuration runs here, before any producer attaches (attaching
 * switches recording to the fast path for the process).
 */
export function resolveSetup(options: StartOptions): StartSetup {
  // Typos in option names (plain JavaScript) fail before anything is read.
  checkStartOptions(options);
  const env = options.env ?? process.env;
  if (options.handleSignals !== undefined) checkBoolean(option('handleSignals'), options.handleSignals);
  const exporters = resolveExporters(env, options.exporters);
  applyGuards(env, options.guards);
  const runtimeMetricsOn = resolveRuntimeMetrics(env, options.runtimeMetrics);
  const mode = resolveAggregation(env, options.cluster, options.threads);
  const memberHistograms: HistogramKind = exponentialHistograms(env, options, exporters) ? 'both' : 'explicit';
  const resource = buildResource(env, options.serviceName, { serviceInstanceId: options.serviceInstanceId, remoteWriteInstance: options.remoteWrite?.instance });
  return { options, env, exporters, handleSignals: options.handleSignals === true, runtimeMetricsOn, mode, memberHistograms, resource };
}

/**
 * Whether an exporter wants base-2 exponential histograms (OTLP's
 * `histogramAggregation`, the New Relic preset; the pull endpoint's native
 * histograms): then a member's catalog is read as both kinds, which the
 * cluster and thread merge adds alike (cluster/merge.ts). A member decides
 * from its own configuration, so workers and threads need the same one as
 * their primary or main thread (cluster.fork and worker threads inherit
 * the environment).
 */
function exponentialHistograms(env: Environment, options: StartOptions, exporters: readonly MetricsExporterName[]): boolean {
  if (exporters.includes('prometheus') && readString(env, NATIVE_HISTOGRAMS_VARIABLE)?.toLowerCase() === 'true') return true;
  return exporters.includes('otlp') && resolveOtlpConfig(env, options.otlp).histogramAggregation === 'base2_exponential_bucket_histogram';
}

/**
 * The catalog's fast path: while producers are attached, instrumented
 * calls aggregate natively and reach every reader through them. One list
 * per `start()`, closed (detached) by its shutdown or a failed start.
 */
export class Producers {
  private readonly created: CatalogProducer[] = [];

  add<P extends CatalogProducer>(created: P): P {
    this.created.push(created);
    return created;
  }

  /** A producer of the catalog for one reader's temporality and histogram kind. */
  produce(temporality: 'cumulative' | 'delta', histograms: HistogramKind = 'explicit'): MetricProducer {
    return this.add(createCatalogProducer(temporality, { histograms })).producer;
  }

  readonly close = (): void => {
    for (const created of this.created.splice(0)) created.close();
  };
}

/**
 * An aggregating mode's own points (a cluster worker or primary, a worker
 * thread, a main thread gathering threads): read by a local reader on a
 * provider of their own; where members are gathered, the exporters read the
 * merge of these and the members' points, so nothing is counted twice.
 */
export interface LocalSide {
  readonly catalog: CatalogProducer;
  readonly reader: LocalReader;
  readonly provider: MeterProvider;
  /** Whether histograms are read as the explicit kind alone (no exporter wants exponential ones). */
  readonly explicit: boolean;
}

export function localSide(setup: StartSetup, producers: Producers, catalog: CatalogProducer): LocalSide {
  producers.add(catalog);
  const reader = new LocalReader([catalog.producer], { exponential: setup.memberHistograms === 'both' });
  const provider = new MeterProvider({ resource: setup.resource, readers: reader.readers });
  return { catalog, reader, provider, explicit: setup.memberHistograms === 'explicit' };
}

/** Gathers the members (cluster workers, worker threads) beside the local side; its self-metrics go to the local provider. */
export function aggregatorOf(local: LocalSide, collectTimeoutMillis: number): Aggregator {
  return new Aggregator({
    local: local.reader,
    collectTimeoutMillis,
    meter: local.provider.getMeter(CLUSTER_SCOPE),
    // Read in steps only where the merge's catalog is the explicit kind alone, as the pull endpoint serves it.
    ...(local.explicit ? { catalog: local.catalog.producer } : {}),
  });
}
