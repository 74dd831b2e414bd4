import { guardConfig, onGuardConfig, type GuardConfig } from './config.js';

/** Keys declared somewhere, checked again when patterns are added at start. */
interface Declaration {
  readonly keys: readonly string[];
  readonly metric: string;
  readonly where: string;
  readonly optIn: ReadonlySet<string>;
}
const declarations: Declaration[] = [];
/** Declarations kept for start-time re-checks; past this many, later ones are checked only when declared. */
const MAX_DECLARATIONS = 10_000;

onGuardConfig((config) => {
  for (const declaration of declarations) check(declaration, config);
});

/**
 * Refuses attribute keys that are unbounded by nature (user ids, request
 * ids, emails, URLs, timestamps, free text), at configuration: the one
 * moment a mistake costs nothing. `optIn` names keys the user knows to be
 * bounded here.
 *
 * @internal
 */
export function checkDeclaredKeys(keys: readonly string[], metric: string, where: string, optIn: readonly string[] = []): void {
  const declaration: Declaration = { keys, metric, where, optIn: new Set(optIn) };
  check(declaration, guardConfig());
  if (declarations.length < MAX_DECLARATIONS) declarations.push(declaration);
}

function check(declaration: Declaration, config: GuardConfig): void {
  for (const key of declaration.keys) {
    if (declaration.optIn.has(key)) continue;
    const pattern = config.unboundedKeyPatterns.find((p) => p.test(key));
    if (pattern !== undefined) {
      throw new TypeError(
        `${declaration.where}: attribute "${key}" on ${declaration.metric} is unbounded by nature (it matches ${String(pattern)}): every distinct value would become a series. ` +
          `Put it on a trace or a log instead, or bucket it into a bounded attribute (a tier, a region, a range); ` +
          `if its values really are bounded here, opt in with allowUnboundedKeys: ['${key}'].`,
      );
    }
  }
}
