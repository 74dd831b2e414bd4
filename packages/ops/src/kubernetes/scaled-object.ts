/**
 * A KEDA `ScaledObject` (keda.sh/v1alpha1) that scales the model server's
 * Deployment on in-flight predictions, read from Prometheus by KEDA's
 * Prometheus scaler. In-flight work follows load the moment it arrives,
 * where CPU lags behind and request rate ignores how long predictions take.
 * Scaler: https://keda.sh/docs/latest/scalers/prometheus/
 */
import { ATTR_MODEL_NAME, METRIC_PREDICTIONS_IN_FLIGHT } from '@inferometer/core/catalog';
import { checkNumber, checkUrl, DEFAULT_JOB, OpsConfigError } from '../options.js';
import { quote } from '../promql/selectors.js';
import { checkObjectName, objectMeta, OPTION_NAMES, type KubernetesObjectOptions, type ObjectMeta, type OptionNames } from './common.js';

/** API version of the ScaledObject. */
export const KEDA_API_VERSION = 'keda.sh/v1alpha1';
/** Default `minReplicaCount`. */
export const DEFAULT_MIN_REPLICAS = 1;
/** Default `maxReplicaCount`. */
export const DEFAULT_MAX_REPLICAS = 10;

/** Options of {@link scaledObject}. */
export interface ScaledObjectOptions extends KubernetesObjectOptions {
  /**
   * Name of the Deployment to scale (required). Also the default object name.
   * @example 'iris-server'
   */
  readonly deployment: string;
  /**
   * URL of the Prometheus that scrapes the model servers (required). With
   * prometheus-operator: `http://prometheus-operated.<namespace>.svc:9090`.
   * @example 'http://prometheus-operated.monitoring.svc:9090'
   */
  readonly serverAddress: string;
  /**
   * In-flight predictions one replica should carry (required): KEDA asks for
   * `ceil(sum of in-flight / threshold)` replicas. Depends on the model;
   * measure it.
   * @example 8
   */
  readonly threshold: number;
  /**
   * `minReplicaCount`, at least 1: with no replica nothing is in flight, so
   * an in-flight trigger could never wake the Deployment from zero. Default 1.
   * @example 2
   */
  readonly minReplicas?: number;
  /**
   * `maxReplicaCount`. Default 10.
   * @example 20
   */
  readonly maxReplicas?: number;
  /**
   * `job` label of the model servers' series (what the ServiceMonitor or
   * PodMonitor sets). Default `inferometer`.
   * @example 'iris'
   */
  readonly job?: string;
  /**
   * Count only this model's predictions (`model_name`), for a server that
   * hosts several. Default: all of them.
   * @example 'iris'
   */
  readonly modelName?: string;
}

/** A generated ScaledObject. */
export interface ScaledObject {
  readonly apiVersion: typeof KEDA_API_VERSION;
  readonly kind: 'ScaledObject';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly scaleTargetRef: { readonly apiVersion: 'apps/v1'; readonly kind: 'Deployment'; readonly name: string };
    readonly minReplicaCount: number;
    readonly maxReplicaCount: number;
    readonly triggers: readonly {
      readonly type: 'prometheus';
      readonly metadata: { readonly serverAddress: string; readonly query: string; readonly threshold: string };
    }[];
  };
}

function replicas(option: string, value: number | undefined, fallback: number): number {
  const count = value ?? fallback;
  if (!Number.isInteger(count) || count < 1 || count > 2_147_483_647) {
    throw new OpsConfigError(option, `${option}=${JSON.stringify(value)}: expected a whole number of replicas from 1 to 2147483647, e.g. ${fallback}`, ['a whole number of replicas from 1 to 2147483647']);
  }
  return count;
}

/**
 * The PromQL KEDA evaluates: the in-flight predictions of the Deployment's
 * job (and namespace, when given), summed over its replicas.
 */
export function inFlightQuery(options: Pick<ScaledObjectOptions, 'job' | 'namespace' | 'modelName'>): string {
  const matchers = [`job=${quote(options.job ?? DEFAULT_JOB)}`];
  if (options.namespace !== undefined) matchers.push(`namespace=${quote(options.namespace)}`);
  if (options.modelName !== undefined) matchers.push(`${ATTR_MODEL_NAME}=${quote(options.modelName)}`);
  return `sum(${METRIC_PREDICTIONS_IN_FLIGHT.prometheusName}{${matchers.join(', ')}})`;
}

/**
 * A ScaledObject for `deployment` with one Prometheus trigger on in-flight
 * predictions.
 *
 * @example
 * ```ts
 * const scaler = scaledObject({ deployment: 'iris-server', namespace: 'models', serverAddress: 'http://prometheus-operated.monitoring.svc:9090', threshold: 8 });
 * ```
 */
export function scaledObject(options: ScaledObjectOptions): ScaledObject {
  return buildScaledObject(options);
}

/** {@link scaledObject}, errors naming each option by `names(option)` (the CLI passes its flag names). */
export function buildScaledObject(options: ScaledObjectOptions, names: OptionNames = OPTION_NAMES): ScaledObject {
  const deployment = checkObjectName(names('deployment'), options.deployment);
  const metadata = objectMeta(options, deployment, names);
  const serverAddress = checkUrl(names('serverAddress'), options.serverAddress);
  const threshold = checkNumber(names('threshold'), options.threshold, 0, Number.POSITIVE_INFINITY, '8');
  const minReplicaCount = replicas(names('minReplicas'), options.minReplicas, DEFAULT_MIN_REPLICAS);
  const maxReplicaCount = replicas(names('maxReplicas'), options.maxReplicas, DEFAULT_MAX_REPLICAS);
  // The CRD's own CEL rule (x-kubernetes-validations): minReplicaCount <= maxReplicaCount.
  if (minReplicaCount > maxReplicaCount) {
    throw new OpsConfigError(names('minReplicas'), `${names('minReplicas')}=${minReplicaCount} is above ${names('maxReplicas')}=${maxReplicaCount}; expected ${names('minReplicas')} <= ${names('maxReplicas')}`, [`at most ${names('maxReplicas')}`], { related: [names('maxReplicas')], code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS' });
  }
  if (options.job === '') throw new OpsConfigError(names('job'), `${names('job')}="": expected the job label of the model servers' series, e.g. inferometer`, ['the job label of the model servers\' series']);
  if (options.modelName === '') throw new OpsConfigError(names('modelName'), `${names('modelName')}="": expected a model name, e.g. iris, or leave it out to count every model`, ['a model name', 'left out (every model)']);
  return {
    apiVersion: KEDA_API_VERSION,
    kind: 'ScaledObject',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
      minReplicaCount,
      maxReplicaCount,
      // Trigger metadata values are strings in the CRD (map of string).
      triggers: [{ type: 'prometheus', metadata: { serverAddress, query: inFlightQuery(options), threshold: String(threshold) } }],
    },
  };
}
