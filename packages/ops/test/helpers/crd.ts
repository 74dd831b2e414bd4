import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';

/**
 * Validates objects against the OpenAPI v3 schema of a vendored
 * CustomResourceDefinition (test/fixtures/crds, see SOURCE.md there), the
 * way the API server would on `kubectl apply`:
 * - the `openAPIV3Schema` of the version named by `apiVersion`, with `kind`
 *   and `metadata.name` checked as apimachinery does;
 * - unknown fields rejected: the API server prunes them from structural
 *   schemas and `kubectl apply` (field validation Strict by default since
 *   Kubernetes 1.27) refuses them, so an object objects with `properties`
 *   and no `additionalProperties` or `x-kubernetes-preserve-unknown-fields`
 *   get `additionalProperties: false`;
 * - `x-kubernetes-*` keywords are known to ajv as annotations; CEL rules
 *   (`x-kubernetes-validations`) cannot run here, so they are collected and
 *   returned, for the tests to check the ones that apply by hand.
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
export const CRD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'crds');

interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: Record<string, unknown> };
}
interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

export interface CrdValidator {
  readonly kind: string;
  readonly apiVersions: string[];
  /** CEL rules of the schema, which ajv does not evaluate. */
  readonly celRules: string[];
  /** Problems with `object`, empty when the API server would accept it. */
  validate(object: unknown): string[];
}

const K8S_KEYWORDS = [
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
];
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function closeObjects(schema: unknown, celRules: string[]): unknown {
  if (Array.isArray(schema)) return schema.map((s) => closeObjects(s, celRules));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps field names to schemas: recurse into each schema, not into the map as if it were one.
    if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, closeObjects(v, celRules)]));
    else out[key] = closeObjects(value, celRules);
  }
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s['x-kubernetes-validations'])) for (const v of s['x-kubernetes-validations'] as { rule: string }[]) celRules.push(v.rule);
  if (s.properties !== undefined && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

/**
 * Kubernetes evaluates `pattern` with Go's RE2, which spells flags inline
 * (`^(?i)(abort|warn)?$` in the PrometheusRule CRD); JavaScript's RegExp
 * takes them as flags. Only a leading `(?i)` occurs in the vendored CRDs.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  const inline = /^(\^?)\(\?i\)/.exec(pattern);
  return inline === null ? new RegExp(pattern, flags) : new RegExp(inline[1] + pattern.slice(inline[0].length), `${flags}i`);
}
goRegExp.code = 'goRegExp';

const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp } });
for (const keyword of K8S_KEYWORDS) ajv.addKeyword(keyword);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));

function describeError(error: ErrorObject): string {
  return `${error.instancePath || '/'} ${error.message ?? error.keyword}${error.keyword === 'additionalProperties' ? `: ${String((error.params as { additionalProperty: string }).additionalProperty)}` : ''}`;
}

/** A validator for the CRD in `test/fixtures/crds/<file>`. */
export function crdValidator(file: string): CrdValidator {
  const crd = parse(readFileSync(join(CRD_DIR, file), 'utf8')) as Crd;
  const { group, names, versions } = crd.spec;
  const celRules: string[] = [];
  const byApiVersion = new Map(
    versions.filter((v) => v.served).map((v) => [`${group}/${v.name}`, ajv.compile(closeObjects(v.schema.openAPIV3Schema, celRules) as object)] as const),
  );
  return {
    kind: names.kind,
    apiVersions: [...byApiVersion.keys()],
    celRules,
    validate(object: unknown): string[] {
      const o = object as { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown> };
      const problems: string[] = [];
      const validate = byApiVersion.get(String(o.apiVersion) as `${string}/${string}`);
      if (validate === undefined) problems.push(`apiVersion ${String(o.apiVersion)} is not served by this CRD (${[...byApiVersion.keys()].join(', ')})`);
      if (o.kind !== names.kind) problems.push(`kind ${String(o.kind)} is not ${names.kind}`);
      const meta = o.metadata ?? {};
      if (typeof meta.name !== 'string' || meta.name.length > 253 || !DNS1123_SUBDOMAIN.test(meta.name)) problems.push(`metadata.name ${JSON.stringify(meta.name)} is not a DNS-1123 subdomain`);
      if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || !DNS1123_LABEL.test(meta.namespace))) problems.push(`metadata.namespace ${JSON.stringify(meta.namespace)} is not a DNS-1123 label`);
      for (const key of Object.keys(meta)) if (!['name', 'namespace', 'labels', 'annotations'].includes(key)) problems.push(`metadata.${key} is not set by a generator`);
      for (const map of ['labels', 'annotations'] as const) {
        for (const [k, v] of Object.entries((meta[map] ?? {}) as Record<string, unknown>)) if (typeof v !== 'string') problems.push(`metadata.${map}.${k} is not a string`);
      }
      if (validate !== undefined && !validate(object)) problems.push(...(validate.errors ?? []).map(describeError));
      return problems;
    },
  };
}
