import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { RETRYABLE_GRPC_CODES, RetryingGrpcExporter } from '../../src/exporters/otlp-grpc.js';

// The retry wrapper of the gRPC exporter on its own, with the upstream
// exporter replaced by a script of results and the sleeps recorded instead
// of waited (the end-to-end retry through a real gRPC receiver is in
// test/e2e/otlp-grpc.test.ts).
const NO_DATA = {} as ResourceMetrics;

function scripted(codes: (number | 'ok')[]): { exporter: PushMetricExporter; calls: () => number } {
  let calls = 0;
  const exporter: PushMetricExporter = {
    export(_metrics, callback) {
      const code = codes[Math.min(calls, codes.length - 1)]!;
      calls++;
      callback(code === 'ok' ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: Object.assign(new Error(`status ${code}`), { code }) });
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    selectAggregationTemporality: () => AggregationTemporality.DELTA,
  };
  return { exporter, calls: () => calls };
}

function exportOnce(exporter: PushMetricExporter): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(NO_DATA, resolve));
}

describe('RetryingGrpcExporter', () => {
  it('retries the specification retryable codes with a growing, bounded back-off, then succeeds', async () => {
    const sleeps: number[] = [];
    const { exporter, calls } = scripted([14, 4, 1, 'ok']);
    const result = await exportOnce(new RetryingGrpcExporter(exporter, 600_000, async (millis) => void sleeps.push(millis)));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(calls()).toBe(4);
    // 1 s, 1.5 s, 2.25 s, each +-20 %.
    expect(sleeps).toHaveLength(3);
    [1000, 1500, 2250].forEach((base, i) => {
      expect(sleeps[i]).toBeGreaterThanOrEqual(base * 0.8);
      expect(sleeps[i]).toBeLessThanOrEqual(base * 1.2);
    });
    // The delegated temporality is the inner exporter's.
    expect(new RetryingGrpcExporter(exporter, 1000).selectAggregationTemporality(0 as never)).toBe(AggregationTemporality.DELTA);
  });

  it('gives up after 5 retries and reports the last failure', async () => {
    const { exporter, calls } = scripted([14]);
    const result = await exportOnce(new RetryingGrpcExporter(exporter, 600_000, () => Promise.resolve()));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(calls()).toBe(6);
  });

  it('does not retry past the export timeout', async () => {
    const { exporter, calls } = scripted([14]);
    // A timeout shorter than the first back-off: one attempt only.
    const result = await exportOnce(new RetryingGrpcExporter(exporter, 100, () => Promise.reject(new Error('must not sleep'))));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(calls()).toBe(1);
  });

  it.each([3, 7, 8, 16])('does not retry the permanent status %i', async (code) => {
    expect(RETRYABLE_GRPC_CODES.has(code)).toBe(false);
    const { exporter, calls } = scripted([code]);
    await exportOnce(new RetryingGrpcExporter(exporter, 600_000, () => Promise.resolve()));
    expect(calls()).toBe(1);
  });
});
