import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { PathError, formatPath, getAt, parsePath, setAt, typedValue } from '../../../src/render/path.js';
import type { JsonObject } from '../../../src/model/install.js';
import { container, dig, find, r } from './helpers.js';

test('parsePath: dotted keys, escaped dots, [index], .[index] and [key:value]', () => {
  assert.deepEqual(parsePath('values.global.hub'), [
    { kind: 'key', key: 'values' },
    { kind: 'key', key: 'global' },
    { kind: 'key', key: 'hub' },
  ]);
  assert.deepEqual(parsePath('a.b\\.c\\.d.e'), [
    { kind: 'key', key: 'a' },
    { kind: 'key', key: 'b.c.d' },
    { kind: 'key', key: 'e' },
  ]);
  assert.deepEqual(parsePath('gw[0].name'), [
    { kind: 'key', key: 'gw' },
    { kind: 'index', index: 0 },
    { kind: 'key', key: 'name' },
  ]);
  assert.deepEqual(parsePath('gw.[12].name'), [
    { kind: 'key', key: 'gw' },
    { kind: 'index', index: 12 },
    { kind: 'key', key: 'name' },
  ]);
  assert.deepEqual(parsePath('gw.[name:istio-ingressgateway].k8s'), [
    { kind: 'key', key: 'gw' },
    { kind: 'select', key: 'name', value: 'istio-ingressgateway' },
    { kind: 'key', key: 'k8s' },
  ]);
  assert.equal(formatPath(parsePath('a.b\\.c.[name:x].[3]')), 'a.b\\.c[name:x][3]');
});

test('parsePath rejects empty keys, unclosed brackets and bad selectors', () => {
  for (const bad of ['', 'a..b', '.a', 'a.', 'a.[0', 'a.[x]', 'a[0]b']) assert.throws(() => parsePath(bad), PathError, bad);
});

test('typedValue: int, then float, then bool, then string; \\, is a comma', () => {
  assert.equal(typedValue('3'), 3);
  assert.equal(typedValue('-7'), -7);
  assert.equal(typedValue('0.25'), 0.25);
  assert.equal(typedValue('true'), true);
  assert.equal(typedValue('false'), false);
  assert.equal(typedValue('True'), 'True');
  assert.equal(typedValue('100m'), '100m');
  assert.equal(typedValue('a\\,b'), 'a,b');
  assert.equal(typedValue(''), '');
});

test('setAt: creates maps, appends one past the end, selects by key, and fails on a missing selection', () => {
  const root: JsonObject = { list: [{ name: 'a', v: 1 }] };
  setAt(root, parsePath('x.y.z'), 1);
  assert.equal(getAt(root, parsePath('x.y.z')), 1);
  setAt(root, parsePath('list.[5].name'), 'b');
  assert.deepEqual(root['list'], [{ name: 'a', v: 1 }, { name: 'b' }]);
  setAt(root, parsePath('list.[name:a].v'), 2);
  assert.equal(getAt(root, parsePath('list[0].v')), 2);
  assert.throws(() => setAt(root, parsePath('list.[name:zzz].v'), 1), /element \[name:zzz\] not found/);
  setAt(root, parsePath('x.y.z'), undefined);
  assert.deepEqual(root['x'], { y: {} });
});

test('--set values are typed by the schema: tag, hub and proxyMetadata stay strings', () => {
  const res = r({
    sets: ['tag=1.31', 'hub=example.com/istio', 'meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE=true', 'values.pilot.traceSampling=0.5'],
  });
  assert.equal(res.iop.spec?.tag, '1.31');
  assert.equal(container(find(res, 'Deployment', 'istiod'), 'discovery').image, 'example.com/istio/pilot:1.31');
  const meta = dig(res.iop.spec?.meshConfig, 'defaultConfig', 'proxyMetadata', 'ISTIO_META_DNS_CAPTURE');
  assert.equal(meta, 'true');
  const env = container(find(res, 'Deployment', 'istiod'), 'discovery').env ?? [];
  assert.equal(env.find((e) => e.name === 'PILOT_TRACE_SAMPLING')?.value, '0.5');
});

test('--set with an escaped dot sets an annotation key containing dots', () => {
  const res = r({ sets: ['components.pilot.k8s.podAnnotations.example\\.com/owner=team-a'] });
  const ann = dig(find(res, 'Deployment', 'istiod'), 'spec', 'template', 'metadata', 'annotations') as Record<string, string>;
  assert.equal(ann['example.com/owner'], 'team-a');
});

