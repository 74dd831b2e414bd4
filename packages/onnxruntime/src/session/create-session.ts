import { InferometerConfigError } from '@inferometer/core';
import { readFile } from 'node:fs/promises';
import { InferenceSession } from 'onnxruntime-node';
import { decodeOnnxMetadata, toBytes } from '../metadata/onnx-metadata.js';
import { requestedProvider } from './execution-provider.js';
import { instrumentSession } from './instrument-session.js';
import type { CreateInstrumentedSessionOptions } from './options.js';

/**
 * Creates an onnxruntime-node session from a model file path or its bytes
 * and instruments it: the model's name and version come from the ONNX
 * metadata (graph name, `metadata_props.model_version`) unless given, the
 * load time is recorded as `ml_model_load_seconds{execution_provider}`, and
 * `run()` is measured (see {@link instrumentSession}).
 *
 * From a path, the file is read once for its metadata and the path is given
 * to onnxruntime as it is (so external data files next to it still load).
 * A file that is not an ONNX model, or an option that is wrong, fails here.
 *
 * @example
 * ```ts
 * import { createInstrumentedSession } from '@inferometer/onnxruntime';
 *
 * const session = await createInstrumentedSession('model/iris.onnx', {
 *   sessionOptions: { executionProviders: ['cpu'] },
 * });
 * session.inputNames; // ['float_input']: the session's own API
 * ```
 */
export async function createInstrumentedSession(
  source: string | Uint8Array | ArrayBuffer,
  options: CreateInstrumentedSessionOptions = {},
): Promise<InferenceSession> {
  if (typeof source !== 'string' && !(source instanceof Uint8Array) && !(source instanceof ArrayBuffer)) {
    throw new InferometerConfigError('source', 'createInstrumentedSession(source, options): source must be a model file path, a Uint8Array or an ArrayBuffer of ONNX bytes', ['a model file path', 'a Uint8Array of ONNX bytes', 'an ArrayBuffer of ONNX bytes']);
  }
  if (options === null || typeof options !== 'object') throw new InferometerConfigError('options', 'createInstrumentedSession(source, options): options must be an object', ['an object']);
  const bytes = typeof source === 'string' ? await readFile(source) : toBytes(source);
  const metadata = decodeOnnxMetadata(bytes);
  const { sessionOptions, ...rest } = options;
  const started = performance.now();
  const session = typeof source === 'string' ? await InferenceSession.create(source, sessionOptions ?? {}) : await InferenceSession.create(bytes, sessionOptions ?? {});
  const loadSeconds = (performance.now() - started) / 1000;
  try {
    return instrumentSession(session, {
      ...rest,
      metadata,
      loadSeconds,
      executionProvider: rest.executionProvider ?? requestedProvider(sessionOptions),
    });
  } catch (err) {
    // A bad option: do not leak the native session we created.
    await session.release().catch(() => undefined);
    throw err;
  }
}
