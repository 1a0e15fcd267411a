// The fault suite (`npm run test:faults`): mesh install, uninstall and rollout-restart against the
// local control plane's real API server, through a proxy that breaks requests (test/faults/
// fault-proxy.ts), with the real API server killed and restarted mid-install, and with Ctrl-C
// mid-command. For every scenario and command: the command succeeds, or fails with one clear line
// and a documented exit code; the same command run again without faults converges; afterwards
// verify-install is clean, nothing is orphaned, no webhook configuration points at a missing
// Service, no workload was restarted twice in one run, and the StatefulSet never had two pods down.
// It prints the table scenario x command -> outcome, converged / lost / orphaned counts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installationSelector } from '../../src/apply/labels.js';
import { listOwned } from '../../src/apply/plan.js';
import type { KubeClient } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { repoRoot, startControlPlane, waitFor, type ControlPlane } from '../e2e/harness/index.js';
import { restartApiServer } from './apiserver.js';
import { type FaultProxy, type FaultRule, startFaultProxy } from './fault-proxy.js';

const cp: ControlPlane = await startControlPlane();

interface Scenario {
  name: string;
  rules?: FaultRule[];
  /** After this many requests of the faulty run: interrupt it (SIGINT) or restart the API server. */
  at?: { requests: number; action: 'sigint' | 'restart-apiserver'; /** per command, where it makes fewer requests */ requestsFor?: Record<string, number> };
  /** rollout-restart is not run in this scenario, for this reason. */
  skip?: string;
}

const writes = (r: { method: string }): boolean => r.method !== 'GET';
const SCENARIOS: Scenario[] = [
  { name: '429 + Retry-After', rules: [{ fault: 'status-429', every: 3 }] },
  { name: '500 (not acted on)', rules: [{ fault: 'status-500', every: 4 }] },
  { name: '503 after the write', rules: [{ fault: 'status-503-after', every: 3, match: writes }] },
  { name: 'reset mid-response', rules: [{ fault: 'reset-mid-response', every: 4 }] },
  { name: 'slower than --request-timeout', rules: [{ fault: 'slow', every: 7, delayMs: 12_000 }] },
  { name: 'watch dropped', rules: [{ fault: 'drop-watch', every: 1, delayMs: 700 }] },
  { name: 'watch 410 Gone', rules: [{ fault: 'gone-watch', every: 2 }] },
  {
    name: 'API server restarted',
    // rollout-restart makes fewer requests: its restart lands while the first workloads roll.
    at: { requests: 25, action: 'restart-apiserver', requestsFor: { 'rollout-restart': 8 } },
  },
  { name: 'SIGINT', at: { requests: 20, action: 'sigint' } },
];

// MESH_FAULTS_ONLY=regex runs only the matching scenarios (for debugging one).
const only = process.env['MESH_FAULTS_ONLY'] ? new RegExp(process.env['MESH_FAULTS_ONLY'], 'i') : undefined;

/** Exit codes a command may end a faulty run with (README: Exit codes). */
const DOCUMENTED = new Set([0, 1, 130]);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Row {
  scenario: string;
  command: string;
  faulty: number;
  injected: number;
  converged: boolean;
  lost: number;
  orphaned: number;
  doubleRestarts: number;
  maxStsDown: number;
  /** The faulty run's error line, if it failed. */
  error: string;
}

function spawnMesh(
  kubeconfig: string,
  args: string[],
  opts: { onSpawn?: (kill: (sig: NodeJS.Signals) => void) => void; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['KUBECONFIG'];
    const child = spawn(process.execPath, [join(repoRoot, 'bin/mesh'), '--kubeconfig', kubeconfig, '--request-timeout', '10s', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mesh ${args.join(' ')} did not end within ${(opts.timeoutMs ?? 240_000) / 1000}s\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 240_000);
    opts.onSpawn?.((sig) => child.kill(sig));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === 'SIGINT' ? 130 : 1), stdout, stderr });
    });
  });
}

/** One clear line: at most one `Error:` line, no stack trace, a documented exit code. */
function assertClear(what: string, r: Run): void {
  const show = `${what}: exit ${r.code}\nstderr:\n${r.stderr}`;
  assert.ok(DOCUMENTED.has(r.code), show);
  assert.ok(r.stderr.split('\n').filter((l) => l.startsWith('Error:')).length <= 1, show);
  assert.ok(!/^\s+at .+:\d+:\d+\)?$/m.test(r.stderr), `stack trace in ${show}`);
  if (r.code !== 0) assert.match(r.stderr, /^Error: .+/m, show);
}

