// The render parity comparison itself (scripts/parity/compare.mjs), without istioctl.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALLOW } from '../../../scripts/parity/allow.mjs';
import { allowed, compareManifests, covered, grants, type KubeDoc } from '../../../scripts/parity/compare.mjs';

const role = (rules: unknown[]): KubeDoc => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules });

test('RBAC rules compare as single grants: order and grouping do not count, wildcards cover', () => {
  const a = grants([{ apiGroups: ['', 'apps'], resources: ['pods'], verbs: ['get', 'list'] }]);
  assert.deepEqual([...a].sort(), ['apps/pods:get', 'apps/pods:list', 'core/pods:get', 'core/pods:list']);
  assert.ok(covered('gateway.networking.k8s.io/gateways:get', grants([{ apiGroups: ['gateway.networking.k8s.io'], resources: ['*'], verbs: ['get'] }])));
  assert.ok(!covered('gateway.networking.k8s.io/gateways:patch', grants([{ apiGroups: ['gateway.networking.k8s.io'], resources: ['*'], verbs: ['get'] }])));
  assert.ok(
    covered('networking.k8s.io/ingresses/status:update', grants([{ apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['*'] }])),
  );
  const r = compareManifests(
    [
      role([
        { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
      ]),
    ],
    [role([{ apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get'] }])],
  );
  assert.deepEqual(r.differing, []);
  assert.deepEqual(r.rbacBroader, []);
});

test('a grant istioctl does not give is reported as broader', () => {
  const r = compareManifests(
    [role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }])],
    [role([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }])],
  );
  assert.deepEqual(r.rbacBroader, ['ClusterRole//r: core/pods:delete']);
  assert.deepEqual(
    r.differing[0]?.diffs.map((d) => d.path),
    ['rules[core/pods:delete]'],
  );
});

test('normalisation: Helm labels, install-time owner labels, nulls; named lists by name; ConfigMap documents as data', () => {
  const ic: KubeDoc = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio', namespace: 'istio-system', labels: { 'helm.sh/chart': 'istiod-1.0.0', 'operator.istio.io/component': 'Pilot' } },
    data: { mesh: 'trustDomain: cluster.local\ndefaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n' },
  };
  const me: KubeDoc = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio', namespace: 'istio-system', labels: { 'operator.istio.io/component': 'Pilot', 'operator.istio.io/managed': 'Reconcile' } },
    data: { mesh: 'defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15010\ntrustDomain: "cluster.local"\n' },
  };
  const r = compareManifests([ic], [me]);
  assert.deepEqual(r.differing[0]?.diffs, [
    { path: 'data.mesh.defaultConfig.discoveryAddress', istioctl: 'istiod.istio-system.svc:15012', mesh: 'istiod.istio-system.svc:15010' },
  ]);
  const dep = (env: unknown[], affinity: unknown): KubeDoc => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { template: { spec: { affinity, containers: [{ name: 'c', env }] } } },
  });
  const same = compareManifests(
    [
      dep(
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        { nodeAffinity: { required: null } },
      ),
    ],
    [
      dep(
        [
          { name: 'B', value: '2' },
          { name: 'A', value: '1' },
        ],
        undefined,
      ),
    ],
  );
  assert.deepEqual(same.differing, []);
});

test('the allow-list matches by case, object and path', () => {
  assert.ok(allowed(ALLOW, 'demo', 'Namespace//istio-system', ''));
  assert.ok(allowed(ALLOW, 'demo', 'ConfigMap/istio-system/values-canary', 'data.merged-values.pilot.env'));
  assert.equal(allowed(ALLOW, 'demo', 'ConfigMap/istio-system/istio', 'data.mesh.trustDomain'), undefined);
  assert.equal(allowed(ALLOW, 'default', 'Deployment/istio-system/my-gateway', 'metadata.labels.app'), undefined);
});
