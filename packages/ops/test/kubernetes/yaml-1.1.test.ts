import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { kubernetesObjectFromFlags, runKubernetesCommand, type KubernetesCommand } from '../../src/kubernetes/cli.js';
import { OpsConfigError } from '../../src/options.js';
import { isPlainSafe, toYaml } from '../../src/yaml.js';
import { crdValidator } from '../helpers/crd.js';
import { implicitType, READERS, typedPlainStrings } from '../helpers/yaml-readers.js';

// Every form YAML 1.1 resolves to another type than string
// (https://yaml.org/type/: bool, null, int, float, timestamp, merge, value),
// the YAML 1.2 core forms, and those only go-yaml's strconv takes.
const BOOL = ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF'];
const NULL = ['~', 'null', 'Null', 'NULL', ''];
const INT = ['0b1010', '+0b1010', '-0b1_0', '012', '-012', '0o17', '0x1F', '0x1f', '0x_1f', '-0x1F', '0', '1', '-1', '+1', '1_000', '685230', '+685_230', '190:20:30', '1:20'];
const FLOAT = ['1e3', '1E3', '1e+3', '6.8523015e+5', '685.230_15e+03', '685_230.15', '1.5', '.5', '1.', '-1.5', '+.5', '190:20:30.15', '.inf', '.Inf', '.INF', '-.inf', '+.inf', '.nan', '.NaN', '.NAN'];
const TIMESTAMP = ['2001-12-14', '2002-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43.10Z', '2001-12-14 21:59:43.10 -5', '2001-12-15T02:59:43.1Z'];
// Typed by the specification or by go-yaml, but by none of the JavaScript readers.
const RESOLVER_ONLY = ['<<', '=', '0O17', '0X1F', '0B101', '2001-1-2'];
const HOSTILE = [...BOOL, ...NULL, ...INT, ...FLOAT, ...TIMESTAMP, ...RESOLVER_ONLY];

function readsBack(text: string, expected: unknown): void {
  for (const [reader, read] of Object.entries(READERS)) expect(read(text), `${reader} reading:\n${text}`).toEqual(expected);
  expect(typedPlainStrings(text), text).toEqual([]);
}

describe('the hostile table', () => {
  it('is hostile: every value has an implicit type, and a real reader mistypes each one written plain', () => {
    for (const value of HOSTILE) expect(implicitType(value), value).toBeDefined();
    for (const value of HOSTILE.filter((v) => !RESOLVER_ONLY.includes(v) && v !== '')) {
      const plain = `v: ${value}\n`;
      const misread = Object.entries(READERS).filter(([, read]) => (read(plain) as { v: unknown }).v !== value);
      expect(misread.length, `no reader mistypes plain ${JSON.stringify(value)}`).toBeGreaterThan(0);
    }
    // What the generators wrote before: `yaml`'s YAML 1.2 stringify leaves these plain.
    const before = stringify({ release: 'on', tier: '1_000', sha: '2001-12-14', when: '1:20' });
    expect(READERS['yaml, version 1.1 (YAML 1.1 booleans)']!(before)).toMatchObject({ release: true });
    expect(READERS['js-yaml 3 (YAML 1.1 numbers, timestamps)']!(before)).toMatchObject({ tier: 1000, sha: new Date('2001-12-14'), when: 80 });
  });
});

describe('toYaml', () => {
  it('writes every hostile string, as a value and as a key, so that every reader reads back the string', () => {
    for (const value of HOSTILE) {
      const object = { [value === '' ? 'empty' : value]: value, list: [value], nested: { [`k${value}`]: value } };
      readsBack(toYaml(object), object);
    }
  });

  it('keeps common values plain and non-strings typed', () => {
    expect(toYaml({ name: 'iris-server', release: 'kube-prometheus-stack', path: '/metrics', for: '5m', interval: '1h30m', expr: 'sum(rate(x{job="a"}[5m]))', label: '__name__', count: 1, on: true, none: null })).toBe(
      'name: iris-server\nrelease: kube-prometheus-stack\npath: /metrics\nfor: 5m\ninterval: 1h30m\nexpr: sum(rate(x{job="a"}[5m]))\nlabel: __name__\ncount: 1\n"on": true\nnone: null\n',
    );
    expect(toYaml({ release: 'on', tier: '1_000', text: 'Model server down', multi: 'a\nb', e: 'E0' })).toBe('release: "on"\ntier: "1_000"\ntext: Model server down\nmulti: |-\n  a\n  b\ne: "E0"\n');
  });

  it('reads back any string of the characters implicit types are made of (fast-check)', () => {
    const typeable = fc.string({ unit: fc.constantFrom(...'0123456789abdefilnorstuvxyzABDEFILNORSTUVXYZ_.:+-~=< \t'), maxLength: 12 });
    fc.assert(
      fc.property(typeable, (value) => {
        readsBack(toYaml({ v: value, [`${value}k`]: 1 }), { v: value, [`${value}k`]: 1 });
      }),
      { numRuns: 3000 },
    );
  });

  it('isPlainSafe is never true for a string with an implicit type', () => {
    for (const value of HOSTILE) expect(isPlainSafe(value), value).toBe(false);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abdefilnorstuvxyzABDEFILNORSTUVXYZ_.:+-~=< '), maxLength: 10 }), (value) => !(isPlainSafe(value) && implicitType(value) !== undefined)),
      { numRuns: 5000 },
    );
  });
});

