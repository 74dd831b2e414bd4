// The public API of @inferometer/onnxruntime, listed by hand; what this file
// does not name is internal.
export { createInstrumentedSession } from './session/create-session.js';
export { instrumentSession, sessionIdentity } from './session/instrument-session.js';
export type { SessionIdentity } from './session/instrument-session.js';
export type {
  CreateInstrumentedSessionOptions,
  InstrumentSessionOptions,
  SessionFeeds,
  SessionOutputs,
} from './session/options.js';
export { INVALID_INPUT } from './session/invalid-input.js';
export { decodeOnnxMetadata, MAX_METADATA_PROPS, MAX_TEXT_BYTES, OnnxMetadataError, readOnnxMetadata } from './metadata/onnx-metadata.js';
export type { OnnxModelMetadata } from './metadata/onnx-metadata.js';
export { ATTR_EXECUTION_PROVIDER, METRIC_MODEL_LOAD, ONNXRUNTIME_CATALOG } from './catalog.js';
