import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffManifests, diffTrees, formatDiff } from '../../../src/render/index.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const obj = (kind: string, name: string, extra: Record<string, unknown> = {}, namespace?: string): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...extra,
});

test('diffTrees: added, removed, changed; named lists matched by name; escaped dotted keys', () => {
  const a = {
    spec: {
      replicas: 1,
      containers: [
        { name: 'a', image: 'x:1' },
        { name: 'b', image: 'y' },
      ],
    },
    metadata: { labels: { 'app.kubernetes.io/name': 'n' } },
  };
  const b = {
    spec: {
      containers: [
        { name: 'b', image: 'y' },
        { name: 'a', image: 'x:2' },
        { name: 'c', image: 'z' },
      ],
    },
    metadata: { labels: { 'app.kubernetes.io/name': 'm' } },
  };
  assert.deepEqual(diffTrees(a, b), [
    { path: 'spec.replicas', change: 'removed', from: 1 },
    { path: 'spec.containers[name:a].image', change: 'changed', from: 'x:1', to: 'x:2' },
    { path: 'spec.containers[name:c]', change: 'added', to: { name: 'c', image: 'z' } },
    { path: 'metadata.labels.app\\.kubernetes\\.io/name', change: 'changed', from: 'n', to: 'm' },
  ]);
  assert.deepEqual(diffTrees({ l: [{ name: 'a' }, { name: 'b' }] }, { l: [{ name: 'b' }, { name: 'a' }] }), [
    { path: 'l', change: 'changed', from: ['a', 'b'], to: ['b', 'a'] },
  ]);
  assert.deepEqual(diffTrees({ l: [1, 2] }, { l: [1, 3, 4] }), [
    { path: 'l[1]', change: 'changed', from: 2, to: 3 },
    { path: 'l[2]', change: 'added', to: 4 },
  ]);
  assert.deepEqual(diffTrees({ a: 1 }, { a: 1 }), []);
});

test('diffManifests: keyed by kind, namespace and name; --ignore drops paths', () => {
  const a = [obj('ConfigMap', 'x', { data: { k: 'v' } }, 'ns'), obj('ClusterRole', 'r'), obj('Service', 's', {}, 'ns')];
  const b = [obj('ConfigMap', 'x', { data: { k: 'w' } }, 'ns'), obj('ClusterRole', 'r'), obj('Service', 's', {}, 'other')];
  const d = diffManifests(a, b);
  assert.equal(d.same, false);
  assert.equal(d.unchanged, 1);
  assert.deepEqual(
    d.objects.map((o) => `${o.status} ${o.key}`),
    ['changed ConfigMap ns/x', 'removed Service ns/s', 'added Service other/s'],
  );
  assert.equal(diffManifests(a, b, { ignore: ['data'] }).objects.filter((o) => o.status === 'changed').length, 0);
  assert.ok(diffManifests(a, a).same);
  const text = formatDiff(d, { a: 'a.yaml', b: 'b.yaml' });
  assert.match(text, /^~ ConfigMap ns\/x: 1 field differ\n {4}data\.k: "v" → "w"\n/);
  assert.match(text, /1 changed, 1 only in b\.yaml, 1 only in a\.yaml, 1 unchanged\.\n$/);
});

test('multi-line text changes show the first differing line', () => {
  const d = diffManifests([obj('ConfigMap', 'm', { data: { mesh: 'a: 1\nb: 2\n' } })], [obj('ConfigMap', 'm', { data: { mesh: 'a: 1\nb: 3\n' } })]);
  assert.match(formatDiff(d, { a: 'a', b: 'b' }), /data\.mesh: text differs from line 2: "b: 2" → "b: 3"/);
});

test('Secret values never appear in a diff, in text or JSON: only which keys were added, removed or changed', () => {
  const secret = (data: Record<string, string>, stringData?: Record<string, string>, lastApplied?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'istio-remote-secret-east',
      namespace: 'istio-system',
      ...(lastApplied ? { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } : {}),
    },
    type: 'Opaque',
    data,
    ...(stringData ? { stringData } : {}),
  });
  const a = [secret({ token: 'c2VjcmV0LW9sZA==', same: 'dW5jaGFuZ2Vk', gone: 'b2xkLWtleQ==' }, undefined, '{"data":{"token":"c2VjcmV0LW9sZA=="}}')];
  const b = [
    secret(
      { token: 'c2VjcmV0LW5ldw==', same: 'dW5jaGFuZ2Vk', fresh: 'bmV3LWtleQ==' },
      { kubeconfig: 'apiVersion: v1\nusers: [{token: plain-text-token}]' },
      '{"data":{"token":"c2VjcmV0LW5ldw=="}}',
    ),
  ];
  const d = diffManifests(a, b);
  const text = formatDiff(d, { a: 'a.yaml', b: 'b.yaml' });
  const json = JSON.stringify(d);
  for (const value of ['c2VjcmV0LW9sZA==', 'c2VjcmV0LW5ldw==', 'dW5jaGFuZ2Vk', 'b2xkLWtleQ==', 'bmV3LWtleQ==', 'plain-text-token']) {
    assert.ok(!text.includes(value), `text shows ${value}:\n${text}`);
    assert.ok(!json.includes(value), `JSON shows ${value}`);
  }
  assert.deepEqual(d.objects[0]!.changes.map((c) => `${c.path} ${c.change}`).sort(), [
    'data.fresh added',
    'data.gone removed',
    'data.token changed',
    'metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration changed',
    'stringData added',
  ]);
  assert.match(text, /data\.token: "\*\*\* \(before\)" → "\*\*\* \(after\)"/);
  assert.match(text, /stringData: added \{"kubeconfig":"\*\*\*"\}/);
  // Equal Secrets are equal.
  assert.ok(diffManifests(a, a).same);
});

test('long strings that differ late show the differing part; JSON strings are compared field by field (issue 12)', async () => {
  const { formatChange, differingParts } = await import('../../../src/render/diff.js');
  const head = 'x'.repeat(150);
  const line = formatChange({ path: 'data.k', change: 'changed', from: `${head}AAA tail`, to: `${head}BBB tail` });
  assert.match(line, /AAA/);
  assert.match(line, /BBB/);
  assert.match(line, /^data\.k: "…x+AAA tail" → "…x+BBB tail"$/);
  const [a, b] = differingParts('short', 'other');
  assert.deepEqual([a, b], ['"short"', '"other"']);
  const multi = formatChange({ path: 'data.config', change: 'changed', from: `a\n${head}one`, to: `a\n${head}two` });
  assert.match(multi, /^data\.config: text differs from line 2: "…x+one" → "…x+two"$/);
  const json = formatChange({
    path: 'data.values',
    change: 'changed',
    from: JSON.stringify({ global: { hub: 'a', tag: '1.31.1', pad: head } }),
    to: JSON.stringify({ global: { hub: 'a', tag: '1.31.2', pad: head } }),
  });
  assert.equal(json, 'data.values (JSON): global.tag: "1.31.1" → "1.31.2"');
});
