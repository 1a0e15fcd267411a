// analyze -n NS for a user whose rights end at NS (issue 11): a kind they may not list cluster-wide
// is read in NS, and the restriction is reported, instead of the whole analysis failing on a 403.
// The e2e test (test/e2e/rbac.e2e.test.ts) does the same against the real API server's RBAC.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCluster } from '../../../src/analyze/io/cluster.js';
import { KubeApiError, type KubeObject, type ListOptions } from '../../../src/kube/client.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';

/** A cluster where the user may list only in `allowed` (and get that Namespace). */
function scopedTo(allowed: string, objects: KubeObject[]): FakeKubeClient & { lists: string[] } {
  const kube = new FakeKubeClient(objects) as FakeKubeClient & { lists: string[] };
  kube.lists = [];
  const list = kube.list.bind(kube);
  kube.list = async (apiVersion: string, kind: string, options: ListOptions = {}) => {
    kube.lists.push(`${kind} ${options.namespace ?? '*'}`);
    if (options.namespace !== allowed) {
      throw new KubeApiError(403, 'Forbidden', `permission denied: may not list ${kind.toLowerCase()}s at the cluster scope`, kind);
    }
    return list(apiVersion, kind, options);
  };
  return kube;
}

const vs = (ns: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: ns },
  spec: { hosts: ['reviews'] },
});
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

test('a kind the user may not list cluster-wide is read in the namespace under analysis, and said so', async () => {
  const kube = scopedTo('shop', [vs('shop'), vs('other'), ns('shop'), ns('other')]);
  const snapshot = await readCluster(kube, ['VirtualService', 'Namespace'], { fallbackNamespace: 'shop' });
  assert.deepEqual(snapshot.resources.map((r) => `${r.kind} ${r.namespace ?? ''}/${r.name}`).sort(), ['Namespace /shop', 'VirtualService shop/reviews']);
  assert.deepEqual(snapshot.restricted, [
    { kind: 'Namespace', readIn: 'shop' },
    { kind: 'VirtualService', readIn: 'shop' },
  ]);
  assert.ok(kube.lists.includes('VirtualService shop'), kube.lists.join(', '));
});

test('without a namespace to fall back to (analyze -A), a 403 still fails the read', async () => {
  const kube = scopedTo('shop', [vs('shop')]);
  await assert.rejects(readCluster(kube, ['VirtualService']), (e: unknown) => e instanceof KubeApiError && e.status === 403);
});
