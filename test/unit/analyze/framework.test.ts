// The framework itself: the tester catches broken analyzers, the runner isolates failures, filters,
// de-duplicates and sorts, and the store layers files over the cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterResource, parseManifests } from '../../../src/analyze/load.js';
import { formatMessage, messageType } from '../../../src/analyze/messages.js';
import { runAnalyzers } from '../../../src/analyze/runner.js';
import { ResourceStore } from '../../../src/analyze/store.js';
import { parseSuppression } from '../../../src/analyze/suppress.js';
import { parseFixtures, testAnalyzer } from '../../../src/analyze/tester.js';
import type { Analyzer } from '../../../src/analyze/types.js';

const VS = (name: string, ns = 'default') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${ns} }
spec: { hosts: [${name}] }
`;
const load = (text: string) => parseManifests(text, { file: 'x.yaml', defaultNamespace: 'default' }).resources;

// Reports IST0109 on every VirtualService; reads Service only when told to.
const fake = (over: Partial<Analyzer['meta']> = {}, body?: Analyzer['analyze']): Analyzer => ({
  meta: { name: 'test.FakeAnalyzer', description: 'reports every VirtualService', inputs: ['VirtualService'], codes: ['IST0109'], ...over },
  analyze:
    body ??
    ((ctx) => {
      for (const vs of ctx.list('VirtualService')) ctx.report('IST0109', vs, { virtualServices: vs.name, host: 'h' });
    }),
});

const fixtures = parseFixtures(`
valid:
  - name: nothing
    objects: |
      apiVersion: v1
      kind: Service
      metadata: { name: a }
invalid:
  - name: one
    objects: |
${VS('a').replace(/^/gm, '      ')}
    expect: [IST0109 VirtualService default/a]
