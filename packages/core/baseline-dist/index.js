export { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName } from './chunk-XIWN7QPI.js';
import { diag, metrics } from '@opentelemetry/api';

// src/catalog.ts
var ATTR_MODEL_NAME = "model_name";
var ATTR_MODEL_VERSION = "model_version";
var ATTR_STATUS = "status";
var ATTR_ERROR_TYPE = "error_type";
var STATUS_SUCCESS = "success";
var STATUS_ERROR = "error";
var ERROR_TYPE_OTHER = "_OTHER";
var MAX_ERROR_TYPES_PER_SERIES = 32;
var SERIES_KEYS = [ATTR_MODEL_NAME, ATTR_MODEL_VERSION];
var DEFAULT_LATENCY_BUCKETS = [
  5e-3,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10
];
var DEFAULT_CONFIDENCE_BUCKETS = [
  0.1,
  0.2,
  0.3,
  0.4,
  0.5,
  0.6,
  0.7,
  0.8,
  0.9,
  1
];
var DEFAULT_BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
var DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS = [
  1e-3,
  5e-3,
  0.01,
  0.02,
  0.04,
  0.06,
  0.08,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10
];
var DEFAULT_STREAM_ITEMS_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];
var METRIC_PREDICTIONS = {
  name: "ml_predictions",
  prometheusName: "ml_predictions_total",
  kind: "counter",
  unit: "{prediction}",
  description: "Predictions completed, by outcome.",
  attributes: [...SERIES_KEYS, ATTR_STATUS]
};
var METRIC_PREDICTION_ERRORS = {
  name: "ml_prediction_errors",
  prometheusName: "ml_prediction_errors_total",
  kind: "counter",
  unit: "{error}",
  description: "Predictions that failed, by error class.",
  attributes: [...SERIES_KEYS, ATTR_ERROR_TYPE]
};
var METRIC_PREDICTION_LATENCY = {
  name: "ml_prediction_latency_seconds",
  prometheusName: "ml_prediction_latency_seconds",
  kind: "histogram",
  unit: "s",
  description: "Prediction latency, from call to result (for streams, to the last item).",
  attributes: SERIES_KEYS,
  buckets: DEFAULT_LATENCY_BUCKETS
};
var METRIC_PREDICTION_CONFIDENCE = {
  name: "ml_prediction_confidence",
  prometheusName: "ml_prediction_confidence",
  kind: "histogram",
  unit: "1",
  description: "Confidence of each prediction (the top class probability for a probability vector).",
  attributes: SERIES_KEYS,
  buckets: DEFAULT_CONFIDENCE_BUCKETS
};
var METRIC_PREDICTION_BATCH_SIZE = {
  name: "ml_prediction_batch_size",
  prometheusName: "ml_prediction_batch_size",
  kind: "histogram",
  unit: "{item}",
  description: "Items per prediction call.",
  attributes: SERIES_KEYS,
  buckets: DEFAULT_BATCH_SIZE_BUCKETS
};
var METRIC_PREDICTIONS_IN_FLIGHT = {
  name: "ml_predictions_in_flight",
  prometheusName: "ml_predictions_in_flight",
  kind: "updowncounter",
  unit: "{prediction}",
  description: "Predictions in progress.",
  attributes: SERIES_KEYS
};
var METRIC_TIME_TO_FIRST_ITEM = {
  name: "ml_prediction_time_to_first_item_seconds",
  prometheusName: "ml_prediction_time_to_first_item_seconds",
  kind: "histogram",
  unit: "s",
  description: "Time from call to the first item of a streamed prediction.",
  attributes: SERIES_KEYS,
  buckets: DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS
};
var METRIC_STREAM_ITEMS = {
  name: "ml_prediction_stream_items",
  prometheusName: "ml_prediction_stream_items",
  kind: "histogram",
  unit: "{item}",
  description: "Items produced by each streamed prediction.",
  attributes: SERIES_KEYS,
  buckets: DEFAULT_STREAM_ITEMS_BUCKETS
};
var METRIC_MODEL_INFO = {
  name: "ml_model_info",
  prometheusName: "ml_model_info",
  kind: "gauge",
  unit: "",
  description: "Always 1: one series per model version that has been loaded and served.",
  attributes: SERIES_KEYS
};
var METRIC_ACTIVE_MODEL_VERSION = {
  name: "ml_active_model_version",
  prometheusName: "ml_active_model_version",
  kind: "gauge",
  unit: "",
  description: "Numeric encoding of the model version that served the latest prediction.",
  attributes: [ATTR_MODEL_NAME]
};
var ATTR_REASON = "reason";
var DROP_REASONS = {
  /** The `version` function threw or returned a non-string; the call is counted under `unknown`. */
  version: "version_error",
  /** An attribute function threw; the attribute is left off that call. */
  attribute: "attribute_error",
  /** The `confidence` extractor threw or returned something that is not a number or vector. */
  confidence: "confidence_error",
  /** A confidence value outside [0, 1] or not finite. */
  confidenceRange: "confidence_out_of_range",
  /** The `batchSize` extractor threw or returned a negative or non-finite number. */
  batchSize: "batch_size_error",
  /** A function's dynamic version/attribute combinations passed their cap; later ones share one series. */
  seriesOverflow: "series_overflow"
};
var METRIC_DROPPED_OBSERVATIONS = {
  name: "inferometer_dropped_observations",
  prometheusName: "inferometer_dropped_observations_total",
  kind: "counter",
  unit: "{observation}",
  description: "Observations the instrumentation dropped because an extractor failed or a cap was hit.",
  attributes: [ATTR_MODEL_NAME, ATTR_REASON]
};
var ATTR_FEATURE = "feature";
var ATTR_METHOD = "method";
var ATTR_METRIC = "metric";
var ATTR_ATTRIBUTE = "attribute";
var ATTR_EXECUTION_PROVIDER = "execution_provider";
var ATTR_PREDICTION = "prediction";
var PREDICTION_CLASS = "class";
var PREDICTION_CONFIDENCE = "confidence";
var METRIC_DATA_DRIFT_SCORE = {
  name: "ml_data_drift_score",
  prometheusName: "ml_data_drift_score",
  kind: "gauge",
  unit: "",
  description: "Drift of one input feature against its reference profile, by statistic, over the recent window.",
  attributes: [...SERIES_KEYS, ATTR_FEATURE, ATTR_METHOD]
};
var METRIC_PREDICTION_DRIFT_SCORE = {
  name: "ml_prediction_drift_score",
  prometheusName: "ml_prediction_drift_score",
  kind: "gauge",
  unit: "",
  description: "Drift of the predictions (classes or confidence) against the reference, by statistic, over the recent window.",
  attributes: [...SERIES_KEYS, ATTR_METHOD, ATTR_PREDICTION]
};
var METRIC_DRIFT_DROPPED = {
  name: "inferometer_drift_dropped_observations",
  prometheusName: "inferometer_drift_dropped_observations_total",
  kind: "counter",
  unit: "{observation}",
  description: "Rows or results the drift monitor left out, by reason.",
  attributes: [ATTR_MODEL_NAME, ATTR_REASON]
};
var DRIFT_DROP_REASONS = {
  /** The `features` (or a `predictions`) extractor threw. */
  extractor: "drift_extractor_error",
  /** The extractor returned something that is not rows, a row, records or a tensor. */
  unsupported: "drift_unsupported_input",
  /** A row had a different number of values than the profile has features. */
  shape: "drift_shape_mismatch"
};
var METRIC_MODEL_LOAD = {
  name: "ml_model_load_seconds",
  prometheusName: "ml_model_load_seconds",
  kind: "histogram",
  unit: "s",
  description: "Time to load a model and create its inference session.",
  attributes: [...SERIES_KEYS, ATTR_EXECUTION_PROVIDER],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
};
var METRIC_ATTRIBUTE_REJECTIONS = {
  name: "inferometer_attribute_rejections",
  prometheusName: "inferometer_attribute_rejections_total",
  kind: "counter",
  unit: "{rejection}",
  description: "Attribute values the cardinality guard refused or replaced, by metric, attribute and reason.",
  attributes: [ATTR_METRIC, ATTR_ATTRIBUTE, ATTR_REASON]
};
var METRIC_SERIES = {
  name: "inferometer_series",
  prometheusName: "inferometer_series",
  kind: "gauge",
  unit: "{series}",
  description: "Series each guarded metric currently holds.",
  attributes: [ATTR_METRIC]
};
var METRIC_REMOTE_WRITE_SENT = {
  name: "inferometer_remote_write_samples",
  prometheusName: "inferometer_remote_write_samples_total",
  kind: "counter",
  unit: "{sample}",
  description: "Samples delivered by the remote-write exporter (2xx from the receiver).",
  attributes: []
};
var METRIC_REMOTE_WRITE_RETRIED = {
  name: "inferometer_remote_write_samples_retried",
  prometheusName: "inferometer_remote_write_samples_retried_total",
  kind: "counter",
  unit: "{sample}",
  description: "Samples the remote-write exporter sent again after a retryable failure.",
  attributes: []
};
var METRIC_REMOTE_WRITE_DROPPED = {
  name: "inferometer_remote_write_samples_dropped",
  prometheusName: "inferometer_remote_write_samples_dropped_total",
  kind: "counter",
  unit: "{sample}",
  description: "Samples the remote-write exporter gave up on, by reason.",
  attributes: [ATTR_REASON]
};
var METRIC_REMOTE_WRITE_PENDING = {
  name: "inferometer_remote_write_samples_pending",
  prometheusName: "inferometer_remote_write_samples_pending",
  kind: "gauge",
  unit: "{sample}",
  description: "Samples waiting in the remote-write queue.",
  attributes: []
};
var CATALOG = [
  METRIC_PREDICTIONS,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_TIME_TO_FIRST_ITEM,
  METRIC_STREAM_ITEMS,
  METRIC_MODEL_INFO,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_DATA_DRIFT_SCORE,
  METRIC_PREDICTION_DRIFT_SCORE,
  METRIC_DRIFT_DROPPED,
  METRIC_MODEL_LOAD,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_SERIES,
  METRIC_REMOTE_WRITE_SENT,
  METRIC_REMOTE_WRITE_RETRIED,
  METRIC_REMOTE_WRITE_DROPPED,
  METRIC_REMOTE_WRITE_PENDING
];
var INSTRUMENTATION_SCOPE = "@inferometer/core";
var MAX_KEYS = 1024;
var reported = /* @__PURE__ */ new Set();
function warnOnce(key, message) {
  if (remember(key)) diag.warn(message);
}
function reportInternalError(where, err) {
  if (remember(`error:${where}`)) {
    diag.error(`@inferometer/core: internal failure in ${where}; the prediction was not affected`, err);
  }
}
function remember(key) {
  if (reported.has(key) || reported.size >= MAX_KEYS) return false;
  reported.add(key);
  return true;
}

