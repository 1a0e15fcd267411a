// mesh install / uninstall / verify-install / version --remote against the local control plane.
// The tests run in order and share one installation in a control-plane namespace of their own
// (--set namespace=...), so they do not disturb other suites' installations; only the final
// --purge is cluster-wide (it removes the Istio CRDs), so it runs last.
// kwok makes pods Ready; the harness runs the real istiod for each installed revision (webhooks, CA).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runMesh, startControlPlane, waitFor, type ControlPlane, type RunResult } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();

describe('mesh install', { skip: cp.skip, concurrency: 1 }, () => {
  let ns = '';
  const rev = `canary-${randomBytes(2).toString('hex')}`;
  // Replica count must be ours, not the HPA's, for the override test.
  const base = (): string[] => ['--set', `namespace=${ns}`, '--set', 'values.pilot.autoscaleEnabled=false'];
  const mesh = (args: string[], timeoutMs = 240_000): Promise<RunResult> => runMesh(cp, args, { timeoutMs });
  const ok = (r: RunResult): void => assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

  before(async () => {
    ns = await cp.freshNamespace('istio-e2e');
  });
  after(() => cp.release());

  const deployment = async (name: string) => {
    try {
      return await cp.kube.apps.readNamespacedDeployment({ name, namespace: ns });
    } catch {
      return undefined;
    }
  };
  /** resourceVersion of every object this installation owns in its namespace. */
  const versions = async (): Promise<string[]> => {
    const sel = { namespace: ns, labelSelector: 'operator.istio.io/component' };
    const lists = await Promise.all([
      cp.kube.apps.listNamespacedDeployment(sel),
      cp.kube.core.listNamespacedService(sel),
      cp.kube.core.listNamespacedConfigMap(sel),
      cp.kube.core.listNamespacedServiceAccount(sel),
    ]);
    return lists.flatMap((l) => l.items.map((o) => `${o.kind ?? ''}${o.metadata?.name}@${o.metadata?.resourceVersion}`)).sort();
  };

  /** An IstioOperator file patching istiod's Deployment by path (k8s.overlays). */
  const overlay = (patches: { path: string; value: unknown }[]): string => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-e2e-overlay-'));
    const file = join(dir, 'overlay.yaml');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'install.istio.io/v1alpha1',
        kind: 'IstioOperator',
        spec: { components: { pilot: { k8s: { overlays: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'istiod', patches }] } } } },
      }),
    );
    return file;
  };

  it('install --dry-run=server has the API server check the new objects too, and changes nothing', async () => {
    const seccomp = overlay([{ path: 'spec.template.metadata.annotations.seccomp\\.security\\.alpha\\.kubernetes\\.io/pod', value: 'runtime/default' }]);
    const r = await mesh(['install', '--profile', 'minimal', ...base(), '-f', seccomp, '--dry-run=server']);
    ok(r);
    assert.match(r.stdout, /create\s+Istiod\s+Deployment\/[\w-]+\/istiod\s+accepted by the API server \(dry run\)/, r.stdout);
    // The API server's own warnings are passed on, as kubectl does.
    assert.match(r.stderr, /^Warning: .*seccomp\.security\.alpha\.kubernetes\.io\/pod.*$/m, r.stderr);
    assert.match(r.stderr, /\(dry run: nothing was changed\)/);
    assert.equal(await deployment('istiod'), undefined, 'nothing was created');
  });

  it('an overlay with a field Kubernetes does not know fails with exit 65 before anything changes', async () => {
    const typo = overlay([{ path: 'spec.template.spec.priorityClassNme', value: 'high' }]);
    for (const args of [['--dry-run=server'], ['-y']]) {
      const r = await mesh(['install', '--profile', 'minimal', ...base(), '-f', typo, ...args]);
      assert.equal(r.code, 65, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      const error = r.stderr.split('\n').filter((l) => l.startsWith('Error:'));
      assert.equal(error.length, 1, r.stderr);
      assert.match(error[0]!, /apply Deployment [\w-]+\/istiod: .*priorityClassNme/);
      assert.match(error[0]!, /nothing was changed/);
    }
    assert.equal(await deployment('istiod'), undefined, 'nothing was created');
    assert.deepEqual(await versions(), [], 'no object of this installation exists');
  });

  it('installs the demo profile and waits until every component is ready', async () => {
    const r = await mesh(['install', '--profile', 'demo', ...base(), '-y', '--readiness-timeout', '3m']);
    ok(r);
    for (const line of [
      '✔ Istio core installed ⛵️',
      '✔ Istiod installed 🧠',
      '✔ Ingress gateways installed 🛬',
      '✔ Egress gateways installed 🛫',
      '✔ Installation complete',
    ]) {
      assert.ok(r.stderr.includes(line), `missing "${line}" in:\n${r.stderr}`);
    }
    for (const name of ['istiod', 'istio-ingressgateway', 'istio-egressgateway']) {
      const d = await deployment(name);
      assert.ok(d, `${name} exists`);
      assert.equal(d.status?.availableReplicas, d.spec?.replicas, `${name} is available when install returns`);
      assert.equal(d.metadata?.labels?.['install.operator.istio.io/owning-resource-namespace'], ns);
    }
  });

  it('re-installing the same input changes nothing and says so', async () => {
    const before = await versions();
    const r = await mesh(['install', '--profile', 'demo', ...base(), '-y']);
    ok(r);
    assert.match(r.stderr, /No changes: the \d+ rendered objects already match the cluster\./);
    assert.match(r.stderr, /✔ Installation complete \(nothing changed\)/);
    assert.deepEqual(await versions(), before);
  });

  it('refuses to change anything without a terminal to confirm on and without -y', async () => {
    const before = await versions();
    const r = await mesh(['install', '--profile', 'demo', ...base(), '--set', 'components.pilot.k8s.replicaCount=2']);
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, /refusing to install without confirmation: stdin is not a terminal; pass -y/);
    assert.deepEqual(await versions(), before);
  });

  it('applies an override (istiod replicas) and waits for the rollout', async () => {
    const r = await mesh(['install', '--profile', 'demo', ...base(), '--set', 'components.pilot.k8s.replicaCount=2', '-y']);
    ok(r);
    // istiod's Deployment and ConfigMap change, and two replicas bring a PodDisruptionBudget
    assert.match(r.stderr, /Plan: \d+ to create, [1-9]\d* to update, \d+ unchanged, 0 to prune\./);
    const d = await deployment('istiod');
    assert.equal(d?.spec?.replicas, 2);
    assert.equal(d?.status?.availableReplicas, 2, 'waited for the second replica');
  });

  it('prunes a component that the profile no longer enables (demo → default drops the egress gateway)', async () => {
    const r = await mesh(['install', '--profile', 'default', ...base(), '--set', 'components.pilot.k8s.replicaCount=2', '-y']);
    ok(r);
    assert.ok(r.stderr.includes(`Removed Deployment/${ns}/istio-egressgateway.`), r.stderr);
    assert.equal(await deployment('istio-egressgateway'), undefined);
    assert.ok(await deployment('istio-ingressgateway'));
  });

  it('verify-install passes on the installation, then detects a drifted and a deleted object', async () => {
    const flags = ['--profile', 'default', ...base(), '--set', 'components.pilot.k8s.replicaCount=2'];
    const clean = await mesh(['verify-install', ...flags]);
    ok(clean);
    assert.match(clean.stdout, /✔ All \d+ objects match the rendered profile and are ready\./);

    await cp.kube.apps.patchNamespacedDeployment({ name: 'istiod', namespace: ns, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    await cp.kube.core.deleteNamespacedConfigMap({ name: 'istio', namespace: ns });
    const r = await mesh(['verify-install', ...flags]);
    assert.equal(r.code, 79, r.stderr);
    assert.match(r.stdout, new RegExp(`Istiod\\s+ConfigMap/${ns}/istio\\s+missing`));
    assert.match(r.stdout, new RegExp(`Istiod\\s+Deployment/${ns}/istiod\\s+differs\\s+spec\\.replicas`));
    assert.match(r.stderr, /does not match the rendered profile "default": 1 missing, 1 differ/);

    const json = await mesh(['verify-install', ...flags, '-o', 'json']);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; summary: Record<string, number> };
    assert.equal(parsed.ok, false);
    assert.equal(parsed.summary['missing'], 1);

    // and install converges again
    ok(await mesh(['install', ...flags, '-y']));
    ok(await mesh(['verify-install', ...flags]));
  });

  it('installs a revision beside the default control plane, reports both, and uninstalls only that revision', async () => {
    const r = await mesh(['install', '--profile', 'minimal', '--set', `namespace=${ns}`, '-r', rev, '-y']);
    ok(r);
    const canary = await deployment(`istiod-${rev}`);
    assert.equal(canary?.metadata?.labels?.['istio.io/rev'], rev);
    assert.equal(canary?.status?.availableReplicas, canary?.spec?.replicas);
    assert.ok(await deployment('istiod'), 'the default control plane is still there');

    const v = await mesh(['version', '--remote']);
    ok(v);
    assert.match(v.stdout, new RegExp(`control plane version: 1\\.31\\.\\d+ \\(revision default, ${ns}/istiod\\)`));
    assert.match(v.stdout, new RegExp(`control plane version: 1\\.31\\.\\d+ \\(revision ${rev}, ${ns}/istiod-${rev}\\)`));
    assert.match(v.stdout, /data plane version: 1\.31\.\d+ \(\d+ prox(y|ies)\)/);

    const u = await mesh(['uninstall', '-r', rev, '-y']);
    ok(u);
    assert.match(u.stderr, /✔ Uninstall complete/);
    assert.equal(await deployment(`istiod-${rev}`), undefined);
    assert.ok(await deployment('istiod'), 'uninstalling a revision leaves the default one');
  });

  it('a canary whose profile has a gateway leaves the running gateway and the CRDs to the revision that installed them, and uninstalling it keeps them (issue 12)', async () => {
    // The issue: after the default install, `install -r REV` (profile default, with the ingress gateway)
    // relabelled the gateway and every CRD, and `uninstall -r REV` then removed the production gateway.
    const canaryRev = `${rev}-gw`;
    const flags = ['--profile', 'default', ...base(), '--set', 'components.pilot.k8s.replicaCount=2'];
    const crd = async () =>
      (
        await cp.kube.objects.read({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'virtualservices.networking.istio.io' },
        })
      ).metadata;
    const gwBefore = await deployment('istio-ingressgateway');
    assert.equal(gwBefore?.metadata?.labels?.['istio.io/rev'], 'default');
    const crdBefore = await crd();

    const r = await mesh(['install', '--profile', 'default', '--set', `namespace=${ns}`, '-r', canaryRev, '-y']);
    ok(r);
    assert.match(r.stderr, /Plan: \d+ to create, 0 to update, \d+ unchanged, 0 to prune, \d+ left to another revision\./);
    assert.ok(r.stderr.includes(`Deployment/${ns}/istio-ingressgateway`), r.stderr);
    assert.match(r.stderr, /Left to revision default, which installed them: /);
    const gwAfter = await deployment('istio-ingressgateway');
    assert.equal(gwAfter?.metadata?.labels?.['istio.io/rev'], 'default', 'the gateway stays with the default revision');
    assert.equal(gwAfter?.metadata?.resourceVersion, gwBefore?.metadata?.resourceVersion, 'the gateway is not changed');
    const crdAfter = await crd();
    assert.equal(crdAfter?.labels?.['istio.io/rev'], crdBefore?.labels?.['istio.io/rev'], 'the CRDs keep their owner');
    assert.ok(await deployment(`istiod-${canaryRev}`));

    const u = await mesh(['uninstall', '-r', canaryRev, '-y']);
    ok(u);
    assert.equal(await deployment(`istiod-${canaryRev}`), undefined);
    assert.ok(await deployment('istio-ingressgateway'), 'the production gateway is still there');
    assert.ok(await deployment('istiod'));
    const v = await mesh(['verify-install', ...flags]);
    ok(v);
    assert.match(v.stdout, /✔ All \d+ objects match the rendered profile and are ready\./);
  });

  it('names the unready object and why when a component does not become ready in time', async () => {
    const r = await mesh(['install', '--profile', 'default', ...base(), '--set', 'tag=0.0.0-unpullable', '--readiness-timeout', '10s', '-y']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /✘ Istiod encountered an error: resources not ready after 10s/);
    assert.ok(
      r.stderr.includes(
        `Deployment/${ns}/istiod (container discovery failed to start: ImagePullBackOff: Back-off pulling image "registry.istio.io/release/pilot:0.0.0-unpullable`,
      ) || /Deployment\/\S+\/istiod \(container discovery failed to start: ImagePullBackOff/.test(r.stderr),
      r.stderr,
    );
    assert.match(r.stderr, /Ingress gateways was not installed because Istiod failed/);
  });

  it('uninstall --purge removes every component and the Istio CRDs, and says so', async () => {
    const dry = await mesh(['uninstall', '--purge', '--dry-run']);
    ok(dry);
    assert.match(dry.stdout, /CustomResourceDefinition\/virtualservices\.networking\.istio\.io/);
    assert.match(dry.stdout, new RegExp(`Deployment/${ns}/istiod`));
    const r = await mesh(['uninstall', '--purge', '-y']);
    ok(r);
    assert.match(r.stderr, /These gateways will be removed, with the traffic they serve: .*istio-ingressgateway/);
    assert.match(r.stderr, /✔ Uninstall complete/);
    assert.equal(await deployment('istiod'), undefined);
    // CRD deletion finishes once the API server has removed the CRD's objects
    await waitFor('the VirtualService CRD to be gone', async () => {
      try {
        await cp.kube.objects.read({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'virtualservices.networking.istio.io' },
        });
        return false;
      } catch {
        return true;
      }
    });
  });
});
