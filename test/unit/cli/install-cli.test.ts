import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { InstallPlan } from '../../../src/apply/plan.js';
import { planSummary, versionWarnings } from '../../../src/cli/actions/install.js';
import { validateInstallFlags } from '../../../src/cli/options/install.js';
import { confirm } from '../../../src/cli/actions/install-prompt.js';
import { validateUninstallFlags } from '../../../src/cli/options/uninstall.js';
import { verifyText } from '../../../src/cli/actions/verify-install.js';
import { remoteText } from '../../../src/cli/actions/version.js';
import { ExitCode, exitCodeOf } from '../../../src/errors.js';

test('install flags: dry-run modes and the readiness timeout', () => {
  assert.deepEqual(validateInstallFlags({ readinessTimeout: '5m' }), { dryRun: 'none', readinessTimeoutMs: 300_000, skipConfirmation: false });
  assert.equal(validateInstallFlags({ readinessTimeout: '5m', dryRun: true }).dryRun, 'client');
  assert.equal(validateInstallFlags({ readinessTimeout: '90s', dryRun: 'server', skipConfirmation: true }).readinessTimeoutMs, 90_000);
  assert.throws(() => validateInstallFlags({ readinessTimeout: 'soon' }), /--readiness-timeout: invalid duration "soon"/);
});

test('uninstall needs exactly one of -r, -f, --purge', () => {
  assert.throws(
    () => validateUninstallFlags({}),
    (e: unknown) => exitCodeOf(e) === ExitCode.Usage && /-r\/--revision REV/.test((e as Error).message),
  );
  assert.throws(() => validateUninstallFlags({ revision: 'a', filename: ['x.yaml'] }), /either -r\/--revision or -f\/--filename/);
  assert.equal(validateUninstallFlags({ revision: 'canary' }).revisionFrom, 'flag');
  assert.deepEqual(validateUninstallFlags({ purge: true, revision: 'x' }).warnings, ['--purge removes every revision; --revision is ignored']);
});

function io(input: string | undefined, tty = true) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let written = '';
  let data = '';
  stderr.on('data', (d: Buffer) => (written += d.toString()));
  stdout.on('data', (d: Buffer) => (data += d.toString()));
  if (input !== undefined) stdin.end(input);
  return { ctx: { stdin, stdout, stderr, stdinIsTTY: tty }, written: () => written, stdout: () => data };
}

test('install --readiness-timeout 0 is a usage error, as in upgrade (a wait of 0 would fail every component at once)', () => {
  assert.throws(
    () => validateInstallFlags({ readinessTimeout: '0s', skipConfirmation: true }),
    /^UsageError: --readiness-timeout: must be more than 0, got "0s"$/,
  );
});

test('the prompt re-asks on nonsense, accepts yes, and refuses without a terminal', async () => {
  const a = io('maybe\nYES\n');
  await confirm(a.ctx, 'This will install X.', 'install');
  // On stderr: stdout carries data only.
  assert.equal(a.written(), 'This will install X. Proceed? (y/N) This will install X. Proceed? (y/N) ');
  assert.equal(a.stdout(), '');
  await assert.rejects(confirm(io('n\n').ctx, 'Q', 'install'), { message: 'Cancelled.' });
  await assert.rejects(confirm(io('').ctx, 'Q', 'install'), { message: 'Cancelled.' });
  const noTty = io(undefined, false);
  await assert.rejects(
    confirm(noTty.ctx, 'Q', 'install'),
    (e: unknown) => exitCodeOf(e) === 64 && /stdin is not a terminal; pass -y/.test((e as Error).message),
  );
  assert.equal(noTty.written(), '', 'nothing asked');
});

const plan = (existingVersion?: string): InstallPlan => ({
  revision: 'default',
  targetVersion: '1.31.1',
  namespaces: ['istio-system'],
  objects: [],
  prune: [],
  otherRevision: [],
  ...(existingVersion ? { existingVersion } : {}),
});

test('upgrade and downgrade warnings suggest a revision-based upgrade', () => {
  assert.deepEqual(versionWarnings(plan()), []);
  assert.deepEqual(versionWarnings(plan('1.31.1')), []);
  const up = versionWarnings(plan('1.30.2'));
  assert.match(up[0]!, /^Istio is being upgraded from 1\.30\.2 to 1\.31\.1 in place \(the default revision\)\.$/);
  assert.match(up[1]!, /mesh install -r 1-31-1/);
  assert.match(versionWarnings(plan('1.32.0'))[0]!, /downgraded from 1\.32\.0/);
  assert.equal(planSummary(plan()), 'Plan: 1 namespace to create, 0 to create, 0 to update, 0 unchanged, 0 to prune.');
});

