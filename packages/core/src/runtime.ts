import { diag } from '@opentelemetry/api';
import { OnceReporter } from './diagnostics.js';
import { GuardRegistry } from './guard/registry.js';
import { HistogramSlab } from './recorder/native/histogram.js';
import { SeriesRecorder } from './recorder/native/recorder.js';
import { SharedDirectory } from './recorder/native/shared.js';
import { ThreadParts } from './thread-parts.js';
import { VERSION } from './version.js';

/**
 * The one owner of @inferometer's process-wide state: the recorder and its
 * series, the cardinality guard (limits, declared keys, rejection and series
 * counts, per-model value guards), the report-once memory of `diag`, the
 * histogram slabs and the sibling packages' registries ({@link Runtime.shared}).
 *
 * Why one object on `globalThis` rather than module-level variables: tsup
 * builds each CJS entry without code splitting, so `dist/index.cjs` and
 * `dist/internal.cjs` each hold their own copy of every module, and a process
 * that loads the package through both `import` and `require` holds two more.
 * Module-level state would be duplicated per copy and counts split between
 * them; state on the one runtime object is shared by every copy. This is the
 * way @opentelemetry/api keeps its globals (open-telemetry/opentelemetry-js,
 * api/src/internal/global-utils.ts: registerGlobal/getGlobal under
 * `Symbol.for('opentelemetry.js.api.<major>')`, with a version check).
 *
 * @internal
 */
export class Runtime {
  /** Version of the package that created this runtime; copies check it before sharing. */
  readonly version: string = VERSION;
  /** Report-once memory for `diag`, shared with the sibling packages. */
  readonly diag: OnceReporter;
  readonly guard: GuardRegistry;
  readonly slab: HistogramSlab;
  readonly recorder: SeriesRecorder;
  /**
   * In a worker thread: where its series' numbers are, for the main thread,
   * which reads them from the thread's shared slabs (recorder/native/shared.ts).
   * Undefined in a main thread.
   */
  readonly directory: SharedDirectory | undefined;
  /** State of sibling packages combined across threads before it becomes points (thread-parts.ts). */
  readonly threadParts = new ThreadParts();
  private readonly _shared = new Map<string, unknown>();

  /** `shareMemory`: keep the numbers in SharedArrayBuffers with a directory (default: in a worker thread). */
  constructor(shareMemory: boolean = inWorkerThread()) {
    this.diag = new OnceReporter();
    this.guard = new GuardRegistry(this.diag);
    this.slab = new HistogramSlab(shareMemory);
    this.directory = shareMemory ? new SharedDirectory() : undefined;
    this.recorder = new SeriesRecorder(this);
  }

  /**
   * A sibling package's process-wide object (drift's registry, onnxruntime's
   * load times), created once per runtime whichever copy of the package asks
   * first. `name` is namespaced by the package, e.g. `@inferometer/drift:registry`.
   */
  shared<T>(name: string, create: () => T): T {
    let value = this._shared.get(name) as T | undefined;
    if (value === undefined) this._shared.set(name, (value = create()));
    return value;
  }
}

/** The major version of the runtime's shape: copies with another major never share one. */
const MAJOR = VERSION.split('.')[0]!;
/** Where the default runtime lives. @internal */
export const RUNTIME_KEY: unique symbol = Symbol.for(`inferometer.core.runtime.v${MAJOR}`) as never;

type GlobalSlot = { [RUNTIME_KEY]?: Runtime };

let cached: Runtime | undefined;

/**
 * The process's default runtime: the one on `globalThis` when a compatible
 * copy registered it, else a new one registered there. A copy that finds an
 * incompatible runtime (see {@link isCompatible}) keeps a private one and
 * says so once, as @opentelemetry/api does, rather than reading state whose
 * shape it does not know.
 *
 * @internal
 */
export function runtime(): Runtime {
  if (cached !== undefined) return cached;
  const slot = globalThis as GlobalSlot;
  const found = slot[RUNTIME_KEY];
  if (found === undefined) {
    cached = new Runtime();
    Object.defineProperty(globalThis, RUNTIME_KEY, { value: cached, configurable: true, enumerable: false, writable: false });
  } else if (isCompatible(found.version)) {
    cached = found;
  } else {
    cached = new Runtime();
    diag.error(
      `@inferometer/core ${VERSION}: another copy (${String(found.version)}) registered the process runtime and cannot share it; this copy records on its own. Deduplicate @inferometer/core (npm ls @inferometer/core).`,
    );
  }
  return cached;
}

/**
 * A fresh runtime with nothing registered: tests and embedders that want
 * their own recorder, guard and series without touching the process's.
 *
 * @internal
 */
export function createRuntime(options: { shareMemory?: boolean } = {}): Runtime {
  return new Runtime(options.shareMemory ?? inWorkerThread());
}

/**
 * Whether this code runs in a Node.js worker thread. Read through
 * `process.getBuiltinModule` (Node 22.3+), so the package imports no Node
 * module and stays loadable where there is none (then: not a thread).
 */
function inWorkerThread(): boolean {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function' || typeof SharedArrayBuffer !== 'function') return false;
  const threads = get('node:worker_threads') as { isMainThread?: boolean } | undefined;
  return threads?.isMainThread === false;
}

/**
 * Whether this copy may use a runtime created by `theirs`, after
 * @opentelemetry/api's isCompatible (api/src/internal/semver.ts): same major,
 * and the global's minor at least ours (it has every field we read); before
 * 1.0 every minor may change the shape, so the minor must match.
 *
 * @internal
 */
export function isCompatible(theirs: string, ours: string = VERSION): boolean {
  const a = /^(\d+)\.(\d+)\.(\d+)/.exec(theirs);
  const b = /^(\d+)\.(\d+)\.(\d+)/.exec(ours);
  if (a === null || b === null || a[1] !== b[1]) return false;
  if (b[1] === '0') return a[2] === b[2];
  return Number(a[2]) >= Number(b[2]);
}
