// What a user whose rights end at their namespace can do (docs/rbac.md): analyze, rollout-restart
// and proxy-status on their namespace, authenticated with a ServiceAccount token (bearer auth, as
// exec-credential plugins of cloud clusters give), bound to the built-in `admin` ClusterRole in that
// namespace only; proxy-status also needs the small Role in the control-plane namespace that the
// docs list. All against the real API server's RBAC and the real istiod.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { refOf } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import { istioCrds } from '../../src/model/istio/crds.js';
import { clusterPortForward, localIstiods, runMesh, startControlPlane, waitFor, type ControlPlane, type RunResult } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();

describe('a namespace-scoped user', { skip: cp.skip, concurrency: 1 }, () => {
  let ns = '';
  let istioNs = '';
  let userKubeconfig = '';
  const asUser = (args: string[]): Promise<RunResult> => runMesh({ kubeconfigPath: userKubeconfig }, args, { timeoutMs: 120_000 });
  const show = (r: RunResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  // A revision of its own, removed at the end: its webhook configurations are cluster-scoped.
  const rev = `rbac-${Date.now().toString(36)}`;
  after(async () => {
    const r = await runMesh(cp, ['uninstall', '-r', rev, '-y'], { timeoutMs: 120_000 });
    await cp.release();
    assert.equal(r.code, 0, show(r));
  });

  before(async () => {
    const kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    for (const crd of istioCrds()) await kube.apply(crd, { fieldManager: 'mesh-e2e-rbac', force: true });
    for (const crd of istioCrds()) {
      await waitFor(`CRD ${crd.metadata.name} Established`, async () => {
        const live = (await kube.get(refOf(crd))) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
        return live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      });
    }
    istioNs = await cp.freshNamespace('istio-rbac');
    const install = await runMesh(
      cp,
      ['install', '--profile', 'minimal', '-r', rev, '--set', `namespace=${istioNs}`, '--set', 'values.pilot.autoscaleEnabled=false', '-y'],
      { timeoutMs: 240_000 },
    );
    assert.equal(install.code, 0, show(install));

    ns = await cp.freshNamespace('dev', { 'istio-injection': 'disabled' });
    const objects = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'dev', namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'dev-admin', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'dev', namespace: ns }],
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'web', namespace: ns },
        spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'nosuch' } }] }] },
      },
    ];
    for (const o of objects) await kube.apply(o, { fieldManager: 'mesh-e2e-rbac', force: true });
    const rbac = cp.kube.kc.makeApiClient(RbacAuthorizationV1Api);
    // The built-in admin role knows nothing of Istio's kinds: an app team gets them with a Role
    // like this one (docs/rbac.md).
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'istio-config-editor' },
        rules: [
          {
            apiGroups: ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
            resources: ['*'],
            verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
          },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'dev-istio-config' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'istio-config-editor' },
        subjects: [{ kind: 'ServiceAccount', name: 'dev', namespace: ns }],
      },
    });
    // proxy-status in the control-plane namespace: exactly the Role docs/rbac.md gives.
    await rbac.createNamespacedRole({
      namespace: istioNs,
      body: {
        metadata: { name: 'mesh-proxy-status' },
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
          { apiGroups: [''], resources: ['pods/portforward'], verbs: ['get', 'create'] },
          { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['default'], verbs: ['create'] },
          { apiGroups: [''], resources: ['configmaps'], resourceNames: ['istio-ca-root-cert'], verbs: ['get'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: istioNs,
      body: {
        metadata: { name: 'dev-proxy-status' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'mesh-proxy-status' },
        subjects: [{ kind: 'ServiceAccount', name: 'dev', namespace: ns }],
      },
    });
    const token = await cp.kube.core.createNamespacedServiceAccountToken({
      name: 'dev',
      namespace: ns,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const cluster = cp.kube.kc.getCurrentCluster()!;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'dev', token: token.status!.token! }],
      contexts: [{ name: 'dev', cluster: cluster.name, user: 'dev', namespace: ns }],
      currentContext: 'dev',
    });
    userKubeconfig = join(mkdtempSync(join(tmpdir(), 'mesh-rbac-')), 'config');
    writeFileSync(userKubeconfig, kc.exportConfig());
  });

  it('authenticates with a bearer token, and is refused what the namespace does not grant', async () => {
    const r = await asUser(['analyze', '-A']);
    assert.equal(r.code, 1, show(r));
    // The kinds are listed in parallel: whichever refusal comes first is the one named.
    assert.match(
      r.stderr,
      /permission denied: may not list \S+ in (all namespaces|namespace [\w-]+) \(403 Forbidden: .*system:serviceaccount:dev-\w+:dev/,
      show(r),
    );
  });

  it('analyze -n NS reads the namespace, says what it could not read, and finds the mistake in it', async () => {
    const r = await asUser(['analyze', '-n', ns, '-i', istioNs, '-o', 'json']);
    assert.equal(r.code, 79, show(r));
    const findings = JSON.parse(r.stdout) as { code: string; origin: string }[];
    assert.ok(
      findings.some((f) => f.code === 'IST0101' && f.origin.includes(`VirtualService ${ns}/web`)),
      r.stdout,
    );
    assert.match(r.stderr, /you may not list every kind cluster-wide \(403\): .*read in namespace dev-\w+ only/);
    assert.ok(!/permission denied: .*\n(?!.*analyz)/.test(r.stderr.replace(/^Warning: .*$/gm, '')), show(r));
    assert.match(r.stderr, /^Error: Analyzers found issues when analyzing namespace: dev-\w+\.$/m);
  });

  it('precheck: the install rights are missing (IST0141, exit 79); what the user may not read is said, not fatal', async () => {
    const r = await asUser(['precheck', '-i', istioNs, '-o', 'json']);
    assert.equal(r.code, 79, show(r));
    const checks = (JSON.parse(r.stdout) as { checks: { category: string; check: string; status: string; message: string; code?: string }[] }).checks;
    const install = checks.find((c) => c.category === 'permissions' && c.check === 'install');
    assert.equal(install?.status, 'fail', show(r));
    assert.equal(install?.code, 'IST0141');
    assert.match(install?.message ?? '', /^you may not create .*customresourcedefinitions\.apiextensions\.k8s\.io/);
    const read = checks.find((c) => c.category === 'permissions' && c.check === 'read');
    assert.match(read?.message ?? '', /^you may not read .*CustomResourceDefinition.*\(403\)/, show(r));
    assert.match(r.stderr, /^Warning: (the config deprecation checks did not run: |you may not list every kind cluster-wide)/m);
  });

  it('rollout-restart -n NS --all restarts the namespace', async () => {
    const r = await asUser(['rollout-restart', '-n', ns, '--all', '-y', '-i', istioNs, '--timeout', '2m']);
    assert.equal(r.code, 0, show(r));
    const d = await cp.kube.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    assert.ok(d.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], 'restarted');
  });

  it('proxy-status without port-forward rights says so, naming the permission', async () => {
    const rbac = cp.kube.kc.makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readNamespacedRole({ name: 'mesh-proxy-status', namespace: istioNs });
    const rules = role.rules ?? [];
    await rbac.replaceNamespacedRole({
      name: 'mesh-proxy-status',
      namespace: istioNs,
      body: { ...role, rules: rules.filter((r) => !r.resources?.includes('pods/portforward')) },
    });
    try {
      const r = await asUser(['proxy-status', '-n', ns, '-i', istioNs, '--timeout', '30s']);
      assert.equal(r.code, 1, show(r));
      assert.match(
        r.stderr,
        /^Error: istiod \S+: permission denied: may not port-forward to pods in namespace istio-rbac-\w+ .*kubectl auth can-i create pods\/portforward/m,
        show(r),
      );
    } finally {
      const now = await rbac.readNamespacedRole({ name: 'mesh-proxy-status', namespace: istioNs });
      await rbac.replaceNamespacedRole({ name: 'mesh-proxy-status', namespace: istioNs, body: { ...now, rules } });
    }
  });

  it('proxy-status -n NS reaches the real istiod with the Role of docs/rbac.md', async () => {
    // kwok's pods have no ports: the istiod pod's xDS and monitoring ports go to the real istiod process.
    const istiod = await waitFor('the real istiod of the install', async () => (await localIstiods(cp)).find((i) => i.ns === istioNs && i.exited === null));
    for (const [port, target] of [
      [15012, istiod.ports.secureGrpc],
      [15014, istiod.ports.monitoring],
    ] as const) {
      after(await clusterPortForward(cp, { namespaces: [istioNs], ports: [port], target: { address: '127.0.0.1', port: target } }));
    }
    const r = await asUser(['proxy-status', '-n', ns, '-i', istioNs, '-o', 'json', '--timeout', '60s']);
    assert.ok(r.code === 0 || r.code === 79, show(r));
    assert.ok(!/permission denied|Forbidden/.test(r.stderr), show(r));
    assert.doesNotMatch(r.stderr, /instead/, 'read over xDS, no fallback to HTTP');
    JSON.parse(r.stdout);
  });
});
