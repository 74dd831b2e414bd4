import { InferometerConfigError } from '@inferometer/core';
import { didYouMean } from '@inferometer/core/internal';
import type { ConfidenceExtractor } from '@inferometer/core';
import type { InferenceSession } from 'onnxruntime-node';
import type { OnnxModelMetadata } from '../metadata/onnx-metadata.js';
import type { InstrumentSessionOptions, SessionOutputs } from './options.js';

/** Names that suggest a probability output when the graph is not known. */
const PROBABILITY_NAME = /prob|softmax/i;

/**
 * Chooses where confidence comes from, once, when the session is wrapped:
 * the option, else the graph's Softmax output, else a float output named like
 * a probability. Returns the extractor core applies to each result.
 *
 * @internal
 */
export function chooseConfidence(
  where: string,
  option: InstrumentSessionOptions['confidence'],
  session: Pick<InferenceSession, 'outputNames' | 'outputMetadata'>,
  metadata: OnnxModelMetadata | undefined,
): { extractor: ConfidenceExtractor<SessionOutputs> | undefined; output: string | undefined } {
  if (option === false) return { extractor: undefined, output: undefined };
  if (typeof option === 'function') return { extractor: option, output: undefined };
  const outputs = session.outputNames;
  if (typeof option === 'string') {
    if (!outputs.includes(option)) {
      throw new InferometerConfigError('confidence', `${where}: option "confidence" names output "${option}", which the model does not have; its outputs: ${outputs.join(', ')}`, outputs, { hint: didYouMean(option, outputs) });
    }
    return { extractor: fromOutput(option), output: option };
  }
  if (option !== undefined) {
    throw new InferometerConfigError('confidence', `${where}: option "confidence" must be an output name, a function of the outputs, or false`, ['an output name of the model', 'a function of the outputs', 'false']);
  }
  const softmax = metadata?.softmaxOutputs.find((name) => outputs.includes(name));
  if (softmax !== undefined) return { extractor: fromOutput(softmax), output: softmax };
  const metadataList = (session.outputMetadata ?? []) as readonly InferenceSession.ValueMetadata[];
  const named = metadataList.find(
    (m) => m.isTensor && (m.type === 'float32' || m.type === 'float64' || m.type === 'float16') && PROBABILITY_NAME.test(m.name),
  );
  return named === undefined ? { extractor: undefined, output: undefined } : { extractor: fromOutput(named.name), output: named.name };
}

/**
 * Reads one output as rows of probabilities: a `[rows, classes]` tensor as
 * one view per row (views, not copies), a vector as one row.
 */
function fromOutput(name: string): ConfidenceExtractor<SessionOutputs> {
  return (outputs) => {
    const value = outputs[name] as { dims?: readonly number[]; data?: unknown } | undefined;
    if (value === undefined || !Array.isArray(value.dims)) return undefined;
    const data = value.data as Float32Array | Float64Array;
    if (value.dims.length <= 1) return data;
    const width = value.dims[value.dims.length - 1]!;
    if (!(width > 0)) return undefined;
    const rows: Float32Array[] | Float64Array[] = [];
    for (let start = 0; start + width <= data.length; start += width) {
      (rows as (Float32Array | Float64Array)[]).push(data.subarray(start, start + width));
    }
    return rows;
  };
}
