// mesh precheck on the real API server: its SelfSubjectAccessReviews, the version, the webhooks the
// real istiod patched, and a cluster broken on purpose (a namespace labelled for no revision, a
// webhook whose Service is gone).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ControlPlane, runMesh, startControlPlane, type RunResult } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
const show = (r: RunResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

interface Report {
  kind: string;
  checks: { category: string; check: string; status: string; message: string; code?: string }[];
}

describe('mesh precheck', { skip: cp.skip, concurrency: 1 }, () => {
  const rev = `pc-${Date.now().toString(36)}`;
  before(async () => {
    const r = await runMesh(cp, ['install', '--profile', 'minimal', '-r', rev, '-y', '--readiness-timeout', '3m'], { timeoutMs: 240_000 });
    assert.equal(r.code, 0, show(r));
  });
  after(async () => {
    await runMesh(cp, ['uninstall', '-r', rev, '-y'], { timeoutMs: 240_000 });
    await cp.kube.kc
      .makeApiClient((await import('@kubernetes/client-node')).AdmissionregistrationV1Api)
      .deleteMutatingWebhookConfiguration({ name: 'istio-precheck-orphan' })
      .catch(() => undefined);
    await cp.release();
  });

  it('a healthy install: every check passes, exit 0; the install rights are really asked', async () => {
    const r = await runMesh(cp, ['precheck', '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    const bad = report.checks.filter((c) => c.status === 'fail');
    // Other suites may leave namespaces behind; only this suite's breakage counts here.
    assert.deepEqual(
      bad.filter((c) => c.category !== 'namespaces' && c.category !== 'webhooks'),
      [],
      show(r),
    );
    const by = new Map(report.checks.map((c) => [`${c.category}/${c.check}`, c]));
    const msg = (key: string): string => by.get(key)?.message ?? `no check ${key} in ${r.stdout}`;
    assert.match(msg('kubernetes/version'), /^Kubernetes v1\.\d+\.\d+ is supported by Istio 1\.31$/);
    assert.match(msg('permissions/install'), /^you may create every kind an install writes \(11 checked\)$/);
    assert.match(msg('control-plane/revisions'), new RegExp(`revisions: .*\\b${rev}\\b`));
    // istiod writes istio-ca-root-cert once it has started; when it is there, it must be valid.
    if (by.has('certificates/root-ca')) assert.match(msg('certificates/root-ca'), /^Istio's root certificate is valid until \d{4}-\d\d-\d\d$/);
    assert.ok(by.has('config/deprecations'), 'the deprecation checks ran');
  });

  it('config 1.31 deprecates is a warning with its code; --from-version checks what changed since then', async () => {
    const ns = await cp.freshNamespace('pc-deprecated');
    await cp.kube.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: ns,
      plural: 'virtualservices',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'slow' },
        spec: { hosts: ['slow'], http: [{ fault: { delay: { percent: 50, fixedDelay: '1s' } }, route: [{ destination: { host: 'slow' } }] }] },
      },
    });
    const r = await runMesh(cp, ['precheck', '-o', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    const dep = report.checks.filter((c) => c.category === 'config' && c.message.startsWith(`VirtualService ${ns}/slow: `));
    assert.deepEqual(
      dep.map((c) => [c.status, c.code]),
      [['warn', 'IST0002']],
      show(r),
    );
    assert.match(dep[0]!.message, /fault\.delay\.percent is deprecated/);

    await cp.kube.core.createNamespacedService({ namespace: 'istio-system', body: { metadata: { name: 'zipkin' }, spec: { ports: [{ port: 9411 }] } } });
    try {
      const old = await runMesh(cp, ['precheck', '--from-version', '1.21', '-o', 'json']);
      const checks = (JSON.parse(old.stdout) as Report).checks.filter((c) => c.category === 'compatibility');
      assert.deepEqual(
        checks.map((c) => `${c.status} ${c.check}`),
        ['warn from-version', 'warn tracing'],
        show(old),
      );
      assert.match(checks[1]!.message, /^Service istio-system\/zipkin exists: since 1\.22 proxies no longer send traces/);
      const recent = await runMesh(cp, ['precheck', '-f', '1.30', '-o', 'json']);
      assert.deepEqual(
        (JSON.parse(recent.stdout) as Report).checks.filter((c) => c.category === 'compatibility').map((c) => `${c.status} ${c.check}`),
        ['ok from-version'],
      );
      const bad = await runMesh(cp, ['precheck', '--from-version', '2.0']);
      assert.equal(bad.code, 64, show(bad));
      assert.match(bad.stderr, /^Error: -f\/--from-version: "2\.0": Istio versions are 1\.N/m);
    } finally {
      await cp.kube.core.deleteNamespacedService({ name: 'zipkin', namespace: 'istio-system' }).catch(() => undefined);
    }
  });

  it('broken on purpose: a namespace labelled for no revision and a webhook without its Service fail, exit 79', async () => {
    const ns = await cp.freshNamespace('pc-legacy', { 'istio.io/rev': 'nosuch-rev' });
    await cp.kube.kc.makeApiClient((await import('@kubernetes/client-node')).AdmissionregistrationV1Api).createMutatingWebhookConfiguration({
      body: {
        metadata: { name: 'istio-precheck-orphan' },
        webhooks: [
          {
            name: 'orphan.sidecar-injector.istio.io',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            namespaceSelector: { matchLabels: { 'precheck-orphan': 'x' } },
            clientConfig: { service: { name: 'istiod-gone', namespace: 'istio-system' } },
          },
        ],
      },
    });
    const r = await runMesh(cp, ['precheck']);
    assert.equal(r.code, 79, show(r));
    assert.match(
      r.stdout,
      new RegExp(`^FAIL +namespaces +revision-labels +namespaces labelled for a revision that is not installed: .*${ns} \\(istio\\.io/rev=nosuch-rev\\)`, 'm'),
    );
    assert.match(
      r.stdout,
      /^FAIL +webhooks +service +MutatingWebhookConfiguration istio-precheck-orphan \(webhook orphan\.sidecar-injector\.istio\.io\) calls Service istio-system\/istiod-gone, which does not exist/m,
    );
    assert.match(r.stdout, /^What to do:$/m);
    assert.match(r.stderr, /^Error: \d+ of \d+ checks failed: the cluster is not ready to install or upgrade Istio$/m);
  });
});