// Each place a flag's value lands in a generated object, and how to read it back.
interface Slot {
  readonly command: KubernetesCommand;
  readonly flag: string;
  readonly values: (hostile: string) => Record<string, string>;
  readonly read: (object: never) => unknown;
  readonly expected?: (hostile: string) => unknown;
}
const KEDA = { deployment: 'iris', 'server-address': 'http://p:9090', threshold: '8' };
const metadataSlots = (command: KubernetesCommand, base: Record<string, string> = {}): Slot[] => [
  { command, flag: '--name', values: (h) => ({ ...base, name: h }), read: (o: { metadata: { name: string } }) => o.metadata.name },
  { command, flag: '--namespace', values: (h) => ({ ...base, namespace: h }), read: (o: { metadata: { namespace: string } }) => o.metadata.namespace },
  { command, flag: '--labels', values: (h) => ({ ...base, labels: `tier=${h}` }), read: (o: { metadata: { labels: Record<string, string> } }) => o.metadata.labels.tier },
  { command, flag: '--labels', values: (h) => ({ ...base, labels: `${h}=x` }), read: (o: { metadata: { labels: Record<string, string> } }) => Object.keys(o.metadata.labels).sort(), expected: (h) => ['app.kubernetes.io/managed-by', h].sort() },
];
const monitorSlots = (command: 'servicemonitor' | 'podmonitor', endpoints: 'endpoints' | 'podMetricsEndpoints'): Slot[] => {
  type Monitor = { spec: { selector: { matchLabels: Record<string, string> } } & Record<string, { port: string; relabelings: { replacement: string }[] }[]> };
  return [
    ...metadataSlots(command),
    { command, flag: '--selector', values: (h) => ({ selector: `app=${h}` }), read: (o: Monitor) => o.spec.selector.matchLabels.app },
    { command, flag: '--selector', values: (h) => ({ selector: `${h}=x` }), read: (o: Monitor) => Object.keys(o.spec.selector.matchLabels), expected: (h) => [h] },
    { command, flag: '--port', values: (h) => ({ port: h }), read: (o: Monitor) => o.spec[endpoints]![0]!.port },
    { command, flag: '--job', values: (h) => ({ job: h }), read: (o: Monitor) => o.spec[endpoints]![0]!.relabelings[0]!.replacement },
  ];
};
type Scaler = { spec: { scaleTargetRef: { name: string }; triggers: { metadata: { threshold: string } }[] } };
const SLOTS: Slot[] = [
  ...monitorSlots('servicemonitor', 'endpoints'),
  ...monitorSlots('podmonitor', 'podMetricsEndpoints'),
  ...metadataSlots('prometheusrule'),
  ...metadataSlots('scaledobject', KEDA),
  { command: 'scaledobject', flag: '--deployment', values: (h) => ({ ...KEDA, deployment: h }), read: (o: Scaler) => o.spec.scaleTargetRef.name },
  { command: 'scaledobject', flag: '--threshold', values: (h) => ({ ...KEDA, threshold: h }), read: (o: Scaler) => o.spec.triggers[0]!.metadata.threshold, expected: (h) => String(Number(h)) },
];
const CRDS = {
  servicemonitor: crdValidator('monitoring.coreos.com_servicemonitors.yaml'),
  podmonitor: crdValidator('monitoring.coreos.com_podmonitors.yaml'),
  prometheusrule: crdValidator('monitoring.coreos.com_prometheusrules.yaml'),
  scaledobject: crdValidator('keda.sh_scaledobjects.yaml'),
};

