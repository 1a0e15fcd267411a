// uninstall through its action on a fake cluster (issue 12: `uninstall -r Bad_Rev --dry-run` and a
// misspelt `-r canary -y` both said "✔ Uninstall complete"; -o json|yaml was missing on --dry-run).
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { executeInstall } from '../../../src/apply/execute.js';
import { planInstall } from '../../../src/apply/plan.js';
import { runUninstall } from '../../../src/cli/actions/uninstall.js';
import type { CliContext } from '../../../src/cli/context.js';
import { type UninstallFlags, validateUninstallFlags } from '../../../src/cli/options/uninstall.js';
import { recordingProgress } from '../../../src/output/progress.js';
import { ClusterFake, fakeClock, rendered } from '../apply/fixtures.js';

async function installed(): Promise<ClusterFake> {
  const kube = new ClusterFake();
  const plan = await planInstall(kube, rendered(), { revision: undefined, version: '1.31.1', namespace: 'istio-system', takeOver: false });
  await executeInstall(plan, { kube, progress: recordingProgress([]), ...fakeClock() }, { readinessTimeoutMs: 10_000 });
  return kube;
}

async function uninstall(kube: ClusterFake, flags: UninstallFlags) {
  const stdout = new PassThrough();
  let data = '';
  stdout.on('data', (d: Buffer) => (data += d.toString()));
  const ctx = {
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    now: () => new Date(0),
  } as CliContext;
  const lines: string[] = [];
  const opts = validateUninstallFlags(flags);
  const revision = flags.revision === 'default' ? undefined : flags.revision;
  await runUninstall(ctx, kube, flags, { opts, out: recordingProgress(lines), ...(revision !== undefined ? { revision } : {}) });
  return { stdout: data, lines };
}

test('a revision with nothing installed says "nothing to remove for revision X" (exit 0), not "Uninstall complete", and removes nothing', async () => {
  const kube = await installed();
  const before = kube.all().length;
  for (const flags of [
    { revision: 'canary', yes: true },
    { revision: 'canary', dryRun: true },
  ] as UninstallFlags[]) {
    const r = await uninstall(kube, flags);
    assert.deepEqual(
      r.lines,
      ['info: Nothing to remove for revision "canary": no objects of it found (mesh version --remote lists the installed revisions).'],
      JSON.stringify(flags),
    );
    assert.equal(r.stdout, '');
  }
  assert.equal(kube.all().length, before);
});

test('uninstall --dry-run -o json|yaml: what would be removed as data on stdout, nothing removed', async () => {
  const kube = await installed();
  const before = kube.all().length;
  const r = await uninstall(kube, { revision: 'default', dryRun: true, output: 'json' });
  const data = JSON.parse(r.stdout) as { revision: string; purge: boolean; objects: string[]; gateways: string[] };
  assert.equal(data.revision, 'default');
  assert.equal(data.purge, false);
  assert.ok(data.objects.includes('Deployment/istio-system/istiod'), data.objects.join(' '));
  assert.ok(
    r.lines.some((l) => /^info: Dry run: \d+ objects of the control plane of revision "default" would be removed; nothing was removed\.$/.test(l)),
    r.lines.join('\n'),
  );
  assert.ok(!r.lines.some((l) => l.includes('Uninstall complete')));
  const none = await uninstall(kube, { revision: 'canary', dryRun: true, output: 'yaml' });
  assert.match(none.stdout, /^revision: canary\npurge: false\nobjects: \[\]\n/);
  assert.equal(kube.all().length, before);
});

test('uninstall -r default -y removes the revision and says so', async () => {
  const kube = await installed();
  const r = await uninstall(kube, { revision: 'default', yes: true });
  assert.equal(r.lines.at(-1), 'info: ✔ Uninstall complete');
  assert.ok(!kube.all().some((o) => o.kind === 'Deployment' && o.metadata.name === 'istiod'));
});
