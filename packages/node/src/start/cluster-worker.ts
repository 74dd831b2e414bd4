/**
 * `start()` in a `node:cluster` worker while cluster aggregation is on: no
 * exporter, no port; it answers its primary with its own points and its
 * worker threads' merged, pushes what changed between collections, and
 * sends its last points on its way out.
 */
import { INSTRUMENTATION_SCOPE } from '@inferometer/core/catalog';
import { ThreadHub } from '../cluster/threads.js';
import { answerPrimary, workerMetricsHandler } from '../cluster/worker.js';
import { createCatalogProducer } from '../native/producer.js';
import { startMember } from './member.js';
import type { InferometerHandle } from './options.js';
import { aggregatorOf, localSide, Producers, type StartSetup } from './setup.js';

export function startClusterWorker(setup: StartSetup): Promise<InferometerHandle> {
  const { mode } = setup;
  const producers = new Producers();
  const local = localSide(setup, producers, createCatalogProducer('cumulative', { histograms: setup.memberHistograms }));
  // A cluster worker asks its threads within three quarters of the timeout its primary gives it,
  // so a hung thread costs a thread miss, not the whole worker's answer.
  const aggregator = aggregatorOf(local, Math.max(1, Math.floor(mode.collectTimeoutMillis * 0.75)));
  const threadHub = mode.threads ? new ThreadHub(aggregator) : undefined;
  const answering = answerPrimary({
    collect: () => aggregator.collect(),
    collectNow: () => aggregator.collectNow([{ scope: { name: INSTRUMENTATION_SCOPE }, metrics: local.catalog.collectNow() }]),
    pushIntervalMillis: mode.pushIntervalMillis,
    closeTimeoutMillis: mode.collectTimeoutMillis,
  });
  const responder = {
    async close(): Promise<void> {
      const written = answering.close();
      threadHub?.close();
      aggregator.close();
      await written;
    },
  };
  return startMember(local.provider, { runtimeMetricsOn: setup.runtimeMetricsOn, handleSignals: setup.handleSignals, closeProducers: producers.close, responder, handler: workerMetricsHandler });
}