/** Runs a slot with every hostile value; returns the values it accepted. */
function accepted(slot: Slot): string[] {
  const ok: string[] = [];
  for (const hostile of HOSTILE) {
    const values = slot.values(hostile);
    let intended: object;
    try {
      intended = kubernetesObjectFromFlags(slot.command, values);
    } catch (err) {
      // Refused: with an error naming the flag, never written altered.
      expect(err, `${slot.command} ${slot.flag} ${JSON.stringify(hostile)}`).toBeInstanceOf(OpsConfigError);
      expect((err as Error).message.startsWith(slot.flag), (err as Error).message).toBe(true);
      continue;
    }
    ok.push(hostile);
    const text = runKubernetesCommand(slot.command, values);
    readsBack(text, intended);
    const asKubectlReadsIt = READERS['js-yaml 3 (YAML 1.1 numbers, timestamps)']!(text);
    expect(slot.read(READERS['yaml, version 1.1 (YAML 1.1 booleans)']!(text) as never), `${slot.command} ${slot.flag} ${JSON.stringify(hostile)}`).toEqual(slot.expected?.(hostile) ?? hostile);
    expect(slot.read(asKubectlReadsIt as never)).toEqual(slot.expected?.(hostile) ?? hostile);
    expect(CRDS[slot.command].validate(asKubectlReadsIt)).toEqual([]);
  }
  return ok;
}

describe('generated Kubernetes objects under YAML 1.1 readers', () => {
  // Values Kubernetes accepts in each place and YAML 1.1 would retype: each must be accepted and survive.
  const LABEL_VALUES = ['y', 'Y', 'yes', 'YES', 'n', 'NO', 'on', 'Off', 'true', 'FALSE', 'null', 'Null', '', '0b1010', '012', '0o17', '0x1F', '0x_1f', '1_000', '685230', '1e3', '1E3', '685_230.15', '1.5', '2001-12-14', '0O17', '0X1F', '2001-1-2'];
  const LABEL_KEYS = LABEL_VALUES.filter((v) => v !== '');
  const DNS_LABELS = ['y', 'yes', 'n', 'no', 'on', 'off', 'true', 'false', 'null', '0', '1', '012', '0o17', '0x1f', '1e3', '685230', '2001-12-14', '2002-12-14'];
  const OBJECT_NAMES = [...DNS_LABELS, '1.5', '2001-1-2'];
  const PORT_NAMES = ['y', 'yes', 'n', 'no', 'on', 'off', 'true', 'false', 'null', '0b1010', '0o17', '0x1f', '1e3'];
  const JOBS = [...LABEL_KEYS, '1:20', '190:20:30', '190:20:30.15', '.inf', '-.inf', '.nan', '1.', '.5', '-1', '2001-12-14t21:59:43.10-05:00', '2001-12-15T02:59:43.1Z'];
  const EXPECTED: Readonly<Record<string, readonly string[]>> = {
    '--name': OBJECT_NAMES,
    '--deployment': OBJECT_NAMES,
    '--namespace': DNS_LABELS,
    '--labels': LABEL_VALUES,
    '--selector': LABEL_VALUES,
    '--port': PORT_NAMES,
    '--job': JOBS,
    '--threshold': ['1', '012', '1e3', '1E3', '6.8523015e+5', '1.5', '.5', '1.', '0x1F', '0b1010', '0o17'],
  };

  for (const slot of SLOTS) {
    it(`${slot.command} ${slot.flag} (${slot.values('H')[slot.flag.slice(2)] ?? ''}): every accepted value reads back as written, everything else is refused naming ${slot.flag}`, () => {
      const ok = accepted(slot);
      const keyed = slot.values('H')[slot.flag.slice(2)]?.startsWith('H=') === true;
      expect(ok).toEqual(expect.arrayContaining([...(keyed ? LABEL_KEYS : EXPECTED[slot.flag]!)]));
    });
  }

  it('through the CLI: `--labels release=on --selector app=yes --port y --namespace no` applies as written', async () => {
    let stdout = '';
    const code = await main(['servicemonitor', '--labels', 'release=on,1_000=0x1F', '--selector', 'app=yes', '--port', 'y', '--namespace', 'no', '--name', '012', '--job', '1:20'], { stdout: (t) => (stdout += t), stderr: () => undefined });
    expect(code).toBe(0);
    expect(stdout).toContain('    release: "on"\n');
    expect(stdout).toContain('    "1_000": "0x1F"\n');
    const object = READERS['yaml, version 1.1 (YAML 1.1 booleans)']!(stdout) as { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; relabelings: { replacement: string }[] }[] } };
    expect(object.metadata).toEqual({ name: '012', namespace: 'no', labels: { 'app.kubernetes.io/managed-by': 'inferometer', release: 'on', '1_000': '0x1F' } });
    expect(object.spec.selector.matchLabels).toEqual({ app: 'yes' });
    expect(object.spec.endpoints[0]).toMatchObject({ port: 'y', relabelings: [{ replacement: '1:20' }] });
    readsBack(stdout, kubernetesObjectFromFlags('servicemonitor', { labels: 'release=on,1_000=0x1F', selector: 'app=yes', port: 'y', namespace: 'no', name: '012', job: '1:20' }));
  });
});
