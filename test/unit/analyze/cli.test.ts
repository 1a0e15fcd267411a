// The built CLI on files only (--use-kube=false): output shapes, thresholds, suppressions, exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const FILE = 'test/fixtures/analyze/bookinfo-broken.yaml';
const mesh = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['bin/mesh', 'analyze', '--use-kube=false', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent' },
    ...(input !== undefined ? { input } : {}),
  });

test('log lines in istioctl shape with file:line, most severe first, exit 79', () => {
  const r = mesh([FILE]);
  assert.equal(r.status, 79, r.stderr);
  assert.equal(
    r.stdout,
    `Error [IST0101] (VirtualService default/reviews ${FILE}:17) Referenced host not found: "reviews"\n` +
      `Warning [IST0128] (DestinationRule other/ext ${FILE}:26) DestinationRule other/ext in namespace other has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: api.example.com\n` +
      `Warning [IST0174] (DestinationRule other/ext ${FILE}:23) DestinationRule for non-existent service api.example.com in namespace other\n`,
  );
  assert.match(r.stderr, /Analyzers found issues when analyzing all namespaces\./);
});

test('-o json has the documented fields and the same exit code (istio#35054)', () => {
  const r = mesh([FILE, '-o', 'json']);
  assert.equal(r.status, 79);
  const records = JSON.parse(r.stdout) as Record<string, string>[];
  assert.deepEqual(Object.keys(records[0]!), ['code', 'level', 'origin', 'reference', 'message', 'documentationUrl']);
  assert.equal(records[0]!['origin'], 'VirtualService default/reviews');
  assert.equal(records[0]!['documentationUrl'], 'https://istio.io/v1.31/docs/reference/config/analysis/ist0101/');
});

test('-o sarif is SARIF 2.1.0 with file and line locations', () => {
  const r = mesh([FILE, '-o', 'sarif']);
  assert.equal(r.status, 79);
  const s = JSON.parse(r.stdout) as {
    version: string;
    runs: {
      results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
    }[];
  };
  assert.equal(s.version, '2.1.0');
  const first = s.runs[0]!.results[0]!;
  assert.equal(first.ruleId, 'IST0101');
  assert.equal(first.level, 'error');
  assert.deepEqual(first.locations[0]!.physicalLocation, { artifactLocation: { uri: FILE }, region: { startLine: 17 } });
});

test('-n keeps one namespace; --failure-threshold Warning fails on warnings; --output-threshold hides Info/Warning', () => {
  const other = mesh([FILE, '-n', 'other']);
  assert.equal(other.status, 0, other.stderr);
  assert.match(other.stdout, /IST0128/);
  assert.doesNotMatch(other.stdout, /IST0101/);
  const strict = mesh([FILE, '-n', 'other', '--failure-threshold', 'warning']);
  assert.equal(strict.status, 79);
  const quiet = mesh([FILE, '--output-threshold', 'Error']);
  assert.doesNotMatch(quiet.stdout, /IST0128/);
});

test('--suppress with globs; a suppression matching nothing is reported on stderr; clean run says so', () => {
  const r = mesh([FILE, '-S', 'IST0101=VirtualService default/*', '-S', 'IST01*=DestinationRule other/ext', '-S', 'IST0109=*']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--suppress "IST0109=\*" matched no finding/);
  assert.match(r.stderr, /✔ No validation issues found when analyzing all namespaces\./);
});

test('the galley.istio.io/analyze-suppress annotation suppresses', () => {
  const doc = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  annotations: { galley.istio.io/analyze-suppress: "IST0101" }
spec: { hosts: [reviews], http: [{ route: [{ destination: { host: reviews } }] }] }
`;
  const r = mesh(['-'], doc);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('unparseable input exits 65 naming file and line, unless --ignore-unknown', () => {
  const bad = 'apiVersion: v1\nkind: Service\nmetadata: { name: a }\n---\nkind: [\n';
  const r = mesh(['-'], bad);
  assert.equal(r.status, 65);
  assert.match(r.stderr, /cannot parse -:5: /);
  const ok = mesh(['-', '--ignore-unknown'], bad);
  assert.equal(ok.status, 0, ok.stderr);
});

test('YAML 1.1: "yes" is a boolean, as the API server reads it', () => {
  const doc = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ext }
spec: { host: a.example.com, trafficPolicy: { tls: { mode: SIMPLE, insecureSkipVerify: yes } } }
`;
  const r = mesh(['-', '--analyzer', 'destinationrule.CaCertificateAnalyzer'], doc);
  assert.equal(r.status, 0, r.stdout);
  assert.equal(r.stdout, '');
  const no = mesh(['-', '--analyzer', 'destinationrule.CaCertificateAnalyzer'], doc.replace('yes', 'no'));
  assert.match(no.stdout, /IST0128/);
});

test('usage errors exit 64: unknown analyzer with a suggestion, bad level, bad suppression', () => {
  const a = mesh([FILE, '--analyzer', 'virtualservice.DestinationHost']);
  assert.equal(a.status, 64);
  assert.match(a.stderr, /did you mean "virtualservice.DestinationHostAnalyzer"/);
  assert.equal(mesh([FILE, '--failure-threshold', 'fatal']).status, 64);
  assert.equal(mesh([FILE, '-S', 'IST0101']).status, 64);
  assert.equal(mesh(['no/such/dir']).status, 64);
});

test('--list-analyzers and --explain', () => {
  const l = mesh(['--list-analyzers']);
  assert.equal(l.status, 0);
  assert.match(l.stdout, /^\* virtualservice\.DestinationHostAnalyzer:\n {4}\S/m);
  const e = mesh(['--explain', 'ist0101']);
  assert.equal(e.status, 0);
  assert.match(e.stdout, /^IST0101 ReferencedResourceNotFound \(Error\)/);
  assert.equal(mesh(['--explain', 'IST0104']).status, 64);
});

test('-n naming a namespace the cluster does not have: the same usage error (64) as proxy-status -n and rollout-restart -n (issue 12)', async () => {
  const { runAnalyze } = await import('../../../src/analyze/run.js');
  const { ANALYZERS } = await import('../../../src/analyze/analyzers/index.js');
  const { FakeKubeClient } = await import('../../../src/kube/fake.js');
  const { exitCodeOf } = await import('../../../src/errors.js');
  const kube = new FakeKubeClient([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } }]);
  const options = {
    files: [],
    useKube: true,
    allNamespaces: false,
    istioNamespace: 'istio-system',
    revision: 'default',
    meshConfigFile: undefined,
    ignoreUnknown: false,
    suppressions: [],
    analyzers: ANALYZERS,
  };
  const deps = { kube: async () => kube, readSources: async () => assert.fail('no files'), readFile: async () => assert.fail('no files'), warn: () => {} };
  await assert.rejects(
    runAnalyze({ ...options, namespace: 'nosuchns' }, deps),
    (e: unknown) => exitCodeOf(e) === 64 && (e as Error).message === '-n: namespace "nosuchns" not found in the cluster (context fake)',
  );
  // an existing namespace without objects is analysed (and clean)
  const r = await runAnalyze({ ...options, namespace: 'empty' }, deps);
  assert.equal(r.target, 'namespace: empty');
});
