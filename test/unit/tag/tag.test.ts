// Revision tags: the pure core (src/tag/build.ts, plan.ts) on the injectors mesh itself renders, the
// cluster side (collect.ts) on the in-memory fake, and each istioctl tag bug the issue names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stampOwnerLabels } from '../../../src/apply/labels.js';
import { planUninstall, tagRefusal } from '../../../src/apply/uninstall.js';
import { exitCodeOf } from '../../../src/errors.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import {
  DEFAULT_VALIDATOR,
  buildTagObjects,
  deactivatedWebhooks,
  injectedRevision,
  injectorsFor,
  isDeactivated,
  tagRows,
  tagWebhookName,
} from '../../../src/tag/build.js';
import { applyRemovePlan, applySetPlan, readTagSnapshot } from '../../../src/tag/collect.js';
import { planRemove, planSet } from '../../../src/tag/plan.js';
import { validateTagSet } from '../../../src/cli/options/tag.js';
import { find, r } from '../render/helpers.js';

type Hook = {
  name: string;
  clientConfig: { service?: { name: string; namespace: string; path?: string } };
  namespaceSelector?: unknown;
  objectSelector?: unknown;
  failurePolicy?: string;
};
const hooks = (o: KubeObject): Hook[] => o['webhooks'] as Hook[];

/** What `mesh install` leaves in the cluster for a revision: its rendered webhooks with the owner labels stamped on. */
function installed(revision: string | undefined, namespace = 'istio-system'): KubeObject[] {
  const res = r({
    profile: 'minimal',
    ...(revision !== undefined ? { revision } : {}),
    sets: namespace === 'istio-system' ? [] : [`values.global.istioNamespace=${namespace}`, `namespace=${namespace}`],
  });
  const suffix = (revision ? `-${revision}` : '') + (namespace === 'istio-system' ? '' : `-${namespace}`);
  const out = [find(res, 'MutatingWebhookConfiguration', `istio-sidecar-injector${suffix}`)];
  const svc = res.objects.find((o) => o.kind === 'Service' && o.metadata.name === (revision ? `istiod-${revision}` : 'istiod'));
  if (svc) out.push(svc);
  const vwc = res.objects.find((o) => o.kind === 'ValidatingWebhookConfiguration');
  if (vwc) out.push(vwc);
  return out.map((o, i) => ({
    ...stampOwnerLabels(o, { revision, version: '1.31.1', namespace }),
    metadata: { ...stampOwnerLabels(o, { revision, version: '1.31.1', namespace }).metadata, uid: `uid-${revision ?? 'default'}-${i}` },
  }));
}
const webhookConfigs = (objs: readonly KubeObject[]) => ({
  mutating: objs.filter((o) => o.kind === 'MutatingWebhookConfiguration'),
  validating: objs.filter((o) => o.kind === 'ValidatingWebhookConfiguration'),
});
const ns = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

test('a tag webhook calls the revision istiod exactly as its injector does, and selects istio.io/rev=<tag>', () => {
  const [injector] = installed('r1');
  const { webhook, validator } = buildTagObjects({ tag: 'prod', revision: 'r1', injector: injector!, istioNamespace: 'istio-system' });
  assert.equal(validator, undefined);
  assert.equal(webhook.metadata.name, 'istio-revision-tag-prod');
  assert.equal(webhook.metadata.labels?.['istio.io/tag'], 'prod');
  assert.equal(webhook.metadata.labels?.['istio.io/rev'], 'r1');
  assert.equal(webhook.metadata.labels?.['app'], 'sidecar-injector');
  // No installer label: no install prunes it and no uninstall takes it for its own.
  assert.deepEqual(
    Object.keys(webhook.metadata.labels ?? {}).filter((k) => k.includes('operator.istio.io')),
    [],
  );
  assert.deepEqual(
    hooks(webhook).map((h) => h.name),
    ['rev.namespace.sidecar-injector.istio.io', 'rev.object.sidecar-injector.istio.io'],
  );
  for (const h of hooks(webhook)) assert.deepEqual(h.clientConfig, hooks(injector!)[0]!.clientConfig);
  assert.deepEqual(hooks(webhook)[0]!.clientConfig.service, { name: 'istiod-r1', namespace: 'istio-system', path: '/inject', port: 443 });
  assert.deepEqual(injectorsFor([webhook], { 'istio.io/rev': 'prod' }, {}), ['istio-revision-tag-prod/rev.namespace.sidecar-injector.istio.io']);
  assert.deepEqual(injectorsFor([webhook], {}, { 'istio.io/rev': 'prod' }), ['istio-revision-tag-prod/rev.object.sidecar-injector.istio.io']);
  assert.deepEqual(injectorsFor([webhook], { 'istio.io/rev': 'prod' }, { 'sidecar.istio.io/inject': 'false' }), []);
  assert.deepEqual(injectorsFor([webhook], { 'istio-injection': 'enabled' }, {}), []);
});