/** Webhook configurations of the suite's control-plane namespace whose Service does not exist. */
async function danglingWebhooks(kube: KubeClient, istioNs: string): Promise<string[]> {
  const out: string[] = [];
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    for (const cfg of await kube.list('admissionregistration.k8s.io/v1', kind)) {
      for (const w of (cfg['webhooks'] as { name: string; clientConfig?: { service?: { name: string; namespace: string } } }[] | undefined) ?? []) {
        const svc = w.clientConfig?.service;
        if (!svc || svc.namespace !== istioNs) continue;
        if ((await kube.get({ apiVersion: 'v1', kind: 'Service', name: svc.name, namespace: svc.namespace })) === undefined)
          out.push(`${kind} ${cfg.metadata.name} -> ${svc.namespace}/${svc.name}`);
      }
    }
  }
  return out;
}

describe('faults', { skip: cp.skip, concurrency: 1 }, () => {
  let proxy: FaultProxy;
  let admin: KubeClient;
  let istioNs = '';
  let appNs = '';
  const rows: Row[] = [];
  const out = mkdtempSync(join(tmpdir(), 'mesh-faults-'));

  before(async () => {
    proxy = await startFaultProxy(cp.stateDir, out);
    admin = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    istioNs = await cp.freshNamespace('istio-faults');
    appNs = await cp.freshNamespace('faults-app', { 'istio-injection': 'disabled' });
    const deployment = (name: string, replicas: number): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: appNs },
      spec: {
        replicas,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `${name}:1` }] } },
      },
    });
    const objects: KubeObject[] = [
      deployment('web', 2),
      deployment('api', 1),
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: appNs },
        spec: {
          replicas: 3,
          serviceName: 'db',
          updateStrategy: { type: 'OnDelete' },
          selector: { matchLabels: { app: 'db' } },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
        },
      },
    ];
    for (const o of objects) await admin.apply(o, { fieldManager: 'mesh-faults', force: true });
    await waitFor('the app workloads ready', async () => {
      const pods = await admin.list('v1', 'Pod', { namespace: appNs });
      return pods.filter((p) => ready(p)).length === 6;
    });
  });

  after(async () => {
    await proxy?.close();
    const table = renderTable(rows);
    mkdirSync(join(repoRoot, '.cache', 'faults'), { recursive: true });
    writeFileSync(join(repoRoot, '.cache', 'faults', 'table.md'), table);
    process.stdout.write(`\n${table}\n`);
    await cp.release();
  });

  /** Runs the command with the scenario's faults, then again without. */
  async function faulty(s: Scenario, args: string[], between?: () => Promise<void>): Promise<{ first: Run; again: Run; injected: number }> {
    proxy.set(s.rules ?? []);
    let kill: ((sig: NodeJS.Signals) => void) | undefined;
    let restarting: Promise<void> | undefined;
    const at = s.at === undefined ? undefined : (s.at.requestsFor?.[args[0] ?? ''] ?? s.at.requests);
    proxy.onRequest((n) => {
      if (s.at === undefined || n !== at) return;
      if (s.at.action === 'sigint') kill?.('SIGINT');
      else restarting = restartApiServer(cp.stateDir);
    });
    const first = await spawnMesh(proxy.kubeconfig, args, { onSpawn: (k) => (kill = k) });
    proxy.onRequest(undefined);
    await restarting;
    const st = proxy.stats();
    const injected = Object.values(st.injected).reduce((a, b) => a + b, 0) + (at !== undefined && st.requests >= at ? 1 : 0);
    assertClear(`${s.name}: mesh ${args.join(' ')}`, first);
    await between?.();
    proxy.set([]);
    const again = await spawnMesh(proxy.kubeconfig, args);
    // The harness itself: once the commands have exited, the proxy holds no upstream request open.
    await waitFor('the fault proxy to close its upstream requests', async () => proxy.upstreamOpen() === 0, { timeoutMs: 10_000 });
    return { first, again, injected };
  }

  for (const [i, s] of SCENARIOS.entries()) {
    if (only && !only.test(s.name)) continue;
    it(`${s.name}: install, uninstall and rollout-restart end clearly and converge on a re-run`, async () => {
      const rev = `f${i + 1}`;
      const render = ['--profile', 'minimal', '-r', rev, '--set', `namespace=${istioNs}`, '--set', 'values.pilot.autoscaleEnabled=false'];

      // install
      const inst = await faulty(s, ['install', ...render, '-y', '--readiness-timeout', '2m']);
      assert.equal(inst.again.code, 0, `install re-run: exit ${inst.again.code}\n${inst.again.stderr}`);
      const verify = await spawnMesh(cp.kubeconfigPath, ['verify-install', ...render]);
      const lost = verify.code === 0 ? 0 : Number(/(\d+) missing/.exec(verify.stdout + verify.stderr)?.[1] ?? 1);
      const dangling = await danglingWebhooks(admin, istioNs);
      rows.push({
        scenario: s.name,
        command: 'install',
        faulty: inst.first.code,
        injected: inst.injected,
        converged: verify.code === 0,
        lost,
        orphaned: dangling.length,
        doubleRestarts: 0,
        maxStsDown: 0,
        error: errorLine(inst.first),
      });
      assert.equal(verify.code, 0, `verify-install after the re-run:\n${verify.stdout}\n${verify.stderr}`);
      assert.deepEqual(dangling, []);

      // rollout-restart, watched: restarts per workload in each run, StatefulSet pods down at once
      if (s.skip === undefined) {
        let watch = watchApp(admin, appNs);
        let firstRun: Awaited<ReturnType<typeof watch.stop>> | undefined;
        const rr = await faulty(s, ['rollout-restart', '-n', appNs, '--all', '--include-ondelete', '-y', '--timeout', '2m'], async () => {
          firstRun = await watch.stop();
          watch = watchApp(admin, appNs);
        });
        const againRun = await watch.stop();
        const seen = {
          doubleRestarts: firstRun!.doubleRestarts + againRun.doubleRestarts,
          maxStsDown: Math.max(firstRun!.maxStsDown, againRun.maxStsDown),
          detail: [...firstRun!.detail, ...againRun.detail],
          timeline:
            firstRun!.timeline.length > 0 ? ['first run:', ...firstRun!.timeline] : againRun.timeline.length > 0 ? ['re-run:', ...againRun.timeline] : [],
        };
        assert.equal(rr.again.code, 0, `rollout-restart re-run: exit ${rr.again.code}\n${rr.again.stderr}`);
        const healthy = await waitFor(
          'the app workloads healthy',
          async () => (await admin.list('v1', 'Pod', { namespace: appNs })).filter((p) => ready(p) && !p.metadata.deletionTimestamp).length === 6,
          { timeoutMs: 60_000 },
        ).catch(() => false);
        rows.push({
          scenario: s.name,
          command: 'rollout-restart',
          faulty: rr.first.code,
          injected: rr.injected,
          converged: healthy,
          lost: 0,
          orphaned: 0,
          doubleRestarts: seen.doubleRestarts,
          maxStsDown: seen.maxStsDown,
          error: errorLine(rr.first),
        });
        assert.ok(healthy, 'every pod ready after the re-run');
        assert.equal(seen.doubleRestarts, 0, `a workload was restarted twice in one run: ${seen.detail.join(', ')}`);
        assert.ok(
          seen.maxStsDown <= 1,
          `the StatefulSet had ${seen.maxStsDown} pods down at once; its last pod events:\n${seen.timeline.join('\n')}\nfaulty run stderr:\n${rr.first.stderr}\nre-run stderr:\n${rr.again.stderr}`,
        );
      }
      // uninstall
      const un = await faulty(s, ['uninstall', '-r', rev, '-y', '--force']);
      assert.equal(un.again.code, 0, `uninstall re-run: exit ${un.again.code}\n${un.again.stderr}`);
      // Uninstalling a revision keeps the shared Base objects (src/apply/uninstall.ts), as a clean run does.
      const left = (await listOwned(admin, installationSelector(rev, istioNs))).filter((o) => o.metadata.labels?.['operator.istio.io/component'] !== 'Base');
      const danglingAfter = await danglingWebhooks(admin, istioNs);
      rows.push({
        scenario: s.name,
        command: 'uninstall',
        faulty: un.first.code,
        injected: un.injected,
        converged: left.length === 0,
        lost: 0,
        orphaned: left.length + danglingAfter.length,
        doubleRestarts: 0,
        maxStsDown: 0,
        error: errorLine(un.first),
      });
      assert.deepEqual(
        left.map((o) => `${o.kind}/${o.metadata.name}`),
        [],
        'nothing of the revision is left',
      );
      assert.deepEqual(danglingAfter, []);
    });
  }
});

