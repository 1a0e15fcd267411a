// `mesh upgrade` on the local control plane, each revision run by the REAL istiod (the harness runs
// pilot-discovery for every istiod Deployment), kwok making pods Ready: a canary upgrade from a
// revision mesh installed, interrupted with Ctrl-C and resumed, while a watcher checks that no
// Deployment ever had fewer Ready pods than its rollout strategy allows; then an upgrade kept open
// with --keep-old and rolled back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeClient } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { rolloutStatus } from '../../src/restart/status.js';
import { type ControlPlane, type RunResult, repoRoot, runMesh, startControlPlane, waitFor } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
const SYS = 'istio-system';
const ADM = 'admissionregistration.k8s.io/v1';
const ok = (r: RunResult): void => assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

const web = (ns: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'registry.local/web:1.0' }] } },
  },
});

interface StateView {
  from: string;
  to: string;
  status: string;
  steps: { id: string; status: string; detail: string }[];
}

describe('mesh upgrade on the real istiod', { skip: cp.skip, concurrency: 1 }, () => {
  let kube: KubeClient;
  let nsA = '';
  let nsB = '';
  const mesh = (args: string[], timeoutMs = 300_000): Promise<RunResult> => runMesh(cp, args, { timeoutMs });
  const state = async (): Promise<StateView | undefined> => {
    const cm = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'mesh-upgrade', namespace: SYS });
    const text = (cm?.['data'] as Record<string, string> | undefined)?.['state'];
    return text === undefined ? undefined : (JSON.parse(text) as StateView);
  };
  const revisionsOf = async (ns: string): Promise<string[]> =>
    (await kube.list('v1', 'Pod', { namespace: ns, labelSelector: 'app=web' }))
      .filter((p) => p.metadata.deletionTimestamp === undefined)
      .map((p) => (JSON.parse(p.metadata.annotations?.['sidecar.istio.io/status'] ?? '{}') as { revision?: string }).revision ?? 'none')
      .sort();
  const tagRevision = async (tag: string): Promise<string | undefined> =>
    (await kube.get({ apiVersion: ADM, kind: 'MutatingWebhookConfiguration', name: `istio-revision-tag-${tag}` }))?.metadata.labels?.['istio.io/rev'];
  const istiods = async (): Promise<string[]> =>
    (await kube.list('apps/v1', 'Deployment', { namespace: SYS, labelSelector: 'app=istiod' })).map((d) => d.metadata.name ?? '').sort();
  const rolledOut = async (ns: string): Promise<void> => {
    await waitFor(`${ns}/web rolled out`, async () => {
      const d = await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: ns });
      return d !== undefined && rolloutStatus(d).done;
    });
  };

  /** Polls the Ready pods of web in both namespaces; returns the fewest seen in each. */
  const watchReady = (): { stop: () => Promise<Record<string, number>> } => {
    const fewest: Record<string, number> = {};
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const ns of [nsA, nsB]) {
          const pods = await kube.list('v1', 'Pod', { namespace: ns, labelSelector: 'app=web' }).catch(() => undefined);
          if (pods === undefined) continue;
          const ready = pods.filter(
            (p) =>
              p.metadata.deletionTimestamp === undefined &&
              ((p['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
                (c) => c.type === 'Ready' && c.status === 'True',
              ),
          ).length;
          fewest[ns] = Math.min(fewest[ns] ?? Infinity, ready);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return fewest;
      },
    };
  };

  before(async () => {
    kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    const started = Date.now();
    ok(await mesh(['install', '--profile', 'minimal', '-r', 'old', '-y', '--readiness-timeout', '3m']));
    ok(await mesh(['tag', 'set', 'prod', '-r', 'old']));
    nsA = await cp.freshNamespace('up-a');
    nsB = await cp.freshNamespace('up-b');
    await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name: nsA }, { metadata: { labels: { 'istio.io/rev': 'old' } } }, 'merge');
    await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name: nsB }, { metadata: { labels: { 'istio.io/rev': 'prod' } } }, 'merge');
    await waitFor('the injector of old has its CA bundle', async () => {
      const m = await kube.get({ apiVersion: ADM, kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector-old' });
      return ((m?.['webhooks'] ?? []) as { clientConfig?: { caBundle?: string } }[]).every((h) => (h.clientConfig?.caBundle ?? '') !== '');
    });
    for (const ns of [nsA, nsB]) await kube.create(web(ns));
    for (const ns of [nsA, nsB]) await rolledOut(ns);
    assert.deepEqual(await revisionsOf(nsA), ['old', 'old']);
    assert.deepEqual(await revisionsOf(nsB), ['old', 'old']);
    process.stderr.write(`# upgrade e2e: set up in ${Math.round((Date.now() - started) / 1000)}s\n`);
  });
  after(async () => {
    await mesh(['uninstall', '--purge', '-y']).catch(() => undefined);
    await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'mesh-upgrade', namespace: SYS }).catch(() => undefined);
    await cp.release();
  });

  it('--dry-run prints the plan and changes nothing; bad flags and a missing -r exit 64', async () => {
    const plan = await mesh(['upgrade', '-r', 'new', '--dry-run']);
    ok(plan);
    assert.match(plan.stdout, /^STEP\s+STATUS\s+DETAIL$/m);
    for (const id of ['precheck', 'install', 'verify', 'tags', `namespace/${nsA}`, `namespace/${nsB}`, 'uninstall']) {
      assert.match(plan.stdout, new RegExp(`^${id.replace('/', '\\/')}\\s+PLANNED\\s+`, 'm'), id);
    }
    assert.match(plan.stdout, /^tags\s+PLANNED\s+point prod to new$/m);
    assert.match(plan.stdout, /^install\s+PLANNED\s+install revision new beside old .*: \d+ to create/m);
    assert.equal(await state(), undefined, 'a dry run records nothing');
    assert.deepEqual(await istiods(), ['istiod-old']);
    const none = await mesh(['upgrade']);
    assert.equal(none.code, 64);
    assert.match(none.stderr, /^Error: -r\/--revision: required/m);
    const same = await mesh(['upgrade', '-r', 'old', '-y']);
    assert.equal(same.code, 64, same.stderr);
    const piped = await mesh(['upgrade', '-r', 'new']);
    assert.equal(piped.code, 64, 'no prompt without a terminal');
    assert.match(piped.stderr, /pass -y/);
    assert.equal(await state(), undefined);
  });

  it('Ctrl-C as each step starts, in turn, then the same command again: every proxy on new, the tag moved, old gone, never an outage', async () => {
    const watcher = watchReady();
    /** Starts `mesh upgrade -r new -y`, sends SIGINT once stderr shows `step` starting; the exit code and stderr. */
    const interruptAt = async (step: string): Promise<{ code: number | null | string; stderr: string }> => {
      const child = spawn(process.execPath, [join(repoRoot, 'bin/mesh'), '--kubeconfig', cp.kubeconfigPath, 'upgrade', '-r', 'new', '-y'], {
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let closed = false;
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (c) => {
          closed = true;
          resolve(c);
        }),
      );
      try {
        await waitFor(`step ${step} to start`, () => closed || stderr.includes(`] ${step}`), { timeoutMs: 240_000, intervalMs: 20 });
        child.kill('SIGINT');
        return { code: await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running 30 s after SIGINT'), 30_000))]), stderr };
      } finally {
        child.kill('SIGKILL');
      }
    };
    const stoppedAt: string[] = [];
    for (const step of ['precheck', 'install', 'verify', 'tags', `namespace/${nsA}`, `namespace/${nsB}`, 'uninstall']) {
      const s0 = await state();
      if (s0?.status === 'complete') break;
      const { code, stderr } = await interruptAt(step);
      assert.ok(code === 130 || code === 0, `Ctrl-C at ${step}: exit ${String(code)}\n${stderr}`);
      if (code === 130) {
        assert.match(stderr, /^Error: interrupted at step (\S+) of the upgrade from old to new; run the same command again to resume from there$/m);
        const at = /interrupted at step (\S+) /.exec(stderr)?.[1] ?? '';
        stoppedAt.push(at);
        const s = await state();
        assert.equal(s?.status, 'in-progress');
        assert.equal(s?.steps.find((x) => x.id === at)?.status, 'failed', `${at} is recorded as not finished`);
      } else stoppedAt.push('(finished)');
    }
    process.stderr.write(`# upgrade e2e: Ctrl-C stopped the upgrade at: ${stoppedAt.join(', ')}\n`);
    assert.ok(stoppedAt.includes(`namespace/${nsA}`) || stoppedAt.includes(`namespace/${nsB}`), `a restart was interrupted: ${stoppedAt.join(', ')}`);

    const again = await mesh(['upgrade', '-r', 'new', '-y', '-o', 'json']);
    ok(again);
    const fewest = await watcher.stop();
    const result = JSON.parse(again.stdout) as { from: string; to: string; outcome: string; steps: { id: string; status: string }[] };
    assert.equal(result.outcome, 'complete', again.stderr);
    assert.equal(result.from, 'old');
    assert.ok(
      result.steps.every((s) => s.status === 'done'),
      JSON.stringify(result.steps),
    );
    assert.match(again.stderr, /Upgrade complete: every proxy is on revision new; revision old is gone/);
    for (const ns of [nsA, nsB]) {
      await rolledOut(ns);
      assert.deepEqual(await revisionsOf(ns), ['new', 'new'], ns);
    }
    // maxUnavailable 25% of 2 rounds down to 0: two Ready pods at every moment.
    assert.deepEqual(fewest, { [nsA]: 2, [nsB]: 2 }, 'fewest Ready pods of web seen during the upgrade');
    const a = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: nsA });
    assert.equal(a?.metadata.labels?.['istio.io/rev'], 'new');
    const b = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: nsB });
    assert.equal(b?.metadata.labels?.['istio.io/rev'], 'prod', 'a namespace on a tag keeps its label; the tag moved');
    assert.equal(await tagRevision('prod'), 'new');
    assert.deepEqual(await istiods(), ['istiod-new']);
    assert.equal(await kube.get({ apiVersion: ADM, kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector-old' }), undefined);
    assert.equal((await state())?.status, 'complete');

    const done = await mesh(['upgrade', '-r', 'new', '-y']);
    ok(done);
    assert.match(done.stderr, /already complete/);
  });

  it('--keep-old, then --rollback: proxies, tag and labels back on the old revision, which was never removed', async () => {
    const up = await mesh(['upgrade', '-r', 'newer', '--keep-old', '--max-unavailable-per-namespace', '1', '-y']);
    ok(up);
    assert.match(up.stderr, /revision new is kept \(--keep-old\)/);
    assert.match(up.stdout, /^uninstall\s+SKIPPED\s+/m);
    for (const ns of [nsA, nsB]) {
      await rolledOut(ns);
      assert.deepEqual(await revisionsOf(ns), ['newer', 'newer'], ns);
    }
    assert.equal(await tagRevision('prod'), 'newer');
    assert.deepEqual(await istiods(), ['istiod-new', 'istiod-newer']);

    const other = await mesh(['upgrade', '-r', 'newest', '-y']);
    assert.equal(other.code, 64, 'one upgrade at a time');
    assert.match(other.stderr, /an upgrade from new to newer is in progress/);

    const back = await mesh(['upgrade', '-r', 'newer', '--rollback', '-y']);
    ok(back);
    assert.match(back.stderr, /Rolled back: every moved proxy is on revision new again/);
    for (const ns of [nsA, nsB]) {
      await rolledOut(ns);
      assert.deepEqual(await revisionsOf(ns), ['new', 'new'], ns);
    }
    assert.equal(await tagRevision('prod'), 'new');
    const a = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: nsA });
    assert.equal(a?.metadata.labels?.['istio.io/rev'], 'new');
    assert.equal((await state())?.status, 'rolled-back');
  });

  it('from the default revision: the tag default it creates is removed again by --rollback, and the default injector injects again', async () => {
    ok(await mesh(['uninstall', '--purge', '-y']));
    assert.equal(await state(), undefined, 'uninstall --purge removes the upgrade state too');
    // The namespaces of the tests above point at revisions that are gone now (precheck would say so).
    for (const n of [nsA, nsB]) await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name: n }, { metadata: { labels: { 'istio.io/rev': null } } }, 'merge');
    ok(await mesh(['install', '--profile', 'minimal', '-y', '--readiness-timeout', '3m']));
    const nsC = await cp.freshNamespace('up-c');
    await kube.patch({ apiVersion: 'v1', kind: 'Namespace', name: nsC }, { metadata: { labels: { 'istio-injection': 'enabled' } } }, 'merge');
    await waitFor('the default injector has its CA bundle', async () => {
      const m = await kube.get({ apiVersion: ADM, kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector' });
      return ((m?.['webhooks'] ?? []) as { clientConfig?: { caBundle?: string } }[]).every((h) => (h.clientConfig?.caBundle ?? '') !== '');
    });
    await kube.create(web(nsC));
    await rolledOut(nsC);
    assert.deepEqual(await revisionsOf(nsC), ['default', 'default']);

    ok(await mesh(['upgrade', '-r', 'canary', '--keep-old', '-y']));
    await rolledOut(nsC);
    assert.deepEqual(await revisionsOf(nsC), ['canary', 'canary']);
    assert.equal(await tagRevision('default'), 'canary', 'leaving the default revision creates the tag default');

    const back = await mesh(['upgrade', '-r', 'canary', '--rollback', '-y']);
    ok(back);
    assert.match(back.stdout, /^rollback\/tags\s+DONE\s+default removed/m);
    assert.equal(await tagRevision('default'), undefined, 'the tag the upgrade created is gone');
    const injector = await kube.get({ apiVersion: ADM, kind: 'MutatingWebhookConfiguration', name: 'istio-sidecar-injector' });
    assert.doesNotMatch(JSON.stringify(injector?.['webhooks']), /never-match/, 'the default injector is switched on again');
    await rolledOut(nsC);
    assert.deepEqual(await revisionsOf(nsC), ['default', 'default'], 'restarted pods are injected by the default revision again');
  });
});
