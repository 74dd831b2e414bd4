/**
 * `start()` where members are gathered: a `node:cluster` primary, or a
 * main thread gathering its worker threads. This process's points are read
 * by a local reader; the exporters read the merge of those and every
 * member's (cluster/merge.ts) through a provider of their own.
 */
import type { HistogramKind } from '@inferometer/core';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { ClusterPrimary } from '../cluster/primary.js';
import { withHistograms } from '../cluster/select.js';
import { ThreadHub } from '../cluster/threads.js';
import { createCatalogProducer } from '../native/producer.js';
import { startExporting, type ProducerSource } from './exporting.js';
import type { InferometerHandle } from './options.js';
import { aggregatorOf, localSide, Producers, type StartSetup } from './setup.js';

export function startPrimary(setup: StartSetup): Promise<InferometerHandle> {
  const { mode, memberHistograms } = setup;
  const producers = new Producers();
  const local = localSide(setup, producers, createCatalogProducer('cumulative', { histograms: memberHistograms }));
  const aggregator = aggregatorOf(local, mode.collectTimeoutMillis);
  const threadHub = mode.threads ? new ThreadHub(aggregator) : undefined;
  const clusterPrimary = mode.role === 'primary' ? new ClusterPrimary(aggregator) : undefined;
  // Each exporter reads its histogram kind of the merge (read as `both`: see StartSetup.memberHistograms).
  const mergedAs = (producer: MetricProducer, histograms: HistogramKind): MetricProducer => (memberHistograms === 'explicit' ? producer : withHistograms(producer, histograms));
  let cumulative: MetricProducer | undefined;
  const source: ProducerSource = {
    get metricProducers(): MetricProducer[] {
      // Cumulative collection is stateless, so one producer serves every reader.
      cumulative ??= mergedAs(aggregator.producer('cumulative'), 'explicit');
      return [cumulative];
    },
    metricProducersFor: (temporality, histograms = 'explicit') => [mergedAs(aggregator.producer(temporality), histograms)],
  };
  const closeProducers = (): void => {
    clusterPrimary?.close();
    threadHub?.close();
    aggregator.close();
    producers.close();
  };
  return startExporting(setup, source, { localProvider: local.provider, closeProducers });
}