function errorLine(r: Run): string {
  return r.code === 0 ? '' : (r.stderr.split('\n').find((l) => l.startsWith('Error:')) ?? `exit ${r.code}`);
}

function ready(p: KubeObject): boolean {
  const conditions = (p['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Watches the app namespace while a run goes on: the restartedAt values each workload's template
 * takes (a second one within one run is a double restart), and how many of the StatefulSet's
 * pods are not ready at once.
 */
function watchApp(kube: KubeClient, ns: string): { stop(): Promise<{ doubleRestarts: number; maxStsDown: number; detail: string[]; timeline: string[] }> } {
  const controller = new AbortController();
  const restarts = new Map<string, Set<string>>();
  const initial = new Map<string, string | undefined>();
  const dbPods = new Map<string, boolean>();
  let maxStsDown = 0;
  // The StatefulSet's pod events, for the failure message: what was down, and when.
  const t0 = Date.now();
  const events: string[] = [];
  let timeline: string[] = [];
  const track = (o: KubeObject): void => {
    const key = `${o.kind}/${o.metadata.name}`;
    const at = (o['spec'] as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata?.annotations?.[
      'kubectl.kubernetes.io/restartedAt'
    ];
    if (!initial.has(key)) initial.set(key, at);
    if (at !== undefined && at !== initial.get(key)) {
      const set = restarts.get(key) ?? new Set<string>();
      set.add(at);
      restarts.set(key, set);
    }
  };
  const watches = [
    kube.watch('apps/v1', 'Deployment', { namespace: ns }, (_t, o) => void track(o), controller.signal),
    kube.watch('apps/v1', 'StatefulSet', { namespace: ns }, (_t, o) => void track(o), controller.signal),
    kube.watch(
      'v1',
      'Pod',
      { namespace: ns, labelSelector: 'app=db' },
      (type, o) => {
        const name = o.metadata.name ?? '';
        const conditions = ((o['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
          .map((c) => `${c.type}=${c.status}`)
          .join(',');
        events.push(
          `+${Date.now() - t0}ms ${type} ${name} uid=${(o.metadata.uid ?? '').slice(0, 8)} rv=${o.metadata.resourceVersion ?? ''}${o.metadata.deletionTimestamp ? ' deleting' : ''} node=${String((o['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '')} [${conditions}]`,
        );
        if (type === 'DELETED') dbPods.set(name, false);
        else dbPods.set(name, ready(o) && !o.metadata.deletionTimestamp);
        // Three pods db-0..db-2: one missing or not ready counts as down (once the initial list
        // has delivered all three).
        if (!['db-0', 'db-1', 'db-2'].every((n) => dbPods.has(n))) return;
        const up = ['db-0', 'db-1', 'db-2'].filter((n) => dbPods.get(n) === true).length;
        if (3 - up > maxStsDown && 3 - up > 1) timeline = events.slice(-15);
        maxStsDown = Math.max(maxStsDown, 3 - up);
      },
      controller.signal,
    ),
  ].map((p) => p.catch(() => undefined));
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 500));
      controller.abort();
      await Promise.all(watches);
      const detail = [...restarts].filter(([, v]) => v.size > 1).map(([k, v]) => `${k} x${v.size}`);
      // The OnDelete StatefulSet's template is not patched: its pods are deleted one at a time.
      return { doubleRestarts: detail.length, maxStsDown, detail, timeline };
    },
  };
}

function renderTable(rows: Row[]): string {
  const outcome = (c: number): string => (c === 0 ? 'ok' : c === 130 ? 'exit 130' : `exit ${c}`);
  const lines = [
    '| scenario | command | faulty run | faults | converged | lost | orphaned | restarted twice | StatefulSet pods down (max) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.command} | ${outcome(r.faulty)} | ${r.injected} | ${r.converged ? 'yes' : 'NO'} | ${r.lost} | ${r.orphaned} | ${r.doubleRestarts} | ${r.command === 'rollout-restart' ? r.maxStsDown : '-'} |`,
    ),
  ];
  const errors = rows
    .filter((r) => r.error !== '')
    .map((r) => `- ${r.scenario}, ${r.command}: \`${r.error.replace(/\b(istio-faults|faults-app)-\w+/g, '$1-…').slice(0, 240)}\``);
  return lines.join('\n') + '\n' + (errors.length > 0 ? `\nThe faulty runs that failed, with their one line:\n\n${errors.join('\n')}\n` : '');
}