test('tag default adds the selector-less forms and istiod-default-validator on the revision istiod', () => {
  const [injector] = installed('r2');
  const { webhook, validator } = buildTagObjects({ tag: 'default', revision: 'r2', injector: injector!, istioNamespace: 'istio-system' });
  assert.deepEqual(
    hooks(webhook).map((h) => h.name),
    ['rev.namespace.', 'rev.object.', 'namespace.', 'object.'].map((p) => `${p}sidecar-injector.istio.io`),
  );
  assert.ok(validator);
  assert.equal(validator.metadata.name, DEFAULT_VALIDATOR);
  assert.equal(validator.metadata.labels?.['istio.io/tag'], 'default');
  assert.equal(validator.metadata.labels?.['istio.io/rev'], 'r2');
  const [v] = hooks(validator);
  assert.equal(v!.name, 'validation.istio.io');
  assert.deepEqual(v!.clientConfig.service, { name: 'istiod-r2', namespace: 'istio-system', path: '/validate' });
  assert.equal(v!.failurePolicy, 'Ignore');
  assert.deepEqual(v!.objectSelector, { matchExpressions: [{ key: 'istio.io/rev', operator: 'DoesNotExist' }] });
});

test('#48643: after tag set default, exactly one webhook injects a pod of an istio-injection=enabled namespace (the old default is switched off)', () => {
  const cluster = [...installed(undefined), ...installed('r1'), ...installed('r2')];
  const snap = webhookConfigs(cluster);
  assert.equal(injectorsFor(snap.mutating, { 'istio-injection': 'enabled' }, {}).length, 1, 'before: the unrevisioned injector alone');
  const plan = planSet(snap, { tag: 'default', revision: 'r2', istioNamespace: 'istio-system', overwrite: false });
  assert.deepEqual(
    plan.deactivate.map((d) => `${d.kind}/${d.metadata.name}`),
    ['MutatingWebhookConfiguration/istio-sidecar-injector', 'ValidatingWebhookConfiguration/istio-validator-istio-system'],
  );
  assert.deepEqual(plan.overlaps, []);
  const off = new Set(plan.deactivate.map((d) => d.metadata.name));
  const after = [
    ...snap.mutating.map((m) => (off.has(m.metadata.name) ? { ...m, webhooks: deactivatedWebhooks(m) } : m)),
    ...plan.objects.map((o) => o.desired).filter((o) => o.kind === 'MutatingWebhookConfiguration'),
  ];
  assert.ok(isDeactivated(after.find((m) => m.metadata.name === 'istio-sidecar-injector')!));
  for (const [nsLabels, podLabels] of [
    [{ 'istio-injection': 'enabled' }, {}],
    [{}, { 'sidecar.istio.io/inject': 'true' }],
    [{ 'istio.io/rev': 'default' }, {}],
  ] as const) {
    const hits = injectorsFor(after, nsLabels, podLabels);
    assert.equal(hits.length, 1, `${JSON.stringify(nsLabels)} ${JSON.stringify(podLabels)}: ${hits.join(', ')}`);
    assert.match(hits[0]!, /^istio-revision-tag-default\//);
  }
  // The revisions' own namespaces keep their injector.
  assert.deepEqual(injectorsFor(after, { 'istio.io/rev': 'r1' }, {}), ['istio-sidecar-injector-r1/rev.namespace.sidecar-injector.istio.io']);
});

test('a plan that would leave a pod to two injectors says so', () => {
  const cluster = [...installed('r1')];
  const snap = webhookConfigs(cluster);
  // A hand-made webhook that also injects istio.io/rev=prod.
  const rogue: KubeObject = { ...structuredClone(snap.mutating[0]!), metadata: { name: 'rogue', labels: {} } };
  (rogue['webhooks'] as Hook[])[0]!.namespaceSelector = { matchLabels: { 'istio.io/rev': 'prod' } };
  const plan = planSet({ ...snap, mutating: [...snap.mutating, rogue] }, { tag: 'prod', revision: 'r1', istioNamespace: 'istio-system', overwrite: false });
  assert.equal(plan.overlaps.length, 1);
  assert.match(
    plan.overlaps[0]!,
    /istio\.io\/rev=prod would be injected by 2 webhooks: istio-revision-tag-prod\/rev\.namespace\.sidecar-injector\.istio\.io, rogue\//,
  );
});

test('set refuses an unknown revision (naming the installed ones), a tag named like a revision, and re-pointing without --overwrite', () => {
  const snap = webhookConfigs([...installed('r1'), ...installed('r2')]);
  const req = { tag: 'prod', istioNamespace: 'istio-system', overwrite: false };
  assert.throws(
    () => planSet(snap, { ...req, revision: 'r3' }),
    (e: Error) => exitCodeOf(e) === 64 && /no control-plane revision "r3" is installed.*installed revisions: r1, r2/.test(e.message),
  );
  assert.throws(() => planSet(snap, { ...req, tag: 'r2', revision: 'r1' }), /"r2" is the name of an installed revision/);
  const first = planSet(snap, { ...req, revision: 'r1' });
  const withTag = {
    ...snap,
    mutating: [...snap.mutating, { ...first.objects[0]!.desired, metadata: { ...first.objects[0]!.desired.metadata, resourceVersion: '7', uid: 'u7' } }],
  };
  assert.throws(
    () => planSet(withTag, { ...req, revision: 'r2' }),
    (e: Error) => exitCodeOf(e) === 64 && /tag "prod" already points to revision r1; pass --overwrite/.test(e.message),
  );
  // The same revision again is a no-op replace; --overwrite re-points it in place.
  assert.equal(planSet(withTag, { ...req, revision: 'r1' }).previous, 'r1');
  const moved = planSet(withTag, { ...req, revision: 'r2', overwrite: true });
  assert.equal(moved.previous, 'r1');
  assert.equal(moved.objects[0]!.live?.metadata.uid, 'u7');
  assert.equal(moved.objects[0]!.desired.metadata.labels?.['istio.io/rev'], 'r2');
  assert.equal(hooks(moved.objects[0]!.desired)[0]!.clientConfig.service?.name, 'istiod-r2');
});

test('#60232: a tag in a custom Istio namespace is named as the chart names it and calls istiod there; the wrong -i is refused', () => {
  const snap = webhookConfigs(installed('r1', 'mesh-cp'));
  assert.equal(tagWebhookName('default', 'mesh-cp'), 'istio-revision-tag-default-mesh-cp');
  const plan = planSet(snap, { tag: 'default', revision: 'r1', istioNamespace: 'mesh-cp', overwrite: false });
  const [wh, vwc] = plan.objects.map((o) => o.desired);
  assert.equal(wh!.metadata.name, 'istio-revision-tag-default-mesh-cp');
  assert.deepEqual(hooks(wh!)[0]!.clientConfig.service, { name: 'istiod-r1', namespace: 'mesh-cp', path: '/inject', port: 443 });
  assert.deepEqual(hooks(vwc!)[0]!.clientConfig.service, { name: 'istiod-r1', namespace: 'mesh-cp', path: '/validate' });
  assert.throws(
    () => planSet(snap, { tag: 'default', revision: 'r1', istioNamespace: 'istio-system', overwrite: false }),
    /calls istiod in namespace mesh-cp, not istio-system: pass -i mesh-cp/,
  );
  // list finds the tag by its label, whatever its name.
  const rows = tagRows({ webhookConfigs: [...snap.mutating, wh!], namespaces: [ns('app', { 'istio-injection': 'enabled' })], pods: [] });
  assert.deepEqual(
    rows.map((x) => [x.tag, x.revision, x.webhooks, x.namespaces]),
    [['default', 'r1', ['istio-revision-tag-default-mesh-cp'], ['app']]],
  );
});

test('#43227: re-pointing default (a rollback) moves the validator to the other istiod and does not carry over its Fail policy', () => {
  const snap = webhookConfigs([...installed('r1'), ...installed('r2')]);
  const set = planSet(snap, { tag: 'default', revision: 'r2', istioNamespace: 'istio-system', overwrite: false });
  const liveVwc = structuredClone(set.objects[1]!.desired);
  hooks(liveVwc)[0]!.failurePolicy = 'Fail'; // istiod r2 proved itself and switched it
  const live = { mutating: [...snap.mutating, set.objects[0]!.desired], validating: [...snap.validating, liveVwc] };
  assert.equal(
    hooks(planSet(live, { tag: 'default', revision: 'r2', istioNamespace: 'istio-system', overwrite: true }).objects[1]!.desired)[0]!.failurePolicy,
    'Fail',
  );
  const back = planSet(live, { tag: 'default', revision: 'r1', istioNamespace: 'istio-system', overwrite: true });
  const vwc = back.objects[1]!.desired;
  assert.equal(vwc.metadata.labels?.['istio.io/rev'], 'r1');
  assert.equal(hooks(vwc)[0]!.clientConfig.service?.name, 'istiod-r1');
  assert.equal(hooks(vwc)[0]!.failurePolicy, 'Ignore');
});

test('remove refuses (79) while namespaces use the tag, unless --force; #60537: removing default removes its validator too', () => {
  const snap = webhookConfigs([...installed('r1')]);
  const plan = planSet(snap, { tag: 'default', revision: 'r1', istioNamespace: 'istio-system', overwrite: false });
  const live = { mutating: [...snap.mutating, plan.objects[0]!.desired], validating: [...snap.validating, plan.objects[1]!.desired] };
  const namespaces = [ns('a', { 'istio-injection': 'enabled' }), ns('b', { 'istio.io/rev': 'default' }), ns('c', { 'istio.io/rev': 'r1' })];
  assert.throws(
    () => planRemove(live, namespaces, { tag: 'default', force: false }),
    (e: Error) => exitCodeOf(e) === 79 && /2 namespaces still use it \(a, b\)/.test(e.message),
  );
  const forced = planRemove(live, namespaces, { tag: 'default', force: true });
  assert.deepEqual(
    forced.objects.map((o) => o.metadata.name),
    ['istio-revision-tag-default', DEFAULT_VALIDATOR],
  );
  assert.throws(
    () => planRemove(live, [], { tag: 'prod', force: false }),
    (e: Error) => exitCodeOf(e) === 64 && /no revision tag "prod".*tags: default/.test(e.message),
  );
});

test('list counts the pods the tag revision injected in the namespaces that use it', () => {
  const snap = webhookConfigs([...installed('r1'), ...installed('r2')]);
  const prod = planSet(snap, { tag: 'prod', revision: 'r2', istioNamespace: 'istio-system', overwrite: false }).objects[0]!.desired;
  const pod = (namespace: string, revision?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${Math.random()}`, namespace, ...(revision ? { annotations: { 'sidecar.istio.io/status': JSON.stringify({ revision }) } } : {}) },
  });
  assert.equal(injectedRevision(pod('x', 'r2')), 'r2');
  const rows = tagRows({
    webhookConfigs: [...snap.mutating, prod],
    namespaces: [ns('app', { 'istio.io/rev': 'prod' }), ns('web', { 'istio.io/rev': 'r1' })],
    pods: [pod('app', 'r2'), pod('app', 'r1'), pod('app'), pod('web', 'r2')],
  });
  assert.deepEqual(rows, [{ tag: 'prod', revision: 'r2', webhooks: ['istio-revision-tag-prod'], namespaces: ['app'], pods: 1, dangling: false }]);
});

test('set and remove on the cluster: create, re-point in place with the resourceVersion read, switch the old default off, delete by uid', async () => {
  const kube = new FakeKubeClient([...installed(undefined), ...installed('r1'), ...installed('r2')]);
  await applySetPlan(planSet(await readTagSnapshot(kube), { tag: 'default', revision: 'r1', istioNamespace: 'istio-system', overwrite: false }), { kube });
  let snap = await readTagSnapshot(kube);
  assert.ok(isDeactivated(snap.mutating.find((m) => m.metadata.name === 'istio-sidecar-injector')!));
  assert.equal(snap.validating.find((v) => v.metadata.name === DEFAULT_VALIDATOR)?.metadata.labels?.['istio.io/rev'], 'r1');
  await applySetPlan(planSet(snap, { tag: 'default', revision: 'r2', istioNamespace: 'istio-system', overwrite: true }), { kube });
  snap = await readTagSnapshot(kube);
  const tagWh = snap.mutating.filter((m) => m.metadata.labels?.['istio.io/tag'] === 'default');
  assert.equal(tagWh.length, 1);
  assert.equal(tagWh[0]!.metadata.labels?.['istio.io/rev'], 'r2');
  assert.equal(injectorsFor(snap.mutating, { 'istio-injection': 'enabled' }, {}).length, 1);
  await applyRemovePlan(planRemove(snap, [], { tag: 'default', force: false }), { kube });
  snap = await readTagSnapshot(kube);
  assert.equal(snap.mutating.filter((m) => m.metadata.labels?.['istio.io/tag'] !== undefined).length, 0);
  assert.equal(snap.validating.filter((m) => m.metadata.name === DEFAULT_VALIDATOR).length, 0);
});

test('#47423: mesh uninstall -r X never deletes a tag that points to another revision, and refuses (79) while tags point to X', async () => {
  const kube = new FakeKubeClient([...installed('r1'), ...installed('r2')]);
  const snap = await readTagSnapshot(kube);
  await applySetPlan(planSet(snap, { tag: 'prod', revision: 'r2', istioNamespace: 'istio-system', overwrite: false }), { kube });
  await applySetPlan(planSet(await readTagSnapshot(kube), { tag: 'canary', revision: 'r1', istioNamespace: 'istio-system', overwrite: false }), { kube });
  // A tag webhook that kept an installer's labels (as Helm's revisionTags render it) still is not r1's to remove.
  await kube.patch(
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', name: 'istio-revision-tag-prod' },
    { metadata: { labels: { 'operator.istio.io/component': 'Pilot' } } },
    'merge',
  );
  const plan = await planUninstall(kube, { revision: 'r1', purge: false });
  const names = plan.objects.map((o) => o.metadata.name);
  assert.ok(names.includes('istio-sidecar-injector-r1'));
  assert.ok(!names.some((n) => n?.startsWith('istio-revision-tag-')), names.join(', '));
  assert.deepEqual(plan.tags, [{ tag: 'canary', objects: ['MutatingWebhookConfiguration/istio-revision-tag-canary'] }]);
  const refusal = tagRefusal(plan, { revision: 'r1', force: false, purge: false, dryRun: false });
  assert.equal(exitCodeOf(refusal), 79);
  assert.match(refusal!.message, /revision tag canary points to it.*mesh tag set canary -r OTHER --overwrite/);
  // --force takes the tags of r1 with it (they would call a gone istiod), still not prod.
  const forced = await planUninstall(kube, { revision: 'r1', purge: false, force: true });
  const forcedNames = forced.objects.map((o) => o.metadata.name);
  assert.ok(forcedNames.includes('istio-revision-tag-canary'));
  assert.ok(!forcedNames.includes('istio-revision-tag-prod'));
  // Uninstalling r2 with a Helm-labelled prod tag: the tag is reported (and refused), not silently taken.
  const r2 = await planUninstall(kube, { revision: 'r2', purge: false });
  assert.ok(!r2.objects.some((o) => o.metadata.name === 'istio-revision-tag-prod'));
  assert.deepEqual(
    r2.tags.map((t) => t.tag),
    ['prod'],
  );
});

test('flags: a tag must be a DNS label, --revision is required, --auto-inject-namespaces only for default', () => {
  const base = { istioNamespace: 'istio-system' };
  assert.throws(
    () => validateTagSet('Prod', { ...base, revision: 'r1' }),
    (e: Error) => exitCodeOf(e) === 64 && /^TAG: "Prod" is not a valid tag name/.test(e.message),
  );
  assert.throws(() => validateTagSet('prod', base), /--revision: required/);
  assert.throws(() => validateTagSet('prod', { ...base, revision: 'R1' }), /--revision: "R1" is not a valid revision name/);
  assert.throws(() => validateTagSet('prod', { ...base, revision: 'r1', autoInjectNamespaces: true }), /--auto-inject-namespaces: only for the tag default/);
  assert.throws(() => validateTagSet('prod', { istioNamespace: 'Bad_NS', revision: 'r1' }), /-i\/--istio-namespace/);
  assert.deepEqual(validateTagSet('default', { ...base, revision: 'r1', autoInjectNamespaces: true }), { tag: 'default', revision: 'r1' });
});