// src/observe.ts
function observeBatchSize(plan, series, args) {
  const extract = plan.batchSize;
  if (extract === void 0) return;
  let items;
  try {
    items = extract(args);
  } catch (err) {
    reportInternalError("batchSize extractor", err);
  }
  if (typeof items === "number" && Number.isFinite(items) && items >= 0) {
    series.batchSize(items);
  } else {
    plan.recorder.dropped(plan.model, DROP_REASONS.batchSize);
  }
}
function observeConfidence(plan, series, result) {
  const extract = plan.confidence;
  if (extract === void 0) return;
  let value;
  try {
    value = extract(result);
  } catch (err) {
    reportInternalError("confidence extractor", err);
    plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
    return;
  }
  if (value === void 0) return;
  try {
    recordConfidenceValue(plan, series, value);
  } catch (err) {
    reportInternalError("confidence value", err);
    plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
  }
}
function recordConfidenceValue(plan, series, value) {
  if (typeof value === "number") {
    recordConfidence(plan, series, value);
    return;
  }
  if (!isArrayLike(value) || value.length === 0) {
    plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    recordConfidence(plan, series, maxTyped(value));
    return;
  }
  if (isArrayLike(value[0])) {
    for (let i = 0; i < value.length; i++) {
      const row = value[i];
      if (isArrayLike(row) && row.length > 0) recordConfidence(plan, series, max(row));
      else plan.recorder.dropped(plan.model, DROP_REASONS.confidence);
    }
    return;
  }
  recordConfidence(plan, series, max(value));
}
function recordConfidence(plan, series, value) {
  if (Number.isFinite(value) && value >= 0 && value <= 1) series.confidence(value);
  else plan.recorder.dropped(plan.model, DROP_REASONS.confidenceRange);
}
function max(values) {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || Number.isNaN(v)) return Number.NaN;
    if (v > best) best = v;
  }
  return best;
}
function maxTyped(values) {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) return Number.NaN;
    if (v > best) best = v;
  }
  return best;
}
function isArrayLike(value) {
  return value !== null && typeof value === "object" && typeof value.length === "number";
}
function observeInput(observer, args) {
  try {
    observer.input?.(args);
  } catch (err) {
    reportInternalError("drift observer input", err);
  }
}
function observeOutput(observer, result) {
  try {
    observer.output?.(result);
  } catch (err) {
    reportInternalError("drift observer output", err);
  }
}

// src/error-type.ts
function errorType(thrown) {
  if (thrown === null) return "null";
  if (typeof thrown !== "object" && typeof thrown !== "function") return typeof thrown;
  let name;
  try {
    name = thrown.constructor?.name;
  } catch {
    return "object";
  }
  if (typeof name !== "string" || name.length === 0) return "object";
  return errorLabel(name);
}
function errorLabel(text) {
  return text.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, 64);
}

