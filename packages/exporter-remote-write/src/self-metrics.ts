/**
 * The exporter's own metrics, recorded through the OpenTelemetry API (so they
 * go wherever the service's metrics go, this exporter included), with the
 * catalog's names.
 */
import type { Counter, MeterProvider } from '@opentelemetry/api';
import { ATTR_REASON } from '@inferometer/core/catalog';
import { ProviderBound } from '@inferometer/core/internal';
import {
  ATTR_PROTOCOL,
  METRIC_REMOTE_WRITE_DROPPED,
  METRIC_REMOTE_WRITE_PENDING,
  METRIC_REMOTE_WRITE_RETRIED,
  METRIC_REMOTE_WRITE_SENT,
  type RemoteWriteProtocol,
} from './catalog.js';
import type { DeliveryEvents, RemoteWriteDropReason } from './delivery/sender.js';
import { PACKAGE_NAME, VERSION } from './version.js';

interface Instruments {
  readonly sent: Counter;
  readonly retried: Counter;
  readonly dropped: Counter;
}

export class SelfMetrics implements DeliveryEvents {
  private readonly current: ProviderBound<Instruments>;

  /**
   * @param pending reads the queue depth when the gauge is observed: one
   *   value per protocol in use (the configured one, and 1.0 after a fallback)
   * @param provider a fixed MeterProvider; by default the global one, looked
   *   up again on every use, because the exporter is usually built before
   *   `start()` registers the provider it belongs to.
   */
  constructor(
    private readonly pending: () => readonly (readonly [RemoteWriteProtocol, number])[],
    provider?: MeterProvider,
  ) {
    this.current = new ProviderBound((p) => this.create(p), provider);
  }

  sent(samples: number, protocol: RemoteWriteProtocol): void {
    this.instruments().sent.add(samples, { [ATTR_PROTOCOL]: protocol });
  }

  retried(samples: number, protocol: RemoteWriteProtocol): void {
    this.instruments().retried.add(samples, { [ATTR_PROTOCOL]: protocol });
  }

  dropped(samples: number, reason: RemoteWriteDropReason, protocol: RemoteWriteProtocol): void {
    if (samples > 0) this.instruments().dropped.add(samples, { [ATTR_REASON]: reason, [ATTR_PROTOCOL]: protocol });
  }

  /** The instruments of the provider in use now (created once per provider). */
  instruments(): Instruments {
    return this.current.get();
  }

  private create(provider: MeterProvider): Instruments {
    const meter = provider.getMeter(PACKAGE_NAME, VERSION);
    const counter = (definition: typeof METRIC_REMOTE_WRITE_SENT | typeof METRIC_REMOTE_WRITE_RETRIED | typeof METRIC_REMOTE_WRITE_DROPPED): Counter =>
      meter.createCounter(definition.name, { unit: definition.unit, description: definition.description });
    meter
      .createObservableGauge(METRIC_REMOTE_WRITE_PENDING.name, {
        unit: METRIC_REMOTE_WRITE_PENDING.unit,
        description: METRIC_REMOTE_WRITE_PENDING.description,
      })
      .addCallback((result) => {
        for (const [protocol, samples] of this.pending()) result.observe(samples, { [ATTR_PROTOCOL]: protocol });
      });
    return {
      sent: counter(METRIC_REMOTE_WRITE_SENT),
      retried: counter(METRIC_REMOTE_WRITE_RETRIED),
      dropped: counter(METRIC_REMOTE_WRITE_DROPPED),
    };
  }
}
