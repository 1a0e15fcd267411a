import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterMeshConfig } from '../../../src/cli/actions/analyze.js';
import { KubeApiError } from '../../../src/kube/client.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';

test("the cluster's mesh config that cannot be read is a warning, not a silent fallback to defaults", async () => {
  const kube = new FakeKubeClient();
  kube.get = async () => {
    throw new KubeApiError(
      403,
      'Forbidden',
      'ConfigMap istio-system/istio: permission denied: may not get configmaps in namespace istio-system',
      'ConfigMap istio-system/istio',
    );
  };
  const warnings: string[] = [];
  assert.equal(await clusterMeshConfig(kube, 'istio-system', 'default', (s) => warnings.push(s)), undefined);
  assert.deepEqual(warnings, [
    'cannot read the mesh config (ConfigMap istio-system/istio): ConfigMap istio-system/istio: permission denied: may not get configmaps in namespace istio-system; analysing with the default mesh config (--meshConfigFile gives one)',
  ]);
  // Absent is not an error: the defaults apply without a word.
  const none: string[] = [];
  assert.equal(await clusterMeshConfig(new FakeKubeClient(), 'istio-system', 'canary', (s) => none.push(s)), undefined);
  assert.deepEqual(none, []);
});

test('a mesh config ConfigMap whose data.mesh is not YAML is a warning too', async () => {
  const kube = new FakeKubeClient([
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'a: [unclosed' } },
  ]);
  const warnings: string[] = [];
  assert.equal(await clusterMeshConfig(kube, 'istio-system', 'default', (s) => warnings.push(s)), undefined);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^cannot read the mesh config \(ConfigMap istio-system\/istio\): /);
});
