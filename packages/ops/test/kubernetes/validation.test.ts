import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { serviceMonitor } from '../../src/kubernetes/monitors.js';
import { scaledObject } from '../../src/kubernetes/scaled-object.js';
import { dns1123LabelProblems, dns1123SubdomainProblems, labelKeyProblems, labelValueProblems, portNameProblems } from '../../src/kubernetes/validation.js';

// Good and bad values of apimachinery's own tests
// (kubernetes/apimachinery pkg/util/validation/validation_test.go,
// pkg/api/validate/content/kube_test.go and dns_test.go), so the port keeps
// the Go functions' behaviour.
describe('apimachinery validation, ported', () => {
  it('IsValidPortName', () => {
    for (const good of ['telnet', 're-mail-ck', 'pop3', 'a', 'a-1', '1-a', 'a-1-b-2-c', '1-a-2-b-3', 'http-metrics', 'y', 'on']) expect(portNameProblems(good), good).toEqual([]);
    for (const bad of ['longerthan15characters', '', 'a'.repeat(16), '12345', '1-2-3-4', '-begin', 'end-', 'two--hyphens', 'whois++', 'Metrics']) expect(portNameProblems(bad), bad).not.toEqual([]);
    expect(portNameProblems('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(portNameProblems('-x-')).toEqual(['must not begin or end with a hyphen']);
    expect(portNameProblems('--')).toEqual(['must contain at least one letter (a-z)', 'must not contain consecutive hyphens', 'must not begin or end with a hyphen']);
    expect(portNameProblems('')).toEqual(['must contain only lower-case letters (a-z), digits (0-9) and hyphens (-)', 'must contain at least one letter (a-z)']);
    expect(portNameProblems('a'.repeat(16))).toEqual(['must be no more than 15 characters']);
  });

  it('IsDNS1123Label and IsDNS1123Subdomain', () => {
    const goodLabels = ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '012', '1a', '1-a', '1--a--b--2', 'a'.repeat(63)];
    for (const good of goodLabels) expect(dns1123LabelProblems(good), good).toEqual([]);
    const badLabels = ['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A', '-', 'a-', '-a', '1-', '-1', '_', 'a_', '_a', 'a_b', '1_', '_1', '1_2', '.', 'a.', '.a', 'a.b', '1.', '.1', '1.2', ' ', 'a ', ' a', 'a b', '1 ', ' 1', '1 2', 'a'.repeat(64)];
    for (const bad of badLabels) expect(dns1123LabelProblems(bad), bad).not.toEqual([]);
    expect(dns1123LabelProblems('a.b')).toEqual(['must not contain dots']);
    for (const good of [...goodLabels, 'a.a', 'a.b.c', '1.2.3', `${'a'.repeat(63)}.${'b'.repeat(63)}`, 'a'.repeat(253)]) expect(dns1123SubdomainProblems(good), good).toEqual([]);
    for (const bad of ['', 'A', 'a_b', '-a', 'a-', '.a', 'a.', 'a..b', 'a.-b', 'a'.repeat(254)]) expect(dns1123SubdomainProblems(bad), bad).not.toEqual([]);
  });

  it('IsLabelKey (IsQualifiedName) and IsLabelValue', () => {
    const goodKeys = ['simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now-with-dashes/simple', 'now.with.dots/simple', '1-num.2-num/3-num', '1234/5678', '1.2.3.4/5678', 'Uppercase_Is_OK_123', 'example.com/Uppercase_Is_OK_123', 'requests.storage-foo', 'a'.repeat(63), `${'a'.repeat(253)}/${'b'.repeat(63)}`];
    for (const good of goodKeys) expect(labelKeyProblems(good), good).toEqual([]);
    const badKeys = ['nospecialchars%^=@', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', 'Example.com/abc', 'example_com/abc', 'example.com/', '/simple', 'a'.repeat(64), `${'a'.repeat(254)}/abc`];
    for (const bad of badKeys) expect(labelKeyProblems(bad), bad).not.toEqual([]);
    expect(labelKeyProblems('/simple')).toEqual(['prefix part must be non-empty']);
    expect(labelKeyProblems('example.com/')).toEqual(['name part must be non-empty', 'name part must consist of letters, digits, "-", "_" and ".", and start and end with a letter or digit']);
    expect(labelKeyProblems('Example.com/abc')).toEqual(['prefix part must consist of lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit']);

    for (const good of ['simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', 'a'.repeat(63), '']) expect(labelValueProblems(good), good).toEqual([]);
    for (const bad of ['nospecialchars%^=@', 'Tama-nui-te-rā.is.Māori.sun', '\\backslashes\\are\\bad', '-starts-with-dash', 'ends-with-dash-', '.starts.with.dot', 'ends.with.dot.', 'a'.repeat(64)]) {
      expect(labelValueProblems(bad), bad).not.toEqual([]);
    }
  });
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const KEDA = ['--deployment', 'iris', '--server-address', 'http://p:9090', '--threshold', '8'];
const NAME_EXPECTED = 'expected a DNS-1123 subdomain: at most 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, e.g. iris-server';
const NAMESPACE_EXPECTED = 'expected a DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit, e.g. models';
const PORT_EXPECTED = 'expected an IANA service name: at most 15 lower-case letters, digits and "-", with at least one letter, no "-" first or last and no "--", e.g. metrics';
const KEY_EXPECTED = 'expected an optional DNS subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, e.g. app.kubernetes.io/name';
const VALUE_EXPECTED = 'expected at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty), e.g. iris-server';

describe('the CLI refuses what the API server would, naming the flag (exit code 2)', () => {
  const cases: [string[], string][] = [
    [['servicemonitor', '--port', 'a--b'], `--port="a--b" is not a Kubernetes port name (must not contain consecutive hyphens); ${PORT_EXPECTED}`],
    [['podmonitor', '--port', '9464'], `--port="9464" is not a Kubernetes port name (must contain at least one letter (a-z)); ${PORT_EXPECTED}`],
    [['podmonitor', '--port', 'metrics-port-too-long'], `--port="metrics-port-too-long" is not a Kubernetes port name (must be no more than 15 characters); ${PORT_EXPECTED}`],
    [['servicemonitor', '--port=-metrics'], `--port="-metrics" is not a Kubernetes port name (must not begin or end with a hyphen); ${PORT_EXPECTED}`],
    [['servicemonitor', '--port', 'Metrics'], `--port="Metrics" is not a Kubernetes port name (must contain only lower-case letters (a-z), digits (0-9) and hyphens (-)); ${PORT_EXPECTED}`],
    [['servicemonitor', '--name', 'Iris_Server'], `--name="Iris_Server" is not a Kubernetes object name (must consist of lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit); ${NAME_EXPECTED}`],
    [['prometheusrule', '--name', 'a'.repeat(254)], `--name="${'a'.repeat(254)}" is not a Kubernetes object name (must be no more than 253 characters); ${NAME_EXPECTED}`],
    [['scaledobject', ...KEDA, '--namespace', 'team.models'], `--namespace="team.models" is not a Kubernetes namespace (must not contain dots); ${NAMESPACE_EXPECTED}`],
    [['podmonitor', '--namespace', 'Models'], `--namespace="Models" is not a Kubernetes namespace (must consist of lower-case letters, digits and "-", and start and end with a letter or digit); ${NAMESPACE_EXPECTED}`],
    [['scaledobject', ...KEDA, '--deployment', 'iris_server'], `--deployment="iris_server" is not a Kubernetes object name (must consist of lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit); ${NAME_EXPECTED}`],
    [['servicemonitor', '--labels', 'example.com/a/b=x'], `--labels: label key "example.com/a/b" is not a Kubernetes label key (must be a name with an optional DNS subdomain prefix and a single "/", e.g. example.com/my-name); ${KEY_EXPECTED}`],
    [['prometheusrule', '--labels', 'Example.com/team=x'], `--labels: label key "Example.com/team" is not a Kubernetes label key (prefix part must consist of lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit); ${KEY_EXPECTED}`],
    [['servicemonitor', '--selector', `${'k'.repeat(64)}=x`], `--selector: label key "${'k'.repeat(64)}" is not a Kubernetes label key (name part must be no more than 63 characters); ${KEY_EXPECTED}`],
    [['servicemonitor', '--selector', 'app=-iris'], `--selector: value "-iris" of label app is not a Kubernetes label value (must be empty or consist of letters, digits, "-", "_" and ".", and start and end with a letter or digit); ${VALUE_EXPECTED}`],
    [['scaledobject', ...KEDA, '--labels', `team=${'v'.repeat(64)}`], `--labels: value "${'v'.repeat(64)}" of label team is not a Kubernetes label value (must be no more than 63 characters); ${VALUE_EXPECTED}`],
    [['servicemonitor', '--name', 'n'.repeat(64)], `--selector (by default app.kubernetes.io/name=<--name>): value "${'n'.repeat(64)}" of label app.kubernetes.io/name is not a Kubernetes label value (must be no more than 63 characters); ${VALUE_EXPECTED}`],
    [['servicemonitor', '--job', 'iris|x'], '--job="iris|x": expected a job name (letters, digits, "_", ".", ":", "-"), e.g. inferometer; a monitor sets one job, not a pattern'],
    [['podmonitor', '--path', 'metrics'], '--path="metrics": expected an HTTP path starting with "/", e.g. /metrics'],
    [['scaledobject', ...KEDA, '--min-replicas', '3', '--max-replicas', '2'], '--min-replicas=3 is above --max-replicas=2; expected --min-replicas <= --max-replicas'],
    [['scaledobject', ...KEDA, '--min-replicas', '3000000000'], '--min-replicas=3000000000: expected a whole number of replicas from 1 to 2147483647, e.g. 1'],
    [['scaledobject', ...KEDA, '--model', ''], '--model="": expected a model name, e.g. iris, or leave it out to count every model'],
    [['scaledobject', ...KEDA, '--job', ''], '--job="": expected the job label of the model servers\' series, e.g. inferometer'],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' ').slice(0, 100), async () => {
      const result = await run(...argv);
      expect(result.stderr).toBe(`inferometer ${argv[0]}: ${message}\n`);
      expect(result.stdout).toBe('');
      expect(result.code).toBe(2);
    });
  }

  it('the library functions name the options instead', () => {
    expect(() => serviceMonitor({ port: 'a--b' })).toThrow(`port="a--b" is not a Kubernetes port name (must not contain consecutive hyphens); ${PORT_EXPECTED}`);
    expect(() => serviceMonitor({ selector: { 'a/b/c': 'x' } })).toThrow('selector: label key "a/b/c" is not a Kubernetes label key');
    expect(() => scaledObject({ deployment: 'iris', serverAddress: 'http://p:9090', threshold: 8, minReplicas: 3, maxReplicas: 2 })).toThrow('minReplicas=3 is above maxReplicas=2; expected minReplicas <= maxReplicas');
    expect(() => scaledObject({ deployment: 'iris', serverAddress: 'http://p:9090', threshold: 8, modelName: '' })).toThrow('modelName="": expected a model name');
  });

  it('accepts the longest and most unusual values Kubernetes accepts', async () => {
    const result = await run('servicemonitor', '--port', 'a-1-b-2-c-3-d-4', '--name', `${'a'.repeat(63)}.b`, '--selector', 'app=x', '--labels', `${'p'.repeat(253)}/${'n'.repeat(63)}=${'v'.repeat(63)},empty=`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
