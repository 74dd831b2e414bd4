/**
 * What the two member modes share (a `node:cluster` worker, a worker
 * thread): the global MeterProvider with a local reader, no exporter and no
 * port; their aggregator collects through IPC or the thread's MessagePort.
 */
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { MetricsRequestHandler } from '../prometheus/handler.js';
import { startRuntimeMetrics } from '../runtime-metrics/index.js';
import { registerGlobal, shutdownPath } from './lifecycle.js';
import type { InferometerHandle } from './options.js';

/** How a member runs. */
export interface MemberSetup {
  readonly runtimeMetricsOn: boolean;
  readonly handleSignals: boolean;
  readonly closeProducers: () => void;
  /** Answers its aggregator until closed; a promise: closed once its last points are written (bounded). */
  readonly responder: { close(): void | Promise<void> };
  readonly handler: MetricsRequestHandler;
}

export async function startMember(meterProvider: MeterProvider, setup: MemberSetup): Promise<InferometerHandle> {
  const { responder, closeProducers } = setup;
  await registerGlobal(meterProvider, async () => {
    await responder.close();
    closeProducers();
    await meterProvider.shutdown();
  });
  const runtime = setup.runtimeMetricsOn ? startRuntimeMetrics(meterProvider) : undefined;
  const shutdown = shutdownPath(
    {
      // The goodbye before the provider and before the producers detach: it carries the member's last points.
      close: [[() => responder.close()], [() => meterProvider.shutdown()]],
      detach: () => {
        closeProducers();
        runtime?.close();
      },
    },
    { handleSignals: setup.handleSignals },
  );
  return {
    meterProvider,
    exporters: [],
    metricsUrl: undefined,
    healthPageUrl: undefined,
    metricsHandler: setup.handler,
    // The aggregator reads this member at its own collections: nothing to push from here.
    forceFlush: () => Promise.resolve(),
    shutdown,
  };
}