test('version --remote lines, as istioctl prints them', () => {
  assert.equal(
    remoteText({
      controlPlane: [{ revision: 'default', version: '1.31.1', deployment: 'istio-system/istiod' }],
      dataPlane: [
        { version: '1.31.1', proxies: 3 },
        { version: '1.30.2', proxies: 1 },
      ],
    }),
    'control plane version: 1.31.1 (revision default, istio-system/istiod)\ndata plane version: 1.31.1 (3 proxies)\ndata plane version: 1.30.2 (1 proxy)\n',
  );
  assert.equal(
    remoteText({ controlPlane: [], dataPlane: [] }),
    'control plane version: none (no istiod Deployment found)\ndata plane version: none (no proxies found)\n',
  );
});

test('verify-install text: a per-component summary, then each object that is not ok', () => {
  const text = verifyText({
    ok: false,
    summary: { ok: 1, missing: 1, differs: 0, unready: 0, extra: 0 },
    otherRevision: [],
    objects: [
      { component: 'Base', object: 'ServiceAccount/istio-system/r', state: 'ok', details: [] },
      { component: 'Pilot', object: 'ConfigMap/istio-system/istio', state: 'missing', details: [] },
    ],
  });
  assert.equal(
    text,
    [
      'COMPONENT    OBJECTS   MISSING   DIFFERS   NOT READY   LEFT OVER',
      'Istio core   1         0         0         0           0',
      'Istiod       1         1         0         0           0',
      '',
      'COMPONENT   OBJECT                         STATUS    DETAILS',
      'Istiod      ConfigMap/istio-system/istio   missing',
      '',
    ].join('\n'),
  );
});

test('the plan names what a canary leaves to the revision that installed it, and how to move it', async () => {
  const { otherRevisionLines } = await import('../../../src/cli/actions/install.js');
  const gw = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' } };
  const p = { ...plan(), revision: '1-31-1', otherRevision: [{ component: 'IngressGateways' as const, object: gw, owner: 'default' }] };
  assert.match(planSummary(p), /, 1 left to another revision\.$/);
  assert.deepEqual(otherRevisionLines(p), [
    'Left to revision default, which installed it: Deployment/istio-system/istio-ingressgateway',
    '  (not changed and not taken over by revision 1-31-1; --take-over moves it to this revision)',
  ]);
});

test('uninstall -r checks the revision name before reading the cluster, and takes --force', () => {
  assert.throws(
    () => validateUninstallFlags({ revision: 'Bad_Rev' }),
    (e: unknown) => exitCodeOf(e) === 64 && /^--revision "Bad_Rev": not a revision name/.test((e as Error).message),
  );
  assert.equal(validateUninstallFlags({ revision: 'canary', force: true }).force, true);
  assert.equal(validateUninstallFlags({ revision: 'default' }).force, false);
});

test('the install prompt names the context and server, and lists what will be pruned', async () => {
  const { installQuestion, pruneLines } = await import('../../../src/cli/actions/install.js');
  assert.equal(
    installQuestion('demo', { context: 'kind-dev', server: 'https://127.0.0.1:6443' }),
    'This will install the Istio 1.31.1 profile "demo" into the cluster of context "kind-dev" (https://127.0.0.1:6443).',
  );
  const gw = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-egressgateway', namespace: 'istio-system' } };
  assert.deepEqual(pruneLines({ ...plan(), prune: [gw] }), [
    "To be removed (this installation's, no longer rendered):",
    '  Deployment/istio-system/istio-egressgateway',
  ]);
  assert.deepEqual(pruneLines(plan()), []);
});

test('install --dry-run=server -o json: the plan as data', async () => {
  const { planData } = await import('../../../src/cli/actions/install.js');
  const gw = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' } };
  const p: InstallPlan = {
    ...plan(),
    objects: [
      {
        component: 'Pilot',
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' } },
        action: 'update',
        changes: ['data.mesh'],
      },
    ],
    prune: [gw],
  };
  assert.deepEqual(JSON.parse(JSON.stringify(planData(p))), {
    revision: 'default',
    version: '1.31.1',
    summary: { create: 0, update: 1, unchanged: 0, prune: 1 },
    namespaces: ['istio-system'],
    objects: [{ action: 'update', component: 'Pilot', object: 'ConfigMap/istio-system/istio', changes: ['data.mesh'] }],
    prune: ['Deployment/istio-system/istio-ingressgateway'],
    otherRevision: [],
  });
});

test('profile diff -o json: the changes as data, exit 1 when they differ', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['bin/mesh', 'profile', 'diff', 'default', 'minimal', '-o', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const d = JSON.parse(r.stdout) as { a: string; b: string; same: boolean; changes: { path: string }[] };
  assert.equal(d.same, false);
  assert.ok(d.changes.some((c) => c.path === 'spec.components.ingressGateways[name:istio-ingressgateway].enabled'));
});
