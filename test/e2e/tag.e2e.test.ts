// `mesh tag` on the local control plane with two revisions installed by mesh, each run by the REAL
// istiod (the harness runs pilot-discovery for every istiod Deployment): a pod created in a namespace
// that uses a tag is injected by the istiod of the revision the tag points to, and moving the tag moves
// new pods. istioctl's tag bugs are each checked on the real API server: the default tag's validator
// goes with it (#60537) and follows a rollback (#43227), exactly one webhook injects an
// istio-injection=enabled pod (#48643), and uninstall never takes another revision's tags (#47423).
// Where istioctl is built, `istioctl tag generate` on the same cluster is the oracle for the webhooks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { injectorsFor } from '../../src/tag/build.js';
import { istioctl, oracleSkip } from '../parity/oracle.js';
import { type ControlPlane, type RunResult, runMesh, startControlPlane, waitFor } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
const ADM = 'admissionregistration.k8s.io/v1';
const ok = (r: RunResult): void => assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
const code = (r: RunResult, want: number): void => assert.equal(r.code, want, `want exit ${want}, got ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

type Hook = { name: string; clientConfig?: { service?: { name?: string; namespace?: string; path?: string }; caBundle?: string }; failurePolicy?: string };
const hooks = (o: KubeObject | undefined): Hook[] => (o?.['webhooks'] ?? []) as Hook[];

describe('mesh tag with two revisions and the real istiod', { skip: cp.skip, concurrency: 1 }, () => {
  let kube: KubeClient;
  const mesh = (args: string[], timeoutMs = 120_000): Promise<RunResult> => runMesh(cp, args, { timeoutMs });
  const mwcs = (): Promise<KubeObject[]> => kube.list(ADM, 'MutatingWebhookConfiguration');
  const tagged = async (tag: string): Promise<KubeObject[]> => kube.list(ADM, 'MutatingWebhookConfiguration', { labelSelector: `istio.io/tag=${tag}` });
  const validator = (): Promise<KubeObject | undefined> =>
    kube.get({ apiVersion: ADM, kind: 'ValidatingWebhookConfiguration', name: 'istiod-default-validator' });
  /** A bare pod, created now: the API server calls the injection webhook on the create. */
  const injectedBy = async (ns: string): Promise<string | undefined> => {
    const pod = await kube.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'app-', namespace: ns, labels: { app: 'app' } },
      spec: { containers: [{ name: 'app', image: 'registry.local/app:1.0' }] },
    });
    const status = pod.metadata.annotations?.['sidecar.istio.io/status'];
    return status === undefined ? undefined : (JSON.parse(status) as { revision?: string }).revision;
  };

  before(async () => {
    kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    for (const rev of ['r1', 'r2']) ok(await mesh(['install', '--profile', 'minimal', '-r', rev, '-y', '--readiness-timeout', '3m'], 300_000));
    // Each istiod patches its CA into the webhooks labelled with its revision.
    await waitFor('both injectors have their caBundle', async () => {
      const all = await mwcs();
      return ['r1', 'r2'].every((r) =>
        hooks(all.find((m) => m.metadata.name === `istio-sidecar-injector-${r}`)).every((h) => (h.clientConfig?.caBundle ?? '') !== ''),
      );
    });
  });
  after(async () => {
    await mesh(['uninstall', '--purge', '-y']).catch(() => undefined);
    await cp.release();
  });

  it('refuses an unknown revision, naming the installed ones; generate prints the objects and writes nothing', async () => {
    const bad = await mesh(['tag', 'set', 'prod', '-r', 'r3']);
    code(bad, 64);
    assert.match(bad.stderr, /no control-plane revision "r3" is installed .*installed revisions: r1, r2/);
    const gen = await mesh(['tag', 'generate', 'default', '-r', 'r1']);
    ok(gen);
    const docs = parseAllDocuments(gen.stdout).map((d) => d.toJS() as KubeObject);
    assert.deepEqual(
      docs.map((d) => `${d.kind}/${d.metadata.name}`),
      ['MutatingWebhookConfiguration/istio-revision-tag-default', 'ValidatingWebhookConfiguration/istiod-default-validator'],
    );
    assert.equal((await tagged('default')).length, 0, 'generate wrote nothing');
    assert.equal(await validator(), undefined);
  });

  it('generate matches istioctl tag generate on the same cluster (the fields that matter)', { skip: oracleSkip || false }, async () => {
    const norm = (o: KubeObject | undefined) => ({
      name: o?.metadata.name,
      tag: o?.metadata.labels?.['istio.io/tag'],
      rev: o?.metadata.labels?.['istio.io/rev'],
      webhooks: hooks(o).map((h) => {
        const w = h as Record<string, unknown>;
        return {
          name: w['name'],
          clientConfig: w['clientConfig'],
          rules: w['rules'],
          // istioctl leaves a validator's policy unset when it is Fail (the API default).
          failurePolicy: w['failurePolicy'] ?? 'Fail',
          sideEffects: w['sideEffects'],
          admissionReviewVersions: w['admissionReviewVersions'],
          namespaceSelector: w['namespaceSelector'],
          objectSelector: w['objectSelector'],
          reinvocationPolicy: w['reinvocationPolicy'],
        };
      }),
    });
    for (const tag of ['prod', 'default']) {
      const theirs = istioctl(['--kubeconfig', cp.kubeconfigPath, 'tag', 'generate', tag, '--revision', 'r1']);
      assert.equal(theirs.code, 0, theirs.stderr);
      const ours = await mesh(['tag', 'generate', tag, '-r', 'r1']);
      ok(ours);
      const parse = (s: string): KubeObject[] =>
        parseAllDocuments(s)
          .map((d) => d.toJS() as KubeObject)
          .filter((d) => d !== null);
      const a = parse(theirs.stdout);
      const b = parse(ours.stdout);
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
        assert.deepEqual(norm(b.find((o) => o.kind === kind)), norm(a.find((o) => o.kind === kind)), `${tag}: ${kind}`);
      }
    }
  });

  it('set, --overwrite, list and remove: new pods are injected by the istiod the tag points to', async () => {
    const ns = await cp.freshNamespace('tag-prod', { 'istio.io/rev': 'prod' });
    ok(await mesh(['tag', 'set', 'prod', '-r', 'r1']));
    assert.equal(await injectedBy(ns), 'r1');
    const list = await mesh(['tag', 'list', '-o', 'json']);
    ok(list);
    const rows = (JSON.parse(list.stdout) as { tags: { tag: string; revision: string; namespaces: string[]; pods: number }[] }).tags;
    assert.deepEqual(
      rows.map((r) => [r.tag, r.revision, r.namespaces, r.pods]),
      [['prod', 'r1', [ns], 1]],
    );
    const table = await mesh(['tag', 'list']);
    ok(table);
    assert.match(table.stdout, new RegExp(`^TAG +REVISION +NAMESPACES +PODS\\nprod +r1 +${ns} +1\\n$`));

    const refused = await mesh(['tag', 'set', 'prod', '-r', 'r2']);
    code(refused, 64);
    assert.match(refused.stderr, /tag "prod" already points to revision r1; pass --overwrite/);
    assert.equal(await injectedBy(ns), 'r1', 'a refused set changed nothing');
    const before = (await tagged('prod'))[0]!;
    ok(await mesh(['tag', 'set', 'prod', '-r', 'r2', '--overwrite']));
    const moved = await tagged('prod');
    assert.equal(moved.length, 1);
    assert.equal(moved[0]!.metadata.uid, before.metadata.uid, 're-pointed in place');
    assert.equal(moved[0]!.metadata.labels?.['istio.io/rev'], 'r2');
    assert.equal(await injectedBy(ns), 'r2');
    assert.deepEqual(injectorsFor(await mwcs(), { 'istio.io/rev': 'prod' }, {}), ['istio-revision-tag-prod/rev.namespace.sidecar-injector.istio.io']);

    const inUse = await mesh(['tag', 'remove', 'prod']);
    code(inUse, 79);
    assert.match(inUse.stderr, new RegExp(`refusing to remove tag "prod" while 1 namespace still uses it \\(${ns}\\)`));
    assert.equal((await tagged('prod')).length, 1);
    ok(await mesh(['tag', 'remove', 'prod', '--force']));
    assert.equal((await tagged('prod')).length, 0);
    assert.equal(await injectedBy(ns), undefined, 'no injector serves the removed tag');
  });

  it('tag default: one injector for istio-injection=enabled, the validator on its istiod (and back on a rollback), both removed together', async () => {
    const ns = await cp.freshNamespace('tag-default', { 'istio-injection': 'enabled' });
    assert.equal(await injectedBy(ns), undefined, 'no default before the tag');
    ok(await mesh(['tag', 'set', 'default', '-r', 'r2']));
    assert.deepEqual(injectorsFor(await mwcs(), { 'istio-injection': 'enabled' }, {}), ['istio-revision-tag-default/namespace.sidecar-injector.istio.io']);
    assert.equal(await injectedBy(ns), 'r2');
    assert.equal(hooks(await validator())[0]?.clientConfig?.service?.name, 'istiod-r2');
    // The real istiod r2 takes the validator as its own: its CA, and fail-closed once it has proven itself.
    await waitFor(
      'istiod r2 switches istiod-default-validator to Fail',
      async () => {
        const [h] = hooks(await validator());
        return h?.failurePolicy === 'Fail' && (h.clientConfig?.caBundle ?? '') !== '';
      },
      { timeoutMs: 60_000 },
    );
    // A rollback to r1 moves the validator too, and starts it open again until istiod r1 proves itself.
    ok(await mesh(['tag', 'set', 'default', '-r', 'r1', '--overwrite']));
    const v = await validator();
    assert.equal(v?.metadata.labels?.['istio.io/rev'], 'r1');
    assert.equal(hooks(v)[0]?.clientConfig?.service?.name, 'istiod-r1');
    assert.equal(await injectedBy(ns), 'r1');
    assert.equal(injectorsFor(await mwcs(), { 'istio-injection': 'enabled' }, {}).length, 1);
    // Uninstalling the revision the default points to is refused: the validator would call a gone istiod.
    const refused = await mesh(['uninstall', '-r', 'r1', '-y']);
    code(refused, 79);
    assert.match(refused.stderr, /refusing to uninstall revision r1 while revision tag default points to it/);
    ok(await mesh(['tag', 'remove', 'default', '--force']));
    assert.equal((await tagged('default')).length, 0);
    assert.equal(await validator(), undefined, '#60537: the validator goes with the tag');
  });

  it('#47423: uninstall -r r1 leaves the tags that point to r2', async () => {
    ok(await mesh(['tag', 'set', 'prod', '-r', 'r2']));
    ok(await mesh(['tag', 'set', 'default', '-r', 'r2']));
    const u = await mesh(['uninstall', '-r', 'r1', '-y', '--force'], 180_000);
    ok(u);
    const left = await mwcs();
    assert.ok(!left.some((m) => m.metadata.name === 'istio-sidecar-injector-r1'), 'r1 is gone');
    assert.deepEqual(
      left
        .filter((m) => m.metadata.labels?.['istio.io/tag'] !== undefined)
        .map((m) => `${m.metadata.name}=${m.metadata.labels?.['istio.io/rev']}`)
        .sort(),
      ['istio-revision-tag-default=r2', 'istio-revision-tag-prod=r2'],
    );
    assert.equal((await validator())?.metadata.labels?.['istio.io/rev'], 'r2');
  });
});
