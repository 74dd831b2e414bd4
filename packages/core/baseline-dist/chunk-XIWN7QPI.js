// src/naming.ts
var INVALID_CHARACTERS = /[^a-zA-Z0-9_]/g;
var MULTIPLE_UNDERSCORES = /_{2,}/g;
function sanitize(name) {
  return name.replace(INVALID_CHARACTERS, "_").replace(MULTIPLE_UNDERSCORES, "_");
}
function noLeadingDigit(name) {
  const first = name.charCodeAt(0);
  return first >= 48 && first <= 57 ? `_${name}` : name;
}
function prometheusMetricName(name, monotonicSum) {
  let out = sanitize(name);
  if (out === "" || out === "_") return void 0;
  out = noLeadingDigit(out);
  if (monotonicSum && !out.endsWith("_total")) out += "_total";
  return out;
}
function prometheusLabelName(key) {
  return noLeadingDigit(sanitize(key));
}
function prometheusLabelValue(value) {
  if (typeof value === "string") return value;
  if (value === void 0 || value === null) return "";
  return JSON.stringify(value);
}
function prometheusBucketBound(bound) {
  return bound === void 0 || bound === Infinity ? "+Inf" : String(bound);
}

export { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName };
//# sourceMappingURL=chunk-XIWN7QPI.js.map
//# sourceMappingURL=chunk-XIWN7QPI.js.map