test('--set selects list elements by index and by [name:value]', () => {
  const byIndex = r({ sets: ['components.ingressGateways.[0].enabled=false'] });
  assert.equal(
    byIndex.objects.some((o) => o.metadata.name === 'istio-ingressgateway'),
    false,
  );
  const byName = r({
    sets: ['components.ingressGateways.[name:istio-ingressgateway].k8s.replicaCount=3', 'values.gateways.istio-ingressgateway.autoscaleEnabled=false'],
  });
  assert.equal(dig(find(byName, 'Deployment', 'istio-ingressgateway'), 'spec', 'replicas'), 3);
  assert.throws(
    () => r({ sets: ['components.ingressGateways.[name:nope].enabled=true'] }),
    (e: unknown) =>
      e instanceof UsageError && /--set components\.ingressGateways\.\[name:nope\]\.enabled=true: element \[name:nope\] not found/.test(e.message),
  );
});

test('--set applies in order (the last wins) and over -f files', () => {
  const file = { name: 'f.yaml', text: 'spec:\n  values:\n    pilot:\n      traceSampling: 2\n' };
  const res = r({ files: [file], sets: ['values.pilot.traceSampling=3', 'values.pilot.traceSampling=4'] });
  const env = container(find(res, 'Deployment', 'istiod'), 'discovery').env ?? [];
  assert.equal(env.find((e) => e.name === 'PILOT_TRACE_SAMPLING')?.value, '4');
});

test('precedence: default < profile < -f files left to right < --set; lists replace', () => {
  const f1 = { name: 'a.yaml', text: 'spec:\n  values:\n    pilot:\n      traceSampling: 7\n      autoscaleMin: 2\n' };
  const f2 = { name: 'b.yaml', text: 'spec:\n  values:\n    pilot:\n      traceSampling: 8\n' };
  const res = r({ profile: 'demo', files: [f1, f2] });
  const env = container(find(res, 'Deployment', 'istiod'), 'discovery').env ?? [];
  assert.equal(env.find((e) => e.name === 'PILOT_TRACE_SAMPLING')?.value, '8'); // demo says 100; b.yaml wins
  assert.equal(res.iop.spec?.values?.['pilot'] && (res.iop.spec.values['pilot'] as JsonObject)['autoscaleMin'], 2);
  // A list in an overlay replaces the profile's list: only the gateway named in the file remains.
  const g = r({ profile: 'demo', files: [{ name: 'g.yaml', text: 'spec:\n  components:\n    egressGateways:\n      - name: eg2\n        enabled: true\n' }] });
  assert.deepEqual(
    g.objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name),
    ['istiod', 'istio-ingressgateway', 'eg2'],
  );
});

test('--set profile=… and spec.profile in a file choose the profile; --profile wins', () => {
  assert.equal(r({ sets: ['profile=minimal'] }).profile, 'minimal');
  assert.equal(r({ files: [{ name: 'p.yaml', text: 'spec:\n  profile: demo\n' }] }).profile, 'demo');
  assert.equal(r({ profile: 'empty', sets: ['profile=demo'] }).profile, 'empty');
});

test('a profile may be a file path (its text passed in profileFiles)', () => {
  const text =
    'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  components:\n    ingressGateways:\n      - name: istio-ingressgateway\n        enabled: false\n';
  const res = r({ profile: 'my/profile.yaml', profileFiles: { 'my/profile.yaml': text } });
  assert.equal(res.profile, 'my/profile.yaml');
  assert.equal(
    res.objects.some((o) => o.metadata.name === 'istio-ingressgateway'),
    false,
  );
});

test('enablement follows istioctl: a mentioned component or listed gateway is on unless enabled: false', () => {
  assert.deepEqual(
    r().components.map((c) => c.component),
    ['Base', 'Pilot', 'IngressGateways'],
  );
  // Mentioning cni (without enabled) turns it on; so does listing a gateway without enabled.
  const res = r({ sets: ['components.cni.namespace=kube-system', 'components.egressGateways[1].name=eg'] });
  assert.deepEqual(
    res.components.map((c) => c.component),
    ['Base', 'Pilot', 'IngressGateways', 'EgressGateways', 'Cni'],
  );
  // The alternative path: values.gateways.istio-egressgateway.enabled=true turns the egress list on.
  assert.ok(
    r({ sets: ['values.gateways.istio-egressgateway.enabled=true'] }).objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'istio-egressgateway'),
  );
});
