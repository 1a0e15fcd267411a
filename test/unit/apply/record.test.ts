// The install record: verify-install with no flags verifies what was installed (issue 12: right
// after `install --profile demo` it compared against `default` and exited 79).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeInstall } from '../../../src/apply/execute.js';
import { planInstall } from '../../../src/apply/plan.js';
import { chooseRecord, installRecord, readInstallRecords } from '../../../src/apply/record.js';
import { executeUninstall, planUninstall } from '../../../src/apply/uninstall.js';
import { verifyInstall } from '../../../src/apply/verify.js';
import { newState, stateObject } from '../../../src/upgrade/state.js';
import { renderRecord } from '../../../src/cli/actions/install-render.js';
import { builtinProfiles } from '../../../src/cli/actions/manifest-input.js';
import { render } from '../../../src/render/index.js';
import { recordingProgress } from '../../../src/output/progress.js';
import { ClusterFake, fakeClock } from './fixtures.js';

const profiles = builtinProfiles();

async function install(kube: ClusterFake, profile: string, sets: string[], revision?: string) {
  const r = render({ profiles, profile, profileFiles: {}, files: [], sets, ...(revision ? { revision } : {}) });
  const record = installRecord({ iop: r.iop, profile, builtinProfile: true, revision, namespace: r.namespace, version: '1.31.1', files: [], sets });
  const plan = await planInstall(kube, [...r.objects, record], { revision, version: '1.31.1', namespace: r.namespace });
  await executeInstall(plan, { kube, progress: recordingProgress([]), ...fakeClock() }, { readinessTimeoutMs: 60_000 });
  return r;
}

test('an install records its inputs; the record renders the same objects and verifies clean, the default profile does not', async () => {
  const kube = new ClusterFake();
  const r = await install(kube, 'demo', ['components.pilot.k8s.replicaCount=2']);
  const records = await readInstallRecords(kube);
  assert.deepEqual(
    records.map((x) => [x.source, x.profile, x.revision, x.sets]),
    [['ConfigMap istio-system/mesh-install-default', 'demo', 'default', ['components.pilot.k8s.replicaCount=2']]],
  );
  const choice = chooseRecord(records, undefined);
  assert.ok(choice.found);
  const again = renderRecord(choice.found);
  assert.equal(JSON.stringify(again.objects), JSON.stringify(r.objects));
  assert.equal(again.profile, 'demo');
  const v = await verifyInstall(kube, again.objects, { revision: undefined, version: '1.31.1', namespace: 'istio-system' });
  assert.equal(v.ok, true, JSON.stringify(v.objects.filter((o) => o.state !== 'ok')));
  // the record itself is not reported as left over; the default profile is (rightly) not what was installed
  const d = render({ profiles, profile: 'default', profileFiles: {}, files: [], sets: [] });
  assert.equal((await verifyInstall(kube, d.objects, { revision: undefined, version: '1.31.1', namespace: 'istio-system' })).ok, false);
});

test('choosing a record: by -r, the only one, default among several, and none', async () => {
  const kube = new ClusterFake();
  await install(kube, 'minimal', []);
  await install(kube, 'minimal', [], 'canary');
  const records = await readInstallRecords(kube);
  assert.deepEqual(
    records.map((x) => x.revision),
    ['default', 'canary'],
  );
  assert.equal(chooseRecord(records, 'canary').found?.revision, 'canary');
  const dflt = chooseRecord(records, undefined);
  assert.equal(dflt.found?.revision, 'default');
  assert.deepEqual(
    dflt.others.map((o) => o.revision),
    ['canary'],
  );
  const none = chooseRecord(records, 'nosuch');
  assert.equal(none.found, undefined);
  assert.equal(chooseRecord([records[1]!], undefined).found?.revision, 'canary');
  assert.match((chooseRecord([], undefined) as { reason: string }).reason, /no install record/);
  // uninstalling a revision removes its record with it
  await executeUninstall(await planUninstall(kube, { revision: 'canary', purge: false }), { kube });
  assert.deepEqual(
    (await readInstallRecords(kube)).map((x) => x.revision),
    ['default'],
  );
});

test('verify-install with no flags names the recorded profile and passes right after install --profile demo; with -p it names the flags', async () => {
  const { PassThrough } = await import('node:stream');
  const { verifyInstallAction } = await import('../../../src/cli/actions/verify-install.js');
  const { exitCodeOf } = await import('../../../src/errors.js');
  const kube = new ClusterFake();
  await install(kube, 'demo', []);
  const run = async (flags: { profile?: string }) => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
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
    };
    let code = 0;
    await verifyInstallAction(ctx, {} as never, { output: 'text', ...flags }, async () => kube).catch((e: unknown) => (code = exitCodeOf(e)));
    return { text, code };
  };
  const recorded = await run({});
  assert.equal(recorded.code, 0, recorded.text);
  assert.match(recorded.text, /^Verifying against profile "demo", revision default, as recorded at install in ConfigMap istio-system\/mesh-install-default\n/);
  const flagged = await run({ profile: 'default' });
  assert.equal(flagged.code, 79);
  assert.match(flagged.text, /^Verifying against profile "default", rendered from the flags\n/);
});

test("uninstall --purge also removes mesh upgrade's state ConfigMap (mesh-upgrade); a revision's uninstall leaves it", async () => {
  const kube = new ClusterFake();
  await install(kube, 'minimal', []);
  const state = stateObject(newState('default', 'canary', new Date('2026-12-03T09:00:00Z')), 'istio-system');
  await kube.create(state);
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'mesh-upgrade', namespace: 'istio-system' };
  await executeUninstall(await planUninstall(kube, { revision: 'default', purge: false, force: true }), { kube });
  assert.notEqual(await kube.get(ref), undefined);
  const purge = await planUninstall(kube, { purge: true });
  assert.ok(purge.objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'mesh-upgrade'));
  await executeUninstall(purge, { kube });
  assert.equal(await kube.get(ref), undefined);
});