`);

test('the tester passes a correct analyzer', () => {
  const failures = testAnalyzer(fake(), fixtures).flatMap((r) => r.failures);
  assert.deepEqual(failures, []);
});

test('the tester catches undeclared inputs, unused codes, wrong findings and mutation', () => {
  const contract = (a: Analyzer) => testAnalyzer(a, fixtures).flatMap((r) => r.failures);
  assert.match(
    contract(fake({ inputs: ['VirtualService', 'Service'] })).join('\n'),
    /kinds read \[VirtualService\] differ from meta.inputs \[Service, VirtualService\]/,
  );
  assert.match(contract(fake({ codes: ['IST0109', 'IST0112'] })).join('\n'), /no invalid case produces IST0112/);
  assert.match(contract(fake({ codes: ['IST0112'] })).join('\n'), /reported IST0109, which is not in its meta.codes/);
  assert.match(
    contract(fake({}, (ctx) => ctx.list('VirtualService').forEach((vs) => ctx.report('IST0109', vs, { host: 'h' })))).join('\n'),
    /left placeholders unfilled: virtualServices/,
  );
  assert.match(
    contract(fake({}, (ctx) => ctx.list('VirtualService').forEach((vs) => ((vs.object.metadata as { name?: string }).name = 'x')))).join('\n'),
    /analyzer threw: .*read only|analyzer threw: .*Cannot assign/,
  );
});

test('the runner turns an analyzer crash into IST0001 and still runs the others', () => {
  const boom = fake({ name: 'test.Boom' }, () => {
    throw new Error('kaput');
  });
  const r = runAnalyzers({ store: ResourceStore.of(load(VS('a'))), analyzers: [boom, fake()] });
  assert.deepEqual(
    r.messages.map((m) => m.code),
    ['IST0001', 'IST0109'],
  );
  assert.match(r.messages[0]!.text, /analyzer test.Boom failed: kaput/);
});

test('the runner filters by namespace, applies suppressions, de-duplicates and sorts', () => {
  const twice = fake({}, (ctx) => {
    for (const vs of ctx.list('VirtualService')) {
      ctx.report('IST0109', vs, { virtualServices: vs.name, host: 'h' });
      ctx.report('IST0109', vs, { virtualServices: vs.name, host: 'h' });
    }
  });
  const store = ResourceStore.of(load(VS('b') + '---\n' + VS('a') + '---\n' + VS('c', 'other')));
  const all = runAnalyzers({ store, analyzers: [twice] });
  assert.deepEqual(
    all.messages.map((m) => `${m.resource.namespace}/${m.resource.name}`),
    ['default/a', 'default/b', 'other/c'],
  );
  const one = runAnalyzers({
    store,
    analyzers: [twice],
    namespace: 'default',
    suppressions: [parseSuppression('IST0109=VirtualService default/b'), parseSuppression('IST0101=*')],
  });
  assert.deepEqual(
    one.messages.map((m) => m.resource.name),
    ['a'],
  );
  assert.deepEqual(one.unusedSuppressions, ['IST0101=*']);
});

test('the namespace filter keeps a Namespace finding only for that namespace, and other cluster-scoped findings always', () => {
  const nsAnalyzer = fake({ inputs: ['Namespace', 'MutatingWebhookConfiguration'], codes: ['IST0102', 'IST0139'] }, (ctx) => {
    for (const ns of ctx.list('Namespace')) ctx.report('IST0102', ns, { namespace: ns.name });
    for (const w of ctx.list('MutatingWebhookConfiguration')) ctx.report('IST0139', w, { error: 'e' });
  });
  const store = ResourceStore.of(
    load(
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: other }\n---\n' +
        'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: { name: hook }\n',
    ),
  );
  const r = runAnalyzers({ store, analyzers: [nsAnalyzer], namespace: 'shop' });
  assert.deepEqual(
    r.messages.map((m) => `${m.code} ${m.resource.kind} ${m.resource.name}`),
    ['IST0139 MutatingWebhookConfiguration hook', 'IST0102 Namespace shop'],
  );
});

test('file objects replace cluster objects of the same kind/namespace/name', () => {
  const live = clusterResource('VirtualService', {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'a', namespace: 'default' },
    spec: { hosts: ['live'] },
  });
  const store = ResourceStore.of([live], load(VS('a')));
  assert.equal(store.size, 1);
  assert.equal(store.find('VirtualService', 'default', 'a')?.origin.file, 'x.yaml');
});

test('the loader expands Lists with item lines, defaults namespaces, and skips unknown kinds', () => {
  const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: { name: a }
- apiVersion: example.com/v1
  kind: Widget
  metadata: { name: w }
- apiVersion: v1
  kind: Namespace
  metadata: { name: ns1 }
`;
  const r = parseManifests(text, { file: 'l.yaml', defaultNamespace: 'team' });
  assert.deepEqual(
    r.resources.map((x) => `${x.kind} ${x.namespace}/${x.name}:${x.origin.line}`),
    ['Service team/a:4', 'Namespace /ns1:10'],
  );
  assert.equal(r.skipped, 1);
  assert.deepEqual(r.problems, []);
});

test('catalog templates fill named placeholders; arrays print Go-style', () => {
  assert.equal(
    formatMessage(messageType('IST0112')!, { destHost: 'r', destPorts: [1, 2] }),
    'This VirtualService routes to a service "r" that exposes multiple ports [1 2]. Specifying a port in the destination is required to disambiguate.',
  );
});

test('an unknown kind in an Istio group is a parse problem with a suggestion', () => {
  const r = parseManifests('apiVersion: networking.istio.io/v1\nkind: VirtualSevice\nmetadata: { name: a }\n', { file: 'k.yaml', defaultNamespace: 'default' });
  assert.deepEqual(r.resources, []);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0]!.line, 1);
  assert.match(r.problems[0]!.message, /no kind "VirtualSevice"; did you mean "VirtualService"\?/);
});

test('the cluster reader lists ConfigMaps only in the Istio namespace', async () => {
  const { FakeKubeClient } = await import('../../../src/kube/fake.js');
  const { readCluster } = await import('../../../src/analyze/io/cluster.js');
  const cm = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: {} });
  const kube = new FakeKubeClient([cm('istio', 'istio-system'), cm('app-config', 'shop'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]);
  const snap = await readCluster(kube, ['ConfigMap', 'Namespace'], { istioNamespace: 'istio-system' });
  assert.deepEqual(snap.resources.map((r) => `${r.kind} ${r.namespace}/${r.name}`).sort(), ['ConfigMap istio-system/istio', 'Namespace /shop']);
  assert.ok(kube.calls.includes('list ConfigMap istio-system'));
});
