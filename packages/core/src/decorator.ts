import { wrapFunction } from './instrument.js';
import { runtime, type Runtime } from './runtime.js';
import type { InstrumentOptions } from './options.js';
import { compilePlan } from './plan.js';
import { reportInternalError } from './diagnostics.js';
import { InferometerConfigError } from './errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any: the user's own function types must stay assignable (unknown would refuse their parameters)
type Method = (this: any, ...args: any[]) => any;

/** The legacy (`experimentalDecorators`, NestJS) method decorator signature. */
export type LegacyMethodDecorator = <T>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => TypedPropertyDescriptor<T> | void;

/** The TC39 standard (TypeScript 5+ default) method decorator signature. */
export type StandardMethodDecorator = <M extends Method>(
  value: M,
  context: ClassMethodDecoratorContext<ThisParameterType<M>, M>,
) => M;

/** What {@link Instrument} returns: usable under both decorator flavours. */
export type InstrumentDecorator = LegacyMethodDecorator & StandardMethodDecorator;

/**
 * Method decorator: instruments a predict method once, exactly as
 * {@link instrument} does for a plain function. One export serves both
 * TypeScript's standard (TC39) decorators and `experimentalDecorators`
 * (NestJS): the call's arguments tell which is in use.
 *
 * Options are checked when the class is defined; a bad option throws there,
 * naming it.
 *
 * @example
 * ```ts
 * import { Instrument } from '@inferometer/core';
 *
 * class IrisModel {
 *   version = '1.0.0';
 *
 *   @Instrument({
 *     model: 'iris',
 *     version: (self: IrisModel) => self.version,
 *     confidence: (probabilities: number[]) => probabilities,
 *   })
 *   async predict(features: number[]): Promise<number[]> {
 *     return this.session.run(features);
 *   }
 * }
 * ```
 */
export function Instrument(options: InstrumentOptions): InstrumentDecorator {
  return InstrumentIn(runtime(), options);
}

/** {@link Instrument} recording into a given runtime (tests build on a fresh `createRuntime()`). @internal */
export function InstrumentIn(owner: Runtime, options: InstrumentOptions): InstrumentDecorator {
  const plan = compilePlan(options, owner.recorder, '@Instrument(options)');
  function decorate(...args: unknown[]): unknown {
    const [first, second, third] = args;
    if (args.length === 2 && isStandardContext(second)) {
      if (second.kind !== 'method') {
        throw new InferometerConfigError('@Instrument', `@Instrument(options) decorates methods; it was applied to a ${second.kind} ("${String(second.name)}")`, ['a method']);
      }
      // context.metadata is left alone: it belongs to the class, not the method.
      return keepMetadata(first as Method, wrapFunction(first as Method, plan));
    }
    const descriptor = third as PropertyDescriptor | undefined;
    if (descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new InferometerConfigError('@Instrument', `@Instrument(options) decorates methods; "${String(second)}" is not a method`, ['a method']);
    }
    descriptor.value = keepMetadata(descriptor.value as Method, wrapFunction(descriptor.value as Method, plan));
    return descriptor;
  }
  return decorate as InstrumentDecorator;
}

/** The part of reflect-metadata's API that is read here, present only when the app loads it. */
interface ReflectMetadata {
  getOwnMetadataKeys(target: object): unknown[];
  getOwnMetadata(key: unknown, target: object): unknown;
  defineMetadata(key: unknown, value: unknown, target: object): void;
}

/**
 * Other decorators keep their metadata on the method, in either order.
 * Decorators below `@Instrument` (applied first: `@Instrument() @Post('b')`)
 * stored theirs on the original function, through reflect-metadata, which
 * keys metadata by object identity: it is copied onto the wrapper. The
 * wrapper also inherits from the original, so metadata defined on the
 * original later is still found by `Reflect.getMetadata` and
 * `Reflect.getMetadataKeys`, which walk the prototype chain
 * (https://github.com/rbuckton/reflect-metadata#api). Decorators above
 * (`@Post('b') @Instrument()`) define theirs on the wrapper itself. Core does
 * not depend on reflect-metadata: without it loaded, only the prototype link
 * is made.
 */
function keepMetadata<M extends Method>(original: M, wrapper: M): M {
  try {
    Object.setPrototypeOf(wrapper, original);
    const api = Reflect as unknown as Partial<ReflectMetadata>;
    if (typeof api.getOwnMetadataKeys === 'function' && typeof api.getOwnMetadata === 'function' && typeof api.defineMetadata === 'function') {
      for (const key of api.getOwnMetadataKeys(original)) api.defineMetadata(key, api.getOwnMetadata(key, original), wrapper);
    }
  } catch (err) {
    reportInternalError('copy of method metadata', err);
  }
  return wrapper;
}

function isStandardContext(value: unknown): value is { kind: string; name: string | symbol } {
  return value !== null && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string';
}