// src/guard/patterns.ts
var DEFAULT_UNBOUNDED_KEY_PATTERNS = [
  /^(user|customer|client|account|member|tenant_user|session|request|req|trace|span|transaction|correlation|message|event|order|device|visitor)[_.-]?(id|uuid|key)$/i,
  /^(user|customer|account)$/i,
  /^(e[_.-]?mail|email[_.-]?address|phone|phone[_.-]?number)$/i,
  /^(ip|ip[_.-]?addr(ess)?|client[_.-]?ip|remote[_.-]?addr(ess)?|x[_.-]?forwarded[_.-]?for)$/i,
  /^(url|uri|full[_.-]?url|http[_.-]?url|query|query[_.-]?string|path[_.-]?with[_.-]?query)$/i,
  /^(uuid|guid|id|nonce|token|api[_.-]?key|hash)$/i,
  /^(timestamp|ts|time|datetime|date[_.-]?time|created[_.-]?at|updated[_.-]?at)$/i,
  /^(prompt|input[_.-]?text|text|message|comment|description|free[_.-]?text)$/i
];
var REJECTION_REASONS = {
  /** A key the metric does not declare: dropped from the record. */
  undeclared: "undeclared",
  /** A value shaped like an identifier (UUID, long hex or digit run, email, IP, URL with a query). */
  identifier: "identifier",
  /** A value longer than the length limit. */
  tooLong: "too_long",
  /** A value past the attribute's cap on distinct values: collapsed into the overflow value. */
  valueOverflow: "value_overflow",
  /** A new label set past the metric's series cap: recorded in the overflow series. */
  seriesOverflow: "series_overflow",
  /** A value that is not a string, number or boolean. */
  invalidType: "invalid_type"
};
var IDENTIFIER_MARKER = "_ID_";
var TOO_LONG_MARKER = "_TOO_LONG_";
var OVERFLOW_VALUE = "_OTHER";
var UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
var LONG_HEX = /[0-9a-f]{16,}/i;
var LONG_DIGITS = /\d{6,}/;
var EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
var IPV4 = /^(\d{1,3}\.){3}\d{1,3}(:\d+)?$/;
var IPV6 = /^\[?([0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\]?$/i;
var URL_WITH_QUERY = /^[a-z][a-z0-9+.-]*:\/\/[^?#\s]*[?#]/i;
var PATH_WITH_QUERY = /^\/[^?\s]*\?/;
var OPAQUE_TOKEN = /^(?=[^\s]*\d)(?=[^\s]*[a-zA-Z])[A-Za-z0-9+/=_-]{20,}$/;
function looksLikeIdentifier(value) {
  return UUID.test(value) || LONG_HEX.test(value) || LONG_DIGITS.test(value) || EMAIL.test(value) || IPV4.test(value) || value.includes(":") && IPV6.test(value) || URL_WITH_QUERY.test(value) || PATH_WITH_QUERY.test(value) || OPAQUE_TOKEN.test(value);
}

// src/guard/config.ts
var GUARD_DEFAULTS = {
  maxValuesPerAttribute: 100,
  maxValuesPerKey: {},
  maxSeriesPerMetric: 2e3,
  maxValueLength: 64,
  unboundedKeyPatterns: DEFAULT_UNBOUNDED_KEY_PATTERNS
};
var current = GUARD_DEFAULTS;
var listeners = /* @__PURE__ */ new Set();
function guardConfig() {
  return current;
}
function onGuardConfig(listener) {
  listeners.add(listener);
}
function configureGuards(options, where = "configureGuards(options)") {
  const next = {
    maxValuesPerAttribute: positive(where, "maxValuesPerAttribute", options.maxValuesPerAttribute, GUARD_DEFAULTS.maxValuesPerAttribute),
    maxValuesPerKey: perKey(where, options.maxValuesPerKey),
    maxSeriesPerMetric: positive(where, "maxSeriesPerMetric", options.maxSeriesPerMetric, GUARD_DEFAULTS.maxSeriesPerMetric, 2),
    maxValueLength: positive(where, "maxValueLength", options.maxValueLength, GUARD_DEFAULTS.maxValueLength),
    unboundedKeyPatterns: [...DEFAULT_UNBOUNDED_KEY_PATTERNS, ...patterns(where, options.unboundedKeyPatterns)]
  };
  const previous = current;
  current = next;
  try {
    for (const listener of listeners) listener(next);
  } catch (err) {
    current = previous;
    throw err;
  }
}
function positive(where, name, value, fallback, min = 1) {
  if (value === void 0) return fallback;
  if (!Number.isInteger(value) || value < min || value > 1e6) {
    throw new TypeError(`${where}: option "${name}" must be a whole number from ${min} to 1000000; got ${String(value)}`);
  }
  return value;
}
function perKey(where, value) {
  if (value === void 0) return {};
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${where}: option "maxValuesPerKey" must be an object of attribute names to whole numbers, e.g. { region: 30 }`);
  }
  const out = {};
  for (const [key, cap] of Object.entries(value)) out[key] = positive(where, `maxValuesPerKey.${key}`, cap, 0);
  return out;
}
function patterns(where, value) {
  if (value === void 0) return [];
  if (!Array.isArray(value) || !value.every((p) => p instanceof RegExp)) {
    throw new TypeError(`${where}: option "unboundedKeyPatterns" must be an array of regular expressions, e.g. [/^order_number$/i]`);
  }
  return [...value];
}

// src/guard/keys.ts
var declarations = [];
var MAX_DECLARATIONS = 1e4;
onGuardConfig((config) => {
  for (const declaration of declarations) check(declaration, config);
});
function checkDeclaredKeys(keys, metric, where, optIn = []) {
  const declaration = { keys, metric, where, optIn: new Set(optIn) };
  check(declaration, guardConfig());
  if (declarations.length < MAX_DECLARATIONS) declarations.push(declaration);
}
function check(declaration, config) {
  for (const key of declaration.keys) {
    if (declaration.optIn.has(key)) continue;
    const pattern = config.unboundedKeyPatterns.find((p) => p.test(key));
    if (pattern !== void 0) {
      throw new TypeError(
        `${declaration.where}: attribute "${key}" on ${declaration.metric} is unbounded by nature (it matches ${String(pattern)}): every distinct value would become a series. Put it on a trace or a log instead, or bucket it into a bounded attribute (a tier, a region, a range); if its values really are bounded here, opt in with allowUnboundedKeys: ['${key}'].`
      );
    }
  }
}

// src/guard/registry.ts
var MAX_REJECTION_SERIES = 1e3;
var MAX_KEY_LENGTH = 128;
var rejections = /* @__PURE__ */ new Map();
var seriesCounts = /* @__PURE__ */ new Map();
var MODEL_OVERFLOW_RESERVE = 10;
function rejectionCounts() {
  return rejections.values();
}
function* seriesPerMetric() {
  for (const [metric, counts] of seriesCounts) yield [metric, counts.admitted + counts.modelOverflows + (counts.overflow ? 1 : 0)];
}
var ADVICE = {
  [REJECTION_REASONS.undeclared]: "it is not declared for this metric, so it was dropped from the record (the measurement is kept). Declare it if its values are bounded",
  [REJECTION_REASONS.identifier]: `its value looks like an identifier, so it was replaced by "${IDENTIFIER_MARKER}". Put identifiers on traces or logs, not on metrics`,
  [REJECTION_REASONS.tooLong]: `its value is longer than the limit, so it was replaced by "${TOO_LONG_MARKER}"`,
  [REJECTION_REASONS.valueOverflow]: `it passed its cap on distinct values, so new values are recorded as "${OVERFLOW_VALUE}". Bucket it into fewer values or raise maxValuesPerKey`,
  [REJECTION_REASONS.seriesOverflow]: `the metric passed its series cap, so new label sets are recorded in one overflow series ("${OVERFLOW_VALUE}"). Raise maxSeriesPerMetric only if the series are really bounded`,
  [REJECTION_REASONS.invalidType]: "its value is not a string, number or boolean, so it was dropped"
};
function reject(metric, rawAttribute, reason) {
  const attribute = rawAttribute.length > MAX_KEY_LENGTH ? TOO_LONG_MARKER : rawAttribute;
  const id = `${metric}\0${attribute}\0${reason}`;
  let entry = rejections.get(id);
  if (entry === void 0) {
    const overflow = rejections.size >= MAX_REJECTION_SERIES;
    const key = overflow ? `${metric}\0${OVERFLOW_VALUE}\0${reason}` : id;
    entry = rejections.get(key);
    if (entry === void 0) {
      entry = { attributes: { [ATTR_METRIC]: metric, [ATTR_ATTRIBUTE]: overflow ? OVERFLOW_VALUE : attribute, [ATTR_REASON]: reason }, count: 0 };
      rejections.set(key, entry);
    }
    warnOnce(
      `guard:${id}`,
      `@inferometer/core: attribute "${attribute}" on ${metric} was refused (${reason}): ${ADVICE[reason] ?? reason}. Counted in inferometer_attribute_rejections_total.`
    );
  }
  entry.count++;
}
function admitSeries(metric, kind = "regular") {
  let counts = seriesCounts.get(metric);
  if (counts === void 0) seriesCounts.set(metric, counts = { admitted: 0, modelOverflows: 0, overflow: false });
  const cap = guardConfig().maxSeriesPerMetric;
  const reserve = Math.min(MODEL_OVERFLOW_RESERVE, Math.floor((cap - 1) / 10));
  if (kind === "model") {
    if (counts.modelOverflows >= reserve) return false;
    counts.modelOverflows++;
    return true;
  }
  if (counts.admitted < cap - 1 - reserve) {
    counts.admitted++;
    return true;
  }
  return false;
}
function noteOverflowSeries(metric) {
  const counts = seriesCounts.get(metric);
  if (counts !== void 0) counts.overflow = true;
}
var ValueGuard = class {
  constructor(metric, key, _checkShape = true, _cap) {
    this.metric = metric;
    this.key = key;
    this._checkShape = _checkShape;
    this._cap = _cap;
  }
  metric;
  key;
  _checkShape;
  _cap;
  _seen = /* @__PURE__ */ new Set();
  /** The value to record, or undefined to leave the attribute off. */
  admit(raw) {
    let value;
    if (typeof raw === "string") value = raw;
    else if (typeof raw === "number" || typeof raw === "boolean") value = String(raw);
    else if (raw === void 0 || raw === null) return void 0;
    else {
      reject(this.metric, this.key, REJECTION_REASONS.invalidType);
      return void 0;
    }
    if (this._seen.has(value)) return value;
    const config = guardConfig();
    if (this._checkShape) {
      const tooLong = value.length > config.maxValueLength;
      if (!(tooLong && value.length > 1024) && looksLikeIdentifier(value)) {
        reject(this.metric, this.key, REJECTION_REASONS.identifier);
        return IDENTIFIER_MARKER;
      }
      if (tooLong) {
        reject(this.metric, this.key, REJECTION_REASONS.tooLong);
        return TOO_LONG_MARKER;
      }
    }
    const cap = this._cap ?? config.maxValuesPerKey[this.key] ?? config.maxValuesPerAttribute;
    if (this._seen.size >= cap) {
      reject(this.metric, this.key, REJECTION_REASONS.valueOverflow);
      return OVERFLOW_VALUE;
    }
    this._seen.add(value);
    return value;
  }
};

// src/resolve.ts
var UNKNOWN_VERSION = "unknown";
var FAMILY = METRIC_PREDICTIONS.prometheusName;
var guards = /* @__PURE__ */ new Map();
function guardFor(model, key, checkShape) {
  const id = `${model}\0${key}`;
  let guard = guards.get(id);
  if (guard === void 0) guards.set(id, guard = new ValueGuard(FAMILY, key, checkShape));
  return guard;
}
function dynamicResolver(options) {
  const { model, recorder: recorder2, version, fixed, slots, attributesFrom, seriesFor } = options;
  const declared = new Set(slots.map((slot) => slot.key));
  const slotGuards = slots.map((slot) => guardFor(model, slot.key, true));
  const versionGuard = guardFor(model, ATTR_MODEL_VERSION, false);
  const root = /* @__PURE__ */ new Map();
  const readVersion = typeof version === "string" ? () => version : (self) => {
    try {
      const v = version(self);
      if (typeof v === "string" && v.length > 0 && v.length <= 128) return versionGuard.admit(v) ?? UNKNOWN_VERSION;
    } catch (err) {
      reportInternalError("version", err);
    }
    recorder2.dropped(model, DROP_REASONS.version);
    return UNKNOWN_VERSION;
  };
  const readRecord = (self, args) => {
    if (attributesFrom === void 0) return void 0;
    let record;
    try {
      record = attributesFrom(self, args);
    } catch (err) {
      reportInternalError("attributesFrom", err);
      recorder2.dropped(model, DROP_REASONS.attribute);
      return void 0;
    }
    if (record === null || typeof record !== "object") return void 0;
    for (const key in record) if (!declared.has(key)) reject(FAMILY, key, REJECTION_REASONS.undeclared);
    return record;
  };
  const readSlot = (i, self, args, record) => {
    const slot = slots[i];
    let raw;
    if (slot.read === void 0) raw = record?.[slot.key];
    else {
      try {
        raw = slot.read(self, args);
      } catch (err) {
        reportInternalError(`attribute ${slot.key}`, err);
        recorder2.dropped(model, DROP_REASONS.attribute);
        return void 0;
      }
    }
    return slotGuards[i].admit(raw);
  };
  return (self, args) => {
    const v = readVersion(self);
    const record = readRecord(self, args);
    let node = root.get(v);
    const values = [];
    for (let i = 0; i < slots.length; i++) {
      const value = readSlot(i, self, args, record);
      values.push(value);
      if (node !== void 0) node = node.get(value ?? ABSENT);
    }
    if (node !== void 0) return node;
    const attributes = {};
    for (const name in fixed) attributes[name] = fixed[name];
    slots.forEach((slot, i) => {
      const value = values[i];
      if (value !== void 0) attributes[slot.key] = value;
    });
    const resolved = seriesFor(v, attributes);
    if (resolved.series.overflow === true) return resolved;
    let level = root;
    let key = v;
    for (let i = 0; i < slots.length; i++) {
      let next = level.get(key);
      if (next === void 0) level.set(key, next = /* @__PURE__ */ new Map());
      level = next;
      key = values[i] ?? ABSENT;
    }
    level.set(key, resolved);
    return resolved;
  };
}
var ABSENT = "\0absent";

// src/version-encoding.ts
function encodeVersion(version) {
  const whole = /^v?(\d{1,15})$/.exec(version);
  if (whole !== null) return Number(whole[1]);
  const semver = /^v?(\d{1,9})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(version);
  if (semver !== null) {
    return Number(semver[1]) * 1e6 + Number(semver[2]) * 1e3 + Number(semver[3] ?? 0);
  }
  return void 0;
}

// src/plan.ts
var RESERVED_KEYS = /* @__PURE__ */ new Set([
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_STATUS,
  ATTR_ERROR_TYPE,
  ATTR_REASON,
  "le",
  "quantile"
]);
var LABEL_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
var MAX_BOUNDARIES = 256;
var BUCKET_NAMES = [
  "latency",
  "confidence",
  "batchSize",
  "timeToFirstItem",
  "streamItems"
];
function compilePlan(options, recorder2, where) {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${where}: options must be an object such as { model: 'iris', version: '1.0.0' }; got ${describe(options)}`);
  }
  const model = options.model;
  if (typeof model !== "string" || model.length === 0 || model.length > 128) {
    throw new TypeError(`${where}: option "model" must be a string of 1 to 128 characters naming the model, e.g. { model: 'iris' }; got ${describe(model)}`);
  }
  const version = options.version ?? UNKNOWN_VERSION;
  if (typeof version !== "function" && (typeof version !== "string" || version.length === 0 || version.length > 128)) {
    throw new TypeError(`${where}: option "version" must be a string of 1 to 128 characters or a function of the instance returning one, e.g. { version: '1.2.0' } or { version: (self) => self.version }; got ${describe(version)}`);
  }
  checkFunction(where, "versionNumber", options.versionNumber);
  checkFunction(where, "confidence", options.confidence);
  checkFunction(where, "batchSize", options.batchSize);
  checkFunction(where, "errorType", options.errorType);
  const drift = options.drift;
  if (drift !== void 0 && (drift === null || typeof drift.bind !== "function")) {
    throw new TypeError(`${where}: option "drift" must be an observer with a bind() method, such as driftMonitor({ reference, features }) from @inferometer/drift; got ${describe(drift)}`);
  }
  const streaming = options.streaming ?? "auto";
  if (streaming !== "auto" && streaming !== true && streaming !== false) {
    throw new TypeError(`${where}: option "streaming" must be 'auto', true or false; got ${describe(streaming)}`);
  }
  const buckets = checkBuckets(where, options.buckets);
  const { fixed, dynamic } = splitAttributes(where, options.attributes);
  const fromKeys = checkAttributeKeys(where, options.attributeKeys, fixed, dynamic);
  checkFunction(where, "attributesFrom", options.attributesFrom);
  if (options.attributesFrom !== void 0 && fromKeys.length === 0) {
    throw new TypeError(`${where}: option "attributesFrom" needs option "attributeKeys" to declare the keys it may return, e.g. { attributeKeys: ['tier'], attributesFrom: (self, args) => ({ tier: args[0].tier }) }`);
  }
  const optIn = checkOptIn(where, options.allowUnboundedKeys);
  checkDeclaredKeys([...Object.keys(fixed), ...dynamic.map(([key]) => key), ...fromKeys], `${METRIC_PREDICTIONS.prometheusName} (and the other per-prediction metrics of model "${model}")`, where, optIn);
  const versionNumber = options.versionNumber ?? encodeVersion;
  const numberOf = (v) => {
    try {
      const n = versionNumber(v);
      return typeof n === "number" && Number.isFinite(n) ? n : void 0;
    } catch (err) {
      reportInternalError("versionNumber", err);
      return void 0;
    }
  };
  const seriesFor = (v, attributes) => ({
    series: recorder2.series({ model, version: v, attributes, buckets, versionNumber: numberOf(v) }),
    observer: bindObserver(drift, model, v)
  });
  let resolve;
  if (typeof version === "string" && dynamic.length === 0 && fromKeys.length === 0) {
    const only = seriesFor(version, fixed);
    resolve = () => only;
  } else {
    const slots = [
      ...dynamic.map(([key, read]) => ({ key, read })),
      ...fromKeys.map((key) => ({ key, read: void 0 }))
    ];
    resolve = dynamicResolver({ model, recorder: recorder2, version, fixed, slots, attributesFrom: options.attributesFrom, seriesFor });
  }
  return {
    model,
    recorder: recorder2,
    resolve,
    confidence: options.confidence,
    batchSize: batchSizeReader(options.batchSize),
    streaming,
    errorType: errorTypeReader(options.errorType)
  };
}
function errorTypeReader(label) {
  if (label === void 0) return (error) => errorType(error);
  return (error, args) => {
    try {
      const text = label(error, args);
      if (typeof text === "string" && text.length > 0) return errorLabel(text);
    } catch (err) {
      reportInternalError("errorType", err);
    }
    return errorType(error);
  };
}
function batchSizeReader(extract) {
  if (extract === void 0) return void 0;
  if (extract.length === 1) return (args) => extract(args[0]);
  return (args) => extract(...args);
}
function bindObserver(observer, model, version) {
  if (observer === void 0) return void 0;
  try {
    return observer.bind({ model, version });
  } catch (err) {
    reportInternalError("drift observer bind", err);
    return void 0;
  }
}
function splitAttributes(where, attributes) {
  const fixed = {};
  const dynamic = [];
  if (attributes === void 0) return { fixed, dynamic };
  if (attributes === null || typeof attributes !== "object") {
    throw new TypeError(`${where}: option "attributes" must be an object of attribute names to constants or functions, e.g. { region: 'eu' }; got ${describe(attributes)}`);
  }
  for (const [key, source] of Object.entries(attributes)) {
    checkKeyName(where, "attributes", key);
    if (typeof source === "function") {
      dynamic.push([key, source]);
    } else if (typeof source === "string" || typeof source === "number" || typeof source === "boolean") {
      fixed[key] = typeof source === "string" ? source : String(source);
    } else {
      throw new TypeError(`${where}: option "attributes.${key}" must be a string, number, boolean or a function (self, args) => value; got ${describe(source)}`);
    }
  }
  return { fixed, dynamic };
}
function checkAttributeKeys(where, keys, fixed, dynamic) {
  if (keys === void 0) return [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) {
    throw new TypeError(`${where}: option "attributeKeys" must be an array of attribute names, e.g. ['tier', 'region']; got ${describe(keys)}`);
  }
  for (const key of keys) {
    checkKeyName(where, "attributeKeys", key);
    if (key in fixed || dynamic.some(([name]) => name === key)) {
      throw new TypeError(`${where}: option "attributeKeys" repeats "${key}", which option "attributes" already declares`);
    }
  }
  return [...new Set(keys)];
}
function checkOptIn(where, keys) {
  if (keys === void 0) return [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) {
    throw new TypeError(`${where}: option "allowUnboundedKeys" must be an array of attribute names, e.g. ['session_bucket']; got ${describe(keys)}`);
  }
  return [...keys];
}
function checkKeyName(where, option, key) {
  if (!LABEL_KEY.test(key) || key.startsWith("__")) {
    throw new TypeError(`${where}: option "${option}" has key "${key}", which is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`);
  }
  if (RESERVED_KEYS.has(key)) {
    throw new TypeError(`${where}: option "${option}" has key "${key}", which the metric catalog already uses; reserved keys are ${[...RESERVED_KEYS].join(", ")}`);
  }
}
function checkBuckets(where, buckets) {
  if (buckets === void 0) return void 0;
  if (buckets === null || typeof buckets !== "object") {
    throw new TypeError(`${where}: option "buckets" must be an object with any of ${BUCKET_NAMES.join(", ")}; got ${describe(buckets)}`);
  }
  for (const [name, list] of Object.entries(buckets)) {
    if (!BUCKET_NAMES.includes(name)) {
      throw new TypeError(`${where}: option "buckets.${name}" is not a histogram of the catalog; accepted: ${BUCKET_NAMES.join(", ")}`);
    }
    if (list === void 0) continue;
    const ok = Array.isArray(list) && list.length > 0 && list.length <= MAX_BOUNDARIES && list.every((b, i) => typeof b === "number" && Number.isFinite(b) && (i === 0 || b > list[i - 1]));
    if (!ok) {
      throw new TypeError(`${where}: option "buckets.${name}" must be a non-empty array of at most ${MAX_BOUNDARIES} finite numbers in strictly increasing order; got ${describe(list)}`);
    }
  }
  return buckets;
}
function checkFunction(where, name, value) {
  if (value !== void 0 && typeof value !== "function") {
    throw new TypeError(`${where}: option "${name}" must be a function; got ${describe(value)}`);
  }
}
function describe(value) {
  if (value === void 0 || value === null) return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array [${value.slice(0, 5).map(describe).join(", ")}${value.length > 5 ? ", ..." : ""}]`;
  if (typeof value === "object") return "an object";
  return String(value);
}

// src/recorder/native/histogram.ts
var NativeHistogram = class {
  constructor(boundaries) {
    this.boundaries = boundaries;
    const size = boundaries.length + 5;
    if (slab.length - used < size) {
      slab = new Float64Array(SLAB_DOUBLES);
      used = 0;
    }
    this.data = slab;
    this.offset = used;
    used += size;
    const n = boundaries.length;
    slab[this.offset + n + 3] = Number.POSITIVE_INFINITY;
    slab[this.offset + n + 4] = Number.NEGATIVE_INFINITY;
  }
  boundaries;
  data;
  offset;
  record(value) {
    const boundaries = this.boundaries;
    const n = boundaries.length;
    let i = 0;
    while (i < n && value > boundaries[i]) i++;
    const data = this.data;
    const at = this.offset;
    data[at + i]++;
    data[at + n + 1] += value;
    data[at + n + 2]++;
    if (value < data[at + n + 3]) data[at + n + 3] = value;
    if (value > data[at + n + 4]) data[at + n + 4] = value;
  }
  /** Bucket counts: n + 1 values. */
  bucket(i) {
    return this.data[this.offset + i];
  }
  get buckets() {
    return this.boundaries.length + 1;
  }
  get sum() {
    return this.data[this.offset + this.boundaries.length + 1];
  }
  get count() {
    return this.data[this.offset + this.boundaries.length + 2];
  }
  get min() {
    return this.data[this.offset + this.boundaries.length + 3];
  }
  get max() {
    return this.data[this.offset + this.boundaries.length + 4];
  }
};
var SLAB_DOUBLES = 65536;
var slab = new Float64Array(SLAB_DOUBLES);
var used = 0;
function boundariesOf(list) {
  return Float64Array.from(list);
}

// src/recorder/native/series.ts
var NativeSeries = class {
  /*
   * No SeriesKey object is kept: the attributes hold model and version, and
   * the key is rebuilt on the rare occasions it is needed (every field here
   * is 8 bytes on every series).
   */
  constructor(attributes, _versionNumber, _model, _boundaries, api) {
    this.attributes = attributes;
    this._versionNumber = _versionNumber;
    this._model = _model;
    this._boundaries = _boundaries;
    this.api = api;
    this.latency = new NativeHistogram(_boundaries.latency);
  }
  attributes;
  _versionNumber;
  _model;
  _boundaries;
  /** The OpenTelemetry API series to forward to, or null while a collector reads the native state. */
  api;
  successes = 0;
  errors = 0;
  inFlight = 0;
  latency;
  /**
   * What most series never need (confidence and batch-size histograms without
   * extractors, stream histograms, error types), created on first use: each
   * field on the series costs 8 bytes on every series.
   */
  extras;
  /** Identity, as the recorders take it. */
  get key() {
    const user = {};
    for (const name in this.attributes) if (name !== ATTR_MODEL_NAME && name !== ATTR_MODEL_VERSION) user[name] = this.attributes[name];
    return {
      model: String(this.attributes[ATTR_MODEL_NAME]),
      version: String(this.attributes[ATTR_MODEL_VERSION]),
      attributes: user,
      buckets: this._boundaries.source,
      versionNumber: this._versionNumber
    };
  }
  /** The metric's overflow series, standing for every label set past the series cap. */
  get overflow() {
    return this._model.overflow === true;
  }
  begin() {
    if (this.api !== null) {
      this.api.begin();
      this._extras().apiPending++;
      return;
    }
    this.inFlight++;
    this._model.activeVersion = this._versionNumber;
  }
  succeed(seconds) {
    if (this.api !== null) {
      this.api.succeed(seconds, this._endsApiCall());
      return;
    }
    if (this.inFlight > 0) this.inFlight--;
    this.successes++;
    this.latency.record(seconds);
  }
  fail(seconds, errorType2) {
    if (this.api !== null) {
      this.api.fail(seconds, errorType2, this._endsApiCall());
      return;
    }
    if (this.inFlight > 0) this.inFlight--;
    this.errors++;
    this.latency.record(seconds);
    const types = this._extras().errorTypes ??= /* @__PURE__ */ new Map();
    const seen = types.get(errorType2);
    if (seen !== void 0) types.set(errorType2, seen + 1);
    else if (types.size < MAX_ERROR_TYPES_PER_SERIES) types.set(errorType2, 1);
    else types.set(ERROR_TYPE_OTHER, (types.get(ERROR_TYPE_OTHER) ?? 0) + 1);
  }
  confidence(value) {
    if (this.api !== null) this.api.confidence(value);
    else {
      const extras = this._extras();
      (extras.confidence ??= new NativeHistogram(this._boundaries.confidence)).record(value);
    }
  }
  batchSize(items) {
    if (this.api !== null) this.api.batchSize(items);
    else {
      const extras = this._extras();
      (extras.batchSize ??= new NativeHistogram(this._boundaries.batchSize)).record(items);
    }
  }
  firstItem(seconds) {
    if (this.api !== null) this.api.firstItem(seconds);
    else {
      const extras = this._extras();
      (extras.timeToFirstItem ??= new NativeHistogram(this._boundaries.timeToFirstItem)).record(seconds);
    }
  }
  streamItems(items) {
    if (this.api !== null) this.api.streamItems(items);
    else {
      const extras = this._extras();
      (extras.streamItems ??= new NativeHistogram(this._boundaries.streamItems)).record(items);
    }
  }
  /** Whether the call now ending began on the API path (then its in-flight +1 is taken back there). */
  _endsApiCall() {
    const extras = this.extras;
    if (extras === void 0 || extras.apiPending === 0) return false;
    extras.apiPending--;
    return true;
  }
  _extras() {
    return this.extras ??= { confidence: void 0, batchSize: void 0, timeToFirstItem: void 0, streamItems: void 0, errorTypes: void 0, apiPending: 0 };
  }
};

// src/recorder/native/recorder.ts
var OVERFLOW_MODEL = { activeVersion: void 0, attributes: {}, overflow: true };
var FAMILY2 = METRIC_PREDICTIONS.prometheusName;
var DEFAULT_BOUNDARIES = {
  source: void 0,
  latency: boundariesOf(METRIC_PREDICTION_LATENCY.buckets),
  confidence: boundariesOf(METRIC_PREDICTION_CONFIDENCE.buckets),
  batchSize: boundariesOf(METRIC_PREDICTION_BATCH_SIZE.buckets),
  timeToFirstItem: boundariesOf(METRIC_TIME_TO_FIRST_ITEM.buckets),
  streamItems: boundariesOf(METRIC_STREAM_ITEMS.buckets)
};
var NativeRecorder = class {
  constructor(_api) {
    this._api = _api;
  }
  _api;
  /** Every series, in creation order; one per distinct (model, version, attributes). */
  series_ = [];
  models = /* @__PURE__ */ new Map();
  /** (model, version) pairs that have served, for `ml_model_info`. */
  versions = /* @__PURE__ */ new Map();
  dropped_ = /* @__PURE__ */ new Map();
  /**
   * Series by a hash of their identity, for sharing one series between
   * functions with the same identity (two series with one label set would
   * make an invalid exposition). A number key keeps no string per series;
   * the rare collision is resolved by comparing identities.
   */
  _byHash = /* @__PURE__ */ new Map();
  _collectors = 0;
  /**
   * Start time of every series' cumulative data: one shared HrTime (the
   * recorder's creation, before any observation) instead of one per series.
   */
  startTime = hrNow();
  /** Whether a collector reads the native state (else calls go to the OpenTelemetry API). */
  get native() {
    return this._collectors > 0;
  }
  series(key) {
    return this._series(key, "none");
  }
  /**
   * The series of `key`: shared if it exists; new if the per-metric series
   * cap admits it (the guard enforces the cap before the SDK's own limit, so
   * the overflow is ours and counted). Past the cap, the model's overflow
   * series (version and user attributes `_OTHER`), itself admitted under the
   * cap; with even that refused, the one metric-wide overflow series (model
   * too `_OTHER`), for which the cap keeps one place. So the metric never
   * holds more label sets than the cap, however many models and values.
   */
  _series(key, overflow) {
    const hash = identityHash(key);
    const bucket = this._byHash.get(hash);
    const existing = bucket === void 0 ? void 0 : Array.isArray(bucket) ? bucket.find((s) => sameIdentity(s.attributes, key)) : sameIdentity(bucket.attributes, key) ? bucket : void 0;
    if (existing !== void 0) return existing;
    if (overflow !== "metric" && !admitSeries(FAMILY2, overflow === "model" ? "model" : "regular")) {
      if (overflow === "none") {
        reject(FAMILY2, Object.keys(key.attributes).join("+") || ATTR_MODEL_VERSION, REJECTION_REASONS.seriesOverflow);
        const attributes2 = {};
        for (const name in key.attributes) attributes2[name] = OVERFLOW_VALUE;
        return this._series({ ...key, version: OVERFLOW_VALUE, versionNumber: void 0, attributes: attributes2 }, "model");
      }
      return this._series({ model: OVERFLOW_VALUE, version: OVERFLOW_VALUE, attributes: {}, buckets: void 0, versionNumber: void 0 }, "metric");
    }
    if (overflow === "metric") noteOverflowSeries(FAMILY2);
    let model = overflow === "none" ? this.models.get(key.model) : OVERFLOW_MODEL;
    if (model === void 0) {
      model = { activeVersion: void 0, attributes: { [ATTR_MODEL_NAME]: key.model } };
      this.models.set(key.model, model);
    }
    const versionId = `${key.model}\0${key.version}`;
    if (overflow === "none" && !this.versions.has(versionId)) {
      this.versions.set(versionId, { [ATTR_MODEL_NAME]: key.model, [ATTR_MODEL_VERSION]: key.version });
    }
    const attributes = {};
    attributes[ATTR_MODEL_NAME] = key.model;
    attributes[ATTR_MODEL_VERSION] = key.version;
    for (const name in key.attributes) attributes[name] = key.attributes[name];
    const series = new NativeSeries(attributes, key.versionNumber, model, boundariesFor(key.buckets), this.native ? null : this._api.series(key));
    if (bucket === void 0) this._byHash.set(hash, series);
    else if (Array.isArray(bucket)) bucket.push(series);
    else this._byHash.set(hash, [bucket, series]);
    this.series_.push(series);
    return series;
  }
  dropped(model, reason) {
    if (!this.native) {
      this._api.dropped(model, reason);
      return;
    }
    const id = `${model}\0${reason}`;
    const entry = this.dropped_.get(id);
    if (entry !== void 0) entry.count++;
    else this.dropped_.set(id, { attributes: { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason }, count: 1, startTime: hrNow() });
  }
  /** A collector attaches: from now on calls aggregate natively. */
  attach() {
    if (this._collectors++ === 0) for (const series of this.series_) series.api = null;
  }
  /** A collector detaches: with none left, calls go back to the OpenTelemetry API. */
  detach() {
    if (this._collectors === 0) return;
    if (--this._collectors === 0) for (const series of this.series_) series.api = this._api.series(series.key);
  }
};
function identityHash(key) {
  let hash = 2166136261;
  const mix = (text) => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
    hash = Math.imul(hash ^ 255, 16777619);
  };
  mix(key.model);
  mix(key.version);
  for (const name of Object.keys(key.attributes).sort()) {
    if (name === ATTR_MODEL_NAME || name === ATTR_MODEL_VERSION) continue;
    mix(name);
    mix(String(key.attributes[name]));
  }
  return hash >>> 0;
}
function sameIdentity(attributes, key) {
  if (attributes[ATTR_MODEL_NAME] !== key.model || attributes[ATTR_MODEL_VERSION] !== key.version) return false;
  const own = Object.keys(attributes).filter((n) => n !== ATTR_MODEL_NAME && n !== ATTR_MODEL_VERSION);
  const theirs = Object.keys(key.attributes).filter((n) => n !== ATTR_MODEL_NAME && n !== ATTR_MODEL_VERSION);
  return own.length === theirs.length && own.every((name) => name in key.attributes && String(attributes[name]) === String(key.attributes[name]));
}
var boundaryCache = /* @__PURE__ */ new Map();
function boundariesFor(buckets) {
  if (buckets === void 0) return DEFAULT_BOUNDARIES;
  const id = JSON.stringify(buckets);
  let found = boundaryCache.get(id);
  if (found === void 0) {
    found = {
      source: buckets,
      latency: buckets.latency ? boundariesOf(buckets.latency) : DEFAULT_BOUNDARIES.latency,
      confidence: buckets.confidence ? boundariesOf(buckets.confidence) : DEFAULT_BOUNDARIES.confidence,
      batchSize: buckets.batchSize ? boundariesOf(buckets.batchSize) : DEFAULT_BOUNDARIES.batchSize,
      timeToFirstItem: buckets.timeToFirstItem ? boundariesOf(buckets.timeToFirstItem) : DEFAULT_BOUNDARIES.timeToFirstItem,
      streamItems: buckets.streamItems ? boundariesOf(buckets.streamItems) : DEFAULT_BOUNDARIES.streamItems
    };
    if (boundaryCache.size >= 64) {
      warnOnce("boundary-cache", "@inferometer/core: more than 64 distinct bucket configurations; boundaries are no longer shared");
    } else {
      boundaryCache.set(id, found);
    }
  }
  return found;
}
function hrNow() {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1e3);
  return [seconds, Math.min(999999999, Math.round((ms - seconds * 1e3) * 1e6))];
}

// src/version.ts
var VERSION = "0.1.0";

// src/recorder/otel-api-recorder.ts
var OtelApiRecorder = class {
  _provider;
  _instruments;
  _models = /* @__PURE__ */ new Map();
  /** Bucket boundaries each histogram was created with, to warn on conflicting overrides. */
  _boundaries;
  series(key) {
    const model = this._model(key.model);
    if (!model.versions.has(key.version)) {
      model.versions.set(key.version, {
        [ATTR_MODEL_NAME]: key.model,
        [ATTR_MODEL_VERSION]: key.version
      });
    }
    if (key.buckets !== void 0) this._checkBuckets(key.model, key.buckets);
    return new OtelApiSeries(this, model, key);
  }
  dropped(model, reason) {
    try {
      this.instruments().dropped.add(1, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason });
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  /** The instruments of the current global provider (created on first use or after a change). */
  instruments() {
    const provider = metrics.getMeterProvider();
    if (provider !== this._provider || this._instruments === void 0) {
      this._provider = provider;
      this._instruments = this._create(provider.getMeter(INSTRUMENTATION_SCOPE, VERSION));
    }
    return this._instruments;
  }
  _model(name) {
    let state = this._models.get(name);
    if (state === void 0) {
      state = { versions: /* @__PURE__ */ new Map(), activeVersion: void 0, activeAttributes: { [ATTR_MODEL_NAME]: name } };
      this._models.set(name, state);
    }
    return state;
  }
  _create(meter) {
    const boundaries = this._boundaries;
    const instruments = {
      predictions: meter.createCounter(METRIC_PREDICTIONS.name, describe2(METRIC_PREDICTIONS)),
      errors: meter.createCounter(METRIC_PREDICTION_ERRORS.name, describe2(METRIC_PREDICTION_ERRORS)),
      latency: histogram(meter, METRIC_PREDICTION_LATENCY, boundaries?.latency),
      confidence: histogram(meter, METRIC_PREDICTION_CONFIDENCE, boundaries?.confidence),
      batchSize: histogram(meter, METRIC_PREDICTION_BATCH_SIZE, boundaries?.batchSize),
      inFlight: meter.createUpDownCounter(
        METRIC_PREDICTIONS_IN_FLIGHT.name,
        describe2(METRIC_PREDICTIONS_IN_FLIGHT)
      ),
      timeToFirstItem: histogram(meter, METRIC_TIME_TO_FIRST_ITEM, boundaries?.timeToFirstItem),
      streamItems: histogram(meter, METRIC_STREAM_ITEMS, boundaries?.streamItems),
      dropped: meter.createCounter(METRIC_DROPPED_OBSERVATIONS.name, describe2(METRIC_DROPPED_OBSERVATIONS))
    };
    const info = meter.createObservableGauge(METRIC_MODEL_INFO.name, describe2(METRIC_MODEL_INFO));
    info.addCallback((result) => {
      for (const model of this._models.values()) {
        for (const attributes of model.versions.values()) result.observe(1, attributes);
      }
    });
    const active = meter.createObservableGauge(
      METRIC_ACTIVE_MODEL_VERSION.name,
      describe2(METRIC_ACTIVE_MODEL_VERSION)
    );
    active.addCallback((result) => {
      for (const model of this._models.values()) {
        if (model.activeVersion !== void 0) result.observe(model.activeVersion, model.activeAttributes);
      }
    });
    meter.createObservableCounter(METRIC_ATTRIBUTE_REJECTIONS.name, describe2(METRIC_ATTRIBUTE_REJECTIONS)).addCallback((result) => {
      for (const entry of rejectionCounts()) result.observe(entry.count, entry.attributes);
    });
    meter.createObservableGauge(METRIC_SERIES.name, describe2(METRIC_SERIES)).addCallback((result) => {
      for (const [metric, count] of seriesPerMetric()) result.observe(count, { [ATTR_METRIC]: metric });
    });
    return instruments;
  }
  /**
   * OpenTelemetry bucket boundaries belong to the instrument, not to a series:
   * the first model that declares boundaries for a histogram sets them for
   * every model on this recorder (decorators run before the first call, so
   * this is the first decorated model), and a model that asks for different
   * ones is told once. Per-series boundaries need the native recorder.
   */
  _checkBuckets(model, buckets) {
    if (this._boundaries === void 0 && this._instruments === void 0) {
      this._boundaries = { ...DEFAULT_BOUNDARIES2, ...definedOnly(buckets) };
      return;
    }
    const inForce = this._boundaries ?? DEFAULT_BOUNDARIES2;
    for (const name of Object.keys(buckets)) {
      const wanted = buckets[name];
      if (wanted !== void 0 && !sameBoundaries(wanted, inForce[name])) {
        warnOnce(
          `buckets:${model}:${name}`,
          `@inferometer/core: model "${model}" asks for its own ${name} buckets, but OpenTelemetry bucket boundaries belong to the instrument and are already set; the boundaries in force stay.`
        );
      }
    }
  }
};
var DEFAULT_BOUNDARIES2 = {
  latency: METRIC_PREDICTION_LATENCY.buckets,
  confidence: METRIC_PREDICTION_CONFIDENCE.buckets,
  batchSize: METRIC_PREDICTION_BATCH_SIZE.buckets,
  timeToFirstItem: METRIC_TIME_TO_FIRST_ITEM.buckets,
  streamItems: METRIC_STREAM_ITEMS.buckets
};
var OtelApiSeries = class {
  constructor(_recorder, _model, _key) {
    this._recorder = _recorder;
    this._model = _model;
    this._key = _key;
    this._base = {
      ..._key.attributes,
      [ATTR_MODEL_NAME]: _key.model,
      [ATTR_MODEL_VERSION]: _key.version
    };
    this._success = { ...this._base, [ATTR_STATUS]: STATUS_SUCCESS };
    this._error = { ...this._base, [ATTR_STATUS]: STATUS_ERROR };
  }
  _recorder;
  _model;
  _key;
  _base;
  _success;
  _error;
  _errorTypes = /* @__PURE__ */ new Map();
  begin() {
    try {
      this._model.activeVersion = this._key.versionNumber;
      this._recorder.instruments().inFlight.add(1, this._base);
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  succeed(seconds, begun = true) {
    try {
      const i = this._recorder.instruments();
      if (begun) i.inFlight.add(-1, this._base);
      i.predictions.add(1, this._success);
      i.latency.record(seconds, this._base);
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  fail(seconds, errorType2, begun = true) {
    try {
      const i = this._recorder.instruments();
      if (begun) i.inFlight.add(-1, this._base);
      i.predictions.add(1, this._error);
      i.latency.record(seconds, this._base);
      i.errors.add(1, this._errorAttributes(errorType2));
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  confidence(value) {
    try {
      this._recorder.instruments().confidence.record(value, this._base);
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  batchSize(items) {
    try {
      this._recorder.instruments().batchSize.record(items, this._base);
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  firstItem(seconds) {
    try {
      this._recorder.instruments().timeToFirstItem.record(seconds, this._base);
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  streamItems(items) {
    try {
      this._recorder.instruments().streamItems.record(items, this._base);
    } catch (err) {
      reportInternalError("record", err);
    }
  }
  _errorAttributes(errorType2) {
    let attributes = this._errorTypes.get(errorType2);
    if (attributes === void 0) {
      const bounded = this._errorTypes.size < MAX_ERROR_TYPES_PER_SERIES ? errorType2 : ERROR_TYPE_OTHER;
      attributes = this._errorTypes.get(bounded) ?? { ...this._base, [ATTR_ERROR_TYPE]: bounded };
      this._errorTypes.set(bounded, attributes);
    }
    return attributes;
  }
};
function describe2(metric) {
  return { description: metric.description, unit: metric.unit };
}
function histogram(meter, metric, boundaries) {
  return meter.createHistogram(metric.name, {
    ...describe2(metric),
    // Without advice the SDK's default boundaries are millisecond-scale and
    // every observation in seconds lands in the first bucket.
    advice: { explicitBucketBoundaries: [...boundaries ?? metric.buckets ?? []] }
  });
}
function sameBoundaries(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
function definedOnly(buckets) {
  return Object.fromEntries(Object.entries(buckets).filter(([, value]) => value !== void 0));
}

// src/stream.ts
var StreamTracker = class {
  constructor(_series, _start, _errorType) {
    this._series = _series;
    this._start = _start;
    this._errorType = _errorType;
  }
  _series;
  _start;
  _errorType;
  _items = 0;
  _ended = false;
  item() {
    if (this._items++ === 0 && !this._ended) this._series.firstItem(elapsed(this._start));
  }
  end(thrown) {
    if (this._ended) return;
    this._ended = true;
    this._series.streamItems(this._items);
    if (thrown === void 0) this._series.succeed(elapsed(this._start));
    else this._series.fail(elapsed(this._start), this._errorType(thrown.error));
  }
};
var InstrumentedIterator = class {
  constructor(_source, _tracker) {
    this._source = _source;
    this._tracker = _tracker;
  }
  _source;
  _tracker;
  async next(...args) {
    return this._observe(() => this._source.next(...args));
  }
  async return(value) {
    this._tracker.end();
    if (typeof this._source.return === "function") return this._source.return(value);
    return { done: true, value: await value };
  }
  async throw(error) {
    const source = this._source;
    if (typeof source.throw === "function") return this._observe(() => source.throw(error));
    this._tracker.end({ error });
    throw error;
  }
  [Symbol.asyncIterator]() {
    return this;
  }
  async _observe(step) {
    let result;
    try {
      result = await step();
    } catch (error) {
      this._tracker.end({ error });
      throw error;
    }
    if (result.done === true) this._tracker.end();
    else this._tracker.item();
    return result;
  }
};
function instrumentStream(source, series, start, errorType2) {
  const tracker = new StreamTracker(series, start, errorType2);
  if (typeof source.next === "function") {
    return new InstrumentedIterator(source, tracker);
  }
  return new Proxy(source, {
    get(target, key) {
      if (key === Symbol.asyncIterator) {
        return () => new InstrumentedIterator(target[Symbol.asyncIterator](), tracker);
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    }
  });
}
function isAsyncIterable(value) {
  if (value === null || typeof value !== "object" && typeof value !== "function") return false;
  try {
    return typeof value[Symbol.asyncIterator] === "function";
  } catch {
    return false;
  }
}
function elapsed(start) {
  return (performance.now() - start) / 1e3;
}

// src/instrument.ts
var recorder = new NativeRecorder(new OtelApiRecorder());
function instrument(fn, options) {
  if (typeof fn !== "function") {
    throw new TypeError(`instrument(fn, options): fn must be a function; got ${fn === null ? "null" : typeof fn}`);
  }
  return wrapFunction(fn, compilePlan(options, recorder, "instrument(fn, options)"));
}
function wrapFunction(fn, plan) {
  const settle = chooseSettle(fn, plan);
  const wrapper = function(...args) {
    const resolved = plan.resolve(this, args);
    const series = resolved.series;
    observeBatchSize(plan, series, args);
    if (resolved.observer !== void 0) observeInput(resolved.observer, args);
    series.begin();
    const start = performance.now();
    let result;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      series.fail(elapsed(start), plan.errorType(error, args));
      throw error;
    }
    return settle(plan, resolved, start, result, args);
  };
  Object.defineProperty(wrapper, "name", { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, "length", { value: fn.length, configurable: true });
  return wrapper;
}
function chooseSettle(fn, plan) {
  const kind = Object.getPrototypeOf(fn)?.constructor?.name;
  if (kind === "AsyncGeneratorFunction" && plan.streaming !== false) return settleStream;
  if (kind === "AsyncFunction") return plan.streaming === true ? settlePromisedStream : settlePromise;
  if (plan.streaming === false) return settleSyncOrPromise;
  if (plan.streaming === true) return settleAnyOrPromisedStream;
  return settleAny;
}
function settleSync(plan, resolved, start, result, args) {
  resolved.series.succeed(elapsed(start));
  observeConfidence(plan, resolved.series, result);
  if (resolved.observer !== void 0) observeOutput(resolved.observer, result);
  return result;
}
function settlePromise(plan, resolved, start, result, args) {
  try {
    result.then(
      (value) => settleSync(plan, resolved, start, value, args),
      (error) => resolved.series.fail(elapsed(start), plan.errorType(error, args))
    );
  } catch (err) {
    reportInternalError("then() of a returned thenable", err);
    resolved.series.succeed(elapsed(start));
  }
  return result;
}
function settleStream(plan, resolved, start, result, args) {
  return instrumentStream(result, resolved.series, start, (error) => plan.errorType(error, args));
}
function settlePromisedStream(plan, resolved, start, result, args) {
  try {
    return chainStream(plan, resolved, start, result, args);
  } catch (err) {
    reportInternalError("then() of a returned thenable", err);
    resolved.series.succeed(elapsed(start));
    return result;
  }
}
function chainStream(plan, resolved, start, result, args) {
  return result.then(
    (value) => isAsyncIterable(value) ? instrumentStream(value, resolved.series, start, (error) => plan.errorType(error, args)) : settleSync(plan, resolved, start, value),
    (error) => {
      resolved.series.fail(elapsed(start), plan.errorType(error, args));
      throw error;
    }
  );
}
function settleSyncOrPromise(plan, resolved, start, result, args) {
  return isThenable(result) ? settlePromise(plan, resolved, start, result, args) : settleSync(plan, resolved, start, result);
}
function settleAny(plan, resolved, start, result, args) {
  if (isThenable(result)) return settlePromise(plan, resolved, start, result, args);
  if (isAsyncIterable(result)) return settleStream(plan, resolved, start, result, args);
  return settleSync(plan, resolved, start, result);
}
function settleAnyOrPromisedStream(plan, resolved, start, result, args) {
  if (isThenable(result)) return settlePromisedStream(plan, resolved, start, result, args);
  return settleAny(plan, resolved, start, result, args);
}
function isThenable(value) {
  if (value === null || typeof value !== "object" && typeof value !== "function") return false;
  try {
    return typeof value.then === "function";
  } catch {
    return false;
  }
}
function defaultRecorder() {
  return recorder;
}

// src/decorator.ts
function Instrument(options) {
  const plan = compilePlan(options, defaultRecorder(), "@Instrument(options)");
  function decorate(...args) {
    const [first, second, third] = args;
    if (args.length === 2 && isStandardContext(second)) {
      if (second.kind !== "method") {
        throw new TypeError(`@Instrument(options) decorates methods; it was applied to a ${second.kind} ("${String(second.name)}")`);
      }
      return wrapFunction(first, plan);
    }
    const descriptor = third;
    if (descriptor === void 0 || typeof descriptor.value !== "function") {
      throw new TypeError(`@Instrument(options) decorates methods; "${String(second)}" is not a method`);
    }
    descriptor.value = wrapFunction(descriptor.value, plan);
    return descriptor;
  }
  return decorate;
}
function isStandardContext(value) {
  return value !== null && typeof value === "object" && typeof value.kind === "string";
}

// src/recorder/native/collector.ts
var statusAttributes = /* @__PURE__ */ new WeakMap();
var boundaryArrays = /* @__PURE__ */ new WeakMap();
var NativeCollector = class {
  constructor(_recorder, temporality) {
    this._recorder = _recorder;
    this.temporality = temporality;
    _recorder.attach();
  }
  _recorder;
  temporality;
  _previous = /* @__PURE__ */ new WeakMap();
  _droppedPrevious = /* @__PURE__ */ new Map();
  _rejectionsPrevious = /* @__PURE__ */ new WeakMap();
  /** End of the previous collection: a delta point's start. */
  _lastEnd;
  _detached = false;
  /** Stops reading; with no collector left, recording goes back to the OpenTelemetry API. */
  detach() {
    if (this._detached) return;
    this._detached = true;
    this._recorder.detach();
  }
  collect(endTime) {
    const steps = this.collectInSteps(endTime, Number.POSITIVE_INFINITY);
    for (; ; ) {
      const step = steps.next();
      if (step.done === true) return step.value;
    }
  }
  /**
   * The same collection, pausing (yielding) after every `seriesPerStep`
   * series so the caller can give the event loop back between steps; the
   * generator's return value is the result. Every series is read whole in
   * one step, so its points always agree with each other.
   */
  *collectInSteps(endTime, seriesPerStep) {
    const delta = this.temporality === "delta";
    const t = this.temporality;
    const predictions = [];
    const errors = [];
    const latency = [];
    const confidence = [];
    const batch = [];
    const firstItem = [];
    const streamItems = [];
    const inFlight = [];
    let inStep = 0;
    for (const series of this._recorder.series_) {
      if (++inStep >= seriesPerStep) {
        inStep = 0;
        yield;
      }
      if (series.successes === 0 && series.errors === 0 && series.inFlight === 0) continue;
      const attrs = attributesOf(series);
      let previous;
      let start = this._recorder.startTime;
      if (delta) {
        previous = this._previous.get(series);
        if (previous === void 0) {
          previous = { successes: 0, errors: 0, errorTypes: /* @__PURE__ */ new Map(), histograms: /* @__PURE__ */ new Map(), endTime: this._recorder.startTime };
          this._previous.set(series, previous);
        }
        start = previous.endTime;
      }
      pushCount(predictions, start, endTime, attrs.success, series.successes - (previous?.successes ?? 0));
      pushCount(predictions, start, endTime, attrs.error, series.errors - (previous?.errors ?? 0));
      const extras = series.extras;
      if (extras?.errorTypes !== void 0) for (const [type, count] of extras.errorTypes) {
        let typeAttrs = attrs.types.get(type);
        if (typeAttrs === void 0) {
          typeAttrs = { ...series.attributes, [ATTR_ERROR_TYPE]: type };
          attrs.types.set(type, typeAttrs);
        }
        pushCount(errors, start, endTime, typeAttrs, count - (previous?.errorTypes.get(type) ?? 0));
        if (previous) previous.errorTypes.set(type, count);
      }
      pushHistogram(latency, start, endTime, series.attributes, series.latency, previous);
      if (extras !== void 0) {
        if (extras.confidence) pushHistogram(confidence, start, endTime, series.attributes, extras.confidence, previous);
        if (extras.batchSize) pushHistogram(batch, start, endTime, series.attributes, extras.batchSize, previous);
        if (extras.timeToFirstItem) pushHistogram(firstItem, start, endTime, series.attributes, extras.timeToFirstItem, previous);
        if (extras.streamItems) pushHistogram(streamItems, start, endTime, series.attributes, extras.streamItems, previous);
      }
      inFlight.push({ startTime: this._recorder.startTime, endTime, attributes: series.attributes, value: series.inFlight });
      if (previous) {
        previous.successes = series.successes;
        previous.errors = series.errors;
        previous.endTime = endTime;
      }
    }
    const info = [];
    for (const attributes of this._recorder.versions.values()) info.push({ startTime: endTime, endTime, attributes, value: 1 });
    const active = [];
    for (const model of this._recorder.models.values()) {
      if (model.activeVersion !== void 0) active.push({ startTime: endTime, endTime, attributes: model.attributes, value: model.activeVersion });
    }
    const intervalStart = delta ? this._lastEnd ?? this._recorder.startTime : void 0;
    const dropped = [];
    for (const [id, entry] of this._recorder.dropped_) {
      const before = delta ? this._droppedPrevious.get(id) ?? 0 : 0;
      pushCount(dropped, intervalStart ?? entry.startTime, endTime, entry.attributes, entry.count - before);
      if (delta) this._droppedPrevious.set(id, entry.count);
    }
    const rejections2 = [];
    for (const entry of rejectionCounts()) {
      const before = delta ? this._rejectionsPrevious.get(entry) ?? 0 : 0;
      pushCount(rejections2, intervalStart ?? this._recorder.startTime, endTime, entry.attributes, entry.count - before);
      if (delta) this._rejectionsPrevious.set(entry, entry.count);
    }
    const seriesCounts2 = [];
    for (const [metric, count] of seriesPerMetric()) {
      seriesCounts2.push({ startTime: endTime, endTime, attributes: seriesAttributes(metric), value: count });
    }
    this._lastEnd = endTime;
    const out = [];
    const add = (definition, points, temporality = t) => {
      if (points.length > 0) out.push({ definition, temporality, points });
    };
    add(METRIC_PREDICTIONS, predictions);
    add(METRIC_PREDICTION_ERRORS, errors);
    add(METRIC_PREDICTION_LATENCY, latency);
    add(METRIC_PREDICTION_CONFIDENCE, confidence);
    add(METRIC_PREDICTION_BATCH_SIZE, batch);
    add(METRIC_PREDICTIONS_IN_FLIGHT, inFlight, "cumulative");
    add(METRIC_TIME_TO_FIRST_ITEM, firstItem);
    add(METRIC_STREAM_ITEMS, streamItems);
    add(METRIC_MODEL_INFO, info, "cumulative");
    add(METRIC_ACTIVE_MODEL_VERSION, active, "cumulative");
    add(METRIC_DROPPED_OBSERVATIONS, dropped);
    add(METRIC_ATTRIBUTE_REJECTIONS, rejections2);
    add(METRIC_SERIES, seriesCounts2, "cumulative");
    return out;
  }
};
var seriesAttributeCache = /* @__PURE__ */ new Map();
function seriesAttributes(metric) {
  let attributes = seriesAttributeCache.get(metric);
  if (attributes === void 0) seriesAttributeCache.set(metric, attributes = { [ATTR_METRIC]: metric });
  return attributes;
}
function attributesOf(series) {
  let attrs = statusAttributes.get(series);
  if (attrs === void 0) {
    attrs = {
      success: { ...series.attributes, [ATTR_STATUS]: STATUS_SUCCESS },
      error: { ...series.attributes, [ATTR_STATUS]: STATUS_ERROR },
      types: /* @__PURE__ */ new Map()
    };
    statusAttributes.set(series, attrs);
  }
  return attrs;
}
function pushCount(points, start, end, attributes, value) {
  if (value > 0) points.push({ startTime: start, endTime: end, attributes, value });
}
function pushHistogram(points, start, end, attributes, histogram2, previous) {
  if (histogram2.count === 0) return;
  const n = histogram2.buckets;
  const counts = new Array(n);
  let value;
  if (previous === void 0) {
    for (let i = 0; i < n; i++) counts[i] = histogram2.bucket(i);
    value = { buckets: { boundaries: boundariesArray(histogram2.boundaries), counts }, sum: histogram2.sum, count: histogram2.count, min: histogram2.min, max: histogram2.max };
  } else {
    let last = previous.histograms.get(histogram2);
    if (last === void 0) {
      last = { counts: new Array(n).fill(0), sum: 0, count: 0 };
      previous.histograms.set(histogram2, last);
    }
    const count = histogram2.count - last.count;
    if (count === 0) return;
    for (let i = 0; i < n; i++) counts[i] = histogram2.bucket(i) - last.counts[i];
    value = { buckets: { boundaries: boundariesArray(histogram2.boundaries), counts }, sum: histogram2.sum - last.sum, count };
    for (let i = 0; i < n; i++) last.counts[i] = histogram2.bucket(i);
    last.sum = histogram2.sum;
    last.count = histogram2.count;
  }
  points.push({ startTime: start, endTime: end, attributes, value });
}
function boundariesArray(boundaries) {
  let array = boundaryArrays.get(boundaries);
  if (array === void 0) {
    array = Array.from(boundaries);
    boundaryArrays.set(boundaries, array);
  }
  return array;
}

// src/collector.ts
function attachCollector(options = {}) {
  const temporality = options.temporality ?? "cumulative";
  if (temporality !== "cumulative" && temporality !== "delta") {
    throw new TypeError(`attachCollector(options): option "temporality" must be 'cumulative' or 'delta'; got ${String(temporality)}`);
  }
  return new NativeCollector(defaultRecorder(), temporality);
}

// src/guard/attribute-guard.ts
function createAttributeGuard(options) {
  const where = "createAttributeGuard(options)";
  if (options === null || typeof options !== "object" || typeof options.metric !== "string" || options.metric === "") {
    throw new TypeError(`${where}: option "metric" must be the metric's name, e.g. { metric: 'http_server_requests_total', allow: ['http_route'] }`);
  }
  if (!Array.isArray(options.allow) || !options.allow.every((k) => typeof k === "string")) {
    throw new TypeError(`${where}: option "allow" must be an array of attribute names, e.g. ['http_route', 'http_method']`);
  }
  const metric = options.metric;
  checkDeclaredKeys(options.allow, metric, where, options.allowUnboundedKeys ?? []);
  const guards2 = new Map(options.allow.map((key) => [key, new ValueGuard(metric, key)]));
  const seen = /* @__PURE__ */ new Set();
  return {
    process(incoming) {
      const out = {};
      for (const key in incoming) {
        const guard = guards2.get(key);
        if (guard === void 0) {
          reject(metric, key, REJECTION_REASONS.undeclared);
          continue;
        }
        const value = guard.admit(incoming[key]);
        if (value !== void 0) out[key] = value;
      }
      const id = labelSetId(out);
      if (seen.has(id)) return out;
      if (seen.size < guardConfig().maxSeriesPerMetric - 1 && admitSeries(metric)) {
        seen.add(id);
        return out;
      }
      reject(metric, Object.keys(out).join("+"), REJECTION_REASONS.seriesOverflow);
      noteOverflowSeries(metric);
      for (const key in out) out[key] = OVERFLOW_VALUE;
      return out;
    }
  };
}
function labelSetId(attributes) {
  let id = "";
  for (const key of Object.keys(attributes).sort()) id += `${key}\0${String(attributes[key])}`;
  return id;
}

