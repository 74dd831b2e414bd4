import type { MlflowModelVersion } from '../registry/model-version.js';

/**
 * Options of {@link mlflowModel} and {@link bindMlflowModel}. Every option
 * that MLflow also reads from the environment wins over its variable; a
 * wrong value (here or in the variable) throws an `InferometerConfigError`
 * naming the option or the variable and what it accepts, at start, never
 * later.
 */
export interface MlflowModelOptions {
  /**
   * The MLflow tracking server (which serves the Model Registry's REST API),
   * as an `http://` or `https://` URL, with a path prefix if a proxy puts
   * one in front. Defaults to `MLFLOW_REGISTRY_URI`, then
   * `MLFLOW_TRACKING_URI`, as in MLflow's own clients. There is no default
   * server: MLflow's default (a local `./mlruns` store) has no REST API.
   *
   * @example
   * ```ts
   * trackingUri: 'https://mlflow.internal:5000'
   * ```
   */
  trackingUri?: string;

  /**
   * A token sent as `Authorization: Bearer <token>`. Defaults to
   * `MLFLOW_TRACKING_TOKEN`. Giving any of `token`, `username`, `password`
   * here ignores the three variables.
   *
   * @example
   * ```ts
   * token: process.env.REGISTRY_TOKEN
   * ```
   */
  token?: string;

  /**
   * User name for HTTP basic authentication (MLflow's basic-auth app);
   * needs `password`. Defaults to `MLFLOW_TRACKING_USERNAME`. With both a
   * user name and password and a token, basic wins, as in MLflow's client
   * (mlflow/mlflow `mlflow/utils/rest_utils.py`, `http_request`).
   *
   * @example
   * ```ts
   * username: 'serving', password: process.env.MLFLOW_PASSWORD
   * ```
   */
  username?: string;

  /**
   * Password for HTTP basic authentication; needs `username`. Defaults to
   * `MLFLOW_TRACKING_PASSWORD`.
   *
   * @example
   * ```ts
   * username: 'serving', password: process.env.MLFLOW_PASSWORD
   * ```
   */
  password?: string;

  /**
   * Skip TLS certificate and host name verification (test servers only).
   * Defaults to `MLFLOW_TRACKING_INSECURE_TLS` (`true`, `false`, `1`, `0`,
   * any case, as MLflow reads it). Cannot be combined with a CA bundle
   * (`MLFLOW_TRACKING_SERVER_CERT_PATH` or `caCertificate`).
   *
   * @example
   * ```ts
   * insecureTls: true
   * ```
   */
  insecureTls?: boolean;

  /**
   * PEM text of the CA certificate(s) the server's certificate must chain
   * to, for a registry behind a private CA. Defaults to the file named by
   * `MLFLOW_TRACKING_SERVER_CERT_PATH`, read once at start.
   *
   * @example
   * ```ts
   * caCertificate: readFileSync('/etc/ssl/internal-ca.pem', 'utf8')
   * ```
   */
  caCertificate?: string;

  /**
   * Seconds between two resolutions of the URI, so that an alias moved in
   * the registry becomes the bound version. Each process adds up to 10 %
   * of random delay so that a fleet does not ask at the same instant.
   * From 1 to 86400; default 60.
   *
   * @example
   * ```ts
   * refreshSeconds: 30
   * ```
   */
  refreshSeconds?: number;

  /**
   * Seconds one request to the registry may take, answer read whole, before
   * it counts as a `timeout`. From 0.1 to 60; default 5.
   *
   * @example
   * ```ts
   * timeoutSeconds: 2
   * ```
   */
  timeoutSeconds?: number;

  /**
   * Further attempts after a transient failure (no connection, timeout,
   * HTTP 408, 429, 500, 502, 503 or 504, the statuses MLflow's own client
   * retries), 0.5 s, then 1 s, 2 s ... apart. A refused token or a missing
   * alias is not retried. From 0 to 5; default 2.
   *
   * @example
   * ```ts
   * retries: 0
   * ```
   */
  retries?: number;

  /**
   * The version to label calls with when the first resolution fails. Unset
   * (the default), {@link mlflowModel} rejects with an `MlflowResolveError`
   * and the service does not start with an unknown model version. Set, it
   * resolves with this version bound and keeps asking the registry every
   * `refreshSeconds`. {@link bindMlflowModel} labels calls with it (else
   * `unknown`) until the first resolution succeeds.
   *
   * @example
   * ```ts
   * fallbackVersion: process.env.MODEL_VERSION ?? 'unknown'
   * ```
   */
  fallbackVersion?: string;

  /**
   * Runs when the registry points the alias at another version, before the
   * binding moves: load the new version's artifacts here (`next.source`).
   * Calls keep the old label until the returned promise resolves, so the
   * label never claims a version the process does not serve yet. If it
   * throws or rejects, the binding stays, the failure is counted
   * (`reason="on_change_error"`) and the next refresh tries again. Without
   * it, the binding moves as soon as the registry answers (for a process
   * that serves whatever the alias points to, such as a proxy to a serving
   * endpoint that follows the alias itself).
   *
   * @example
   * ```ts
   * onChange: async (next) => { session = await loadModel(next.source); }
   * ```
   */
  onChange?: (next: MlflowModelVersion, previous: MlflowModelVersion | undefined) => void | Promise<void>;

  /**
   * Where the environment variables are read from; `process.env` by
   * default. For tests and for services that keep configuration elsewhere.
   *
   * @example
   * ```ts
   * env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' }
   * ```
   */
  env?: Readonly<Record<string, string | undefined>>;
}
