/**
 * `start()` in a worker thread (a plain `new Worker()`, a piscina pool's
 * thread) while worker_threads aggregation is on: no exporter, no port;
 * the main thread's aggregator reads this thread through its MessagePort.
 */
import { INSTRUMENTATION_SCOPE } from '@inferometer/core/catalog';
import { answerMainThread } from '../cluster/threads.js';
import { threadMetricsHandler } from '../cluster/worker.js';
import { createThreadCatalogProducer } from '../native/producer.js';
import { startMember } from './member.js';
import type { InferometerHandle } from './options.js';
import { localSide, Producers, type StartSetup } from './setup.js';

export function startThread(setup: StartSetup): Promise<InferometerHandle> {
  const producers = new Producers();
  // A worker thread's series reach the main thread through shared memory: its answers leave them out.
  const local = localSide(setup, producers, createThreadCatalogProducer({ histograms: setup.memberHistograms }));
  // Process metrics belong to the process: the main thread reports them once.
  const responder = answerMainThread({ reader: local.reader, collectNow: () => local.catalog.collectNow(), scope: { name: INSTRUMENTATION_SCOPE } });
  // Signals reach the main thread, not a worker thread (https://nodejs.org/api/worker_threads.html#class-worker): its shutdown is the main thread's to run.
  return startMember(local.provider, { runtimeMetricsOn: false, handleSignals: false, closeProducers: producers.close, responder, handler: threadMetricsHandler });
}
