/**
 * `start()` in a process that gathers nobody and answers nobody (no
 * cluster, aggregation off, or a worker thread exporting on its own): the
 * exporters read the catalog's producers directly, and their provider is
 * the global one.
 */
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { startExporting, type ProducerSource } from './exporting.js';
import type { InferometerHandle } from './options.js';
import { Producers, type StartSetup } from './setup.js';

export function startStandalone(setup: StartSetup): Promise<InferometerHandle> {
  const producers = new Producers();
  let cumulative: MetricProducer | undefined;
  const source: ProducerSource = {
    get metricProducers(): MetricProducer[] {
      // Cumulative collection is stateless, so one producer serves every reader.
      cumulative ??= producers.produce('cumulative');
      return [cumulative];
    },
    metricProducersFor(temporality, histograms = 'explicit') {
      if (histograms !== 'explicit') return [producers.produce(temporality, histograms)];
      if (temporality === 'cumulative') return source.metricProducers;
      return [producers.produce('delta')];
    },
  };
  return startExporting(setup, source, { closeProducers: producers.close });
}
