// A cluster's Pods are read as summaries (src/kube/client.ts podSummary, protobuf from a real API
// server): every analyzer must find the same on a summary as on the whole pod.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ANALYZER_FILES } from '../../../src/analyze/analyzers/index.js';
import { formatMessages } from '../../../src/analyze/format.js';
import { readCluster } from '../../../src/analyze/io/cluster.js';
import { clusterResource, parseManifests } from '../../../src/analyze/load.js';
import { DEFAULT_SETTINGS, runAnalyzers } from '../../../src/analyze/runner.js';
import { ResourceStore } from '../../../src/analyze/store.js';
import { parseFixtures } from '../../../src/analyze/tester.js';
import type { Resource } from '../../../src/analyze/types.js';
import { podSummary } from '../../../src/kube/client.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';

test('every analyzer finds the same on the fixtures with their Pods as cluster pod summaries as with the whole Pods', () => {
  let withPods = 0;
  let podFindings = 0;
  for (const [file, analyzer] of Object.entries(ANALYZER_FILES)) {
    if (!(analyzer.meta.inputs as readonly string[]).includes('Pod')) continue;
    const fixtures = parseFixtures(readFileSync(`src/analyze/analyzers/${file}.fixtures.yaml`, 'utf8'));
    for (const c of [...fixtures.valid, ...fixtures.invalid]) {
      const parsed = parseManifests(c.objects, { file: 'fixture.yaml', defaultNamespace: 'default' }).resources;
      if (!parsed.some((r) => r.id === 'Pod')) continue;
      withPods++;
      const settings = { ...DEFAULT_SETTINGS, meshConfig: { ...fixtures.meshConfig, ...c.meshConfig } };
      const run = (resources: Resource[]): string =>
        formatMessages(runAnalyzers({ store: ResourceStore.of(resources), analyzers: [analyzer], settings }).messages, 'json', { istioMinor: '1.31' });
      // As the cluster reader makes them: uid and status are what the API server adds.
      const whole = parsed.map((r) =>
        clusterResource(r.id, r.id === 'Pod' ? { ...r.object, metadata: { uid: `uid-${r.name}`, ...r.object.metadata } } : r.object),
      );
      const summarized = whole.map((r) => (r.id === 'Pod' ? clusterResource('Pod', podSummary(r.object)) : r));
      const expected = run(whole);
      assert.equal(run(summarized), expected, `${file}: ${c.name}`);
      if (expected.includes('"origin": "Pod ')) podFindings++;
    }
  }
  assert.ok(withPods >= 20, `${withPods} fixture cases with Pods`);
  assert.ok(podFindings >= 5, `${podFindings} fixture cases with findings on Pods`);
});

test('the cluster reader lists Pods as summaries: what analysis reads, not managedFields, volumes, env or conditions', async () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
      creationTimestamp: '2026-12-03T10:00:00Z',
      labels: { app: 'web' },
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: {
      hostNetwork: true,
      securityContext: { runAsUser: 1337, fsGroup: 2000 },
      volumes: [{ name: 'data' }],
      containers: [
        {
          name: 'app',
          image: 'web:1',
          env: [{ name: 'A', value: 'b' }],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 9090 }],
        },
      ],
    },
    status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const kube = new FakeKubeClient([pod]);
  const snap = await readCluster(kube, ['Pod']);
  const { resourceVersion: _rv, ...metadata } = snap.resources[0]!.object.metadata;
  assert.deepEqual(
    { ...snap.resources[0]!.object, metadata },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'shop', uid: 'u1', creationTimestamp: '2026-12-03T10:00:00Z', labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'app', image: 'web:1', ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }] }],
        hostNetwork: true,
        securityContext: { runAsUser: 1337 },
      },
      status: { phase: 'Running', podIP: '10.0.0.1' },
    },
  );
});