// src/guard/relabel.ts
function prometheusRelabelConfigs(options = {}) {
  const { regex, kept } = unboundedLabelRegex(options.declaredKeys);
  const lines = ["metric_relabel_configs:"];
  lines.push("  # Drop labels that are unbounded by nature (ids, emails, addresses, URLs, timestamps, free text).");
  if (kept.length > 0) lines.push(`  # Not dropped, declared on purpose: ${kept.join("; ")}.`);
  lines.push("  - action: labeldrop", `    regex: '${escapeYaml(regex)}'`);
  if (options.onlyCatalog === true) {
    const names = CATALOG.flatMap(
      (metric) => metric.kind === "histogram" ? [`${metric.prometheusName}_bucket`, `${metric.prometheusName}_sum`, `${metric.prometheusName}_count`] : [metric.prometheusName]
    );
    lines.push(
      "  # Keep only the Inferometer catalog (and target_info) from this job.",
      "  - source_labels: [__name__]",
      "    action: keep",
      `    regex: '${[...names, "target_info"].join("|")}'`
    );
  }
  return `${lines.join("\n")}
`;
}
function unboundedLabelRegex(declaredKeys = []) {
  const kept = [];
  const sources = [];
  for (const pattern of guardConfig().unboundedKeyPatterns) {
    const opted = declaredKeys.filter((key) => pattern.test(key));
    if (opted.length > 0) {
      kept.push(`${opted.join(", ")} (${String(pattern)})`);
      continue;
    }
    const body = pattern.source.replace(/^\^/, "").replace(/\$$/, "");
    sources.push(pattern.flags.includes("i") ? `(?i:${body})` : body);
  }
  return { regex: sources.join("|"), kept };
}
function escapeYaml(text) {
  return text.replace(/'/g, "''");
}

export { ATTR_ATTRIBUTE, ATTR_ERROR_TYPE, ATTR_EXECUTION_PROVIDER, ATTR_FEATURE, ATTR_METHOD, ATTR_METRIC, ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_PREDICTION, ATTR_REASON, ATTR_STATUS, CATALOG, DEFAULT_BATCH_SIZE_BUCKETS, DEFAULT_CONFIDENCE_BUCKETS, DEFAULT_LATENCY_BUCKETS, DEFAULT_STREAM_ITEMS_BUCKETS, DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS, DEFAULT_UNBOUNDED_KEY_PATTERNS, DRIFT_DROP_REASONS, DROP_REASONS, ERROR_TYPE_OTHER, GUARD_DEFAULTS, IDENTIFIER_MARKER, INSTRUMENTATION_SCOPE, Instrument, MAX_ERROR_TYPES_PER_SERIES, METRIC_ACTIVE_MODEL_VERSION, METRIC_ATTRIBUTE_REJECTIONS, METRIC_DATA_DRIFT_SCORE, METRIC_DRIFT_DROPPED, METRIC_DROPPED_OBSERVATIONS, METRIC_MODEL_INFO, METRIC_MODEL_LOAD, METRIC_PREDICTIONS, METRIC_PREDICTIONS_IN_FLIGHT, METRIC_PREDICTION_BATCH_SIZE, METRIC_PREDICTION_CONFIDENCE, METRIC_PREDICTION_DRIFT_SCORE, METRIC_PREDICTION_ERRORS, METRIC_PREDICTION_LATENCY, METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_REMOTE_WRITE_RETRIED, METRIC_REMOTE_WRITE_SENT, METRIC_SERIES, METRIC_STREAM_ITEMS, METRIC_TIME_TO_FIRST_ITEM, OVERFLOW_VALUE, PREDICTION_CLASS, PREDICTION_CONFIDENCE, REJECTION_REASONS, STATUS_ERROR, STATUS_SUCCESS, TOO_LONG_MARKER, UNKNOWN_VERSION, attachCollector, configureGuards, createAttributeGuard, encodeVersion, instrument, looksLikeIdentifier, prometheusRelabelConfigs, unboundedLabelRegex };
//# sourceMappingURL=index.js.map
//# sourceMappingURL=index.js.map