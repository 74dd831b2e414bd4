/**
 * The Prometheus text-format parser of the ops doctor (it ships, and its own
 * tests cover it), re-used by every test that reads an exposition; bundled
 * from its source so that this package needs no dependency on
 * `@inferometer/ops` (whose own tests use this package).
 */
import { parseExposition, type Exposition, type Sample } from '@inferometer/core/prometheus';

export { parseExposition, seriesCount } from '@inferometer/core/prometheus';
export type { Exposition, Family, Sample } from '@inferometer/core/prometheus';

/** What {@link parseStrict} returns: every sample in order, and each family's type. */
export interface StrictExposition {
  readonly samples: Sample[];
  readonly types: Map<string, string>;
}

/**
 * Parses an exposition and throws on any line the parser refuses (what
 * Prometheus would refuse: bad names, repeated labels, a second `# TYPE`).
 *
 * @example
 * ```ts
 * const { samples, types } = parseStrict(await (await fetch(url)).text());
 * ```
 */
export function parseStrict(text: string): StrictExposition {
  const parsed: Exposition = parseExposition(text);
  if (parsed.errors.length > 0) throw new Error(`invalid exposition:\n${parsed.errors.join('\n')}`);
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const family of parsed.families.values()) {
    if (family.type !== 'untyped') types.set(family.name, family.type);
    samples.push(...family.samples);
  }
  return { samples, types };
}

/** `name{k="v",...}` with labels sorted by name and values JSON-quoted: one key per series. */
export function sampleKey(name: string, labels: Readonly<Record<string, string>>): string {
  return `${name}{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

/** Samples keyed by {@link sampleKey}, for equality checks; a repeated series throws. */
export function sampleMap(samples: readonly Sample[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const s of samples) {
    const key = sampleKey(s.name, s.labels);
    if (map.has(key)) throw new Error(`duplicate sample ${key}`);
    map.set(key, s.value);
  }
  return map;
}
