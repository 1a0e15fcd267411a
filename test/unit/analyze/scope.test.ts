// Revision scoping, discoverySelectors and the namespace selector (-l) of mesh analyze: which objects
// one control plane sees (src/analyze/scope.ts), how the cluster is read for -l (fewer, narrower
// lists), the flags' checks, and a whole run over a fake cluster with two revisions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANALYZERS } from '../../../src/analyze/analyzers/index.js';
import { ANALYZE_FORMATS } from '../../../src/analyze/format.js';
import { KIND_IDS } from '../../../src/analyze/kinds.js';
import { readCluster } from '../../../src/analyze/io/cluster.js';
import { clusterResource, parseManifests } from '../../../src/analyze/load.js';
import { runAnalyze } from '../../../src/analyze/run.js';
import { labelsInRevision, scopeResources } from '../../../src/analyze/scope.js';
import type { KindId } from '../../../src/analyze/kinds.js';
import type { Resource } from '../../../src/analyze/types.js';
import { parseResourceFilters, validateAnalyzeOptions } from '../../../src/cli/options/analyze.js';
import { UsageError } from '../../../src/errors.js';
import type { KubeObject, ListOptions } from '../../../src/kube/client.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';

const GROUPS: Record<string, string> = {
  VirtualService: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1',
  HTTPRoute: 'gateway.networking.k8s.io/v1',
  Service: 'v1',
  Pod: 'v1',
  Namespace: 'v1',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
};
function obj(kind: string, namespace: string, name: string, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: GROUPS[kind]!,
    kind,
    metadata: { name, ...(namespace !== '' ? { namespace } : {}), ...(labels ? { labels } : {}) },
    spec: {},
  };
}
const res = (id: KindId, o: KubeObject): Resource => clusterResource(id, o);
const nsRes = (name: string, labels: Record<string, string> = {}): Resource => res('Namespace', obj('Namespace', '', name, labels));
const names = (rs: readonly Resource[]): string[] => rs.map((r) => `${r.kind} ${r.namespace === '' ? r.name : `${r.namespace}/${r.name}`}`).sort();

test("istio's LabelsInRevision: unlabelled objects belong to every revision; no revision asked, everything", () => {
  assert.equal(labelsInRevision(undefined, 'canary'), true);
  assert.equal(labelsInRevision({}, 'canary'), true);
  assert.equal(labelsInRevision({ 'istio.io/rev': 'canary' }, 'canary'), true);
  assert.equal(labelsInRevision({ 'istio.io/rev': 'stable' }, 'canary'), false);
  assert.equal(labelsInRevision({ 'istio.io/rev': 'default' }, 'default'), true);
  assert.equal(labelsInRevision({ 'istio.io/rev': 'stable' }, ''), true);
});

test('--revision drops Istio config and Gateway API objects of other revisions, never Kubernetes objects', () => {
  const all = [
    res('VirtualService', obj('VirtualService', 'shop', 'vs-stable', { 'istio.io/rev': 'stable' })),
    res('VirtualService', obj('VirtualService', 'shop', 'vs-canary', { 'istio.io/rev': 'canary' })),
    res('VirtualService', obj('VirtualService', 'shop', 'vs-all')),
    res('HTTPRoute', obj('HTTPRoute', 'shop', 'route-stable', { 'istio.io/rev': 'stable' })),
    res('Pod', obj('Pod', 'shop', 'gw-stable', { 'istio.io/rev': 'stable' })),
    res('Service', obj('Service', 'shop', 'svc-stable', { 'istio.io/rev': 'stable' })),
    nsRes('shop', { 'istio.io/rev': 'stable' }),
  ];
  const s = scopeResources(all, { revision: 'canary', istioNamespace: 'istio-system' });
  assert.deepEqual(names(s.kept), [
    'Namespace shop',
    'Pod shop/gw-stable',
    'Service shop/svc-stable',
    'VirtualService shop/vs-all',
    'VirtualService shop/vs-canary',
  ]);
  assert.deepEqual(names(s.otherRevision), ['HTTPRoute shop/route-stable', 'VirtualService shop/vs-stable']);
  assert.equal(s.reportNamespaces, undefined);
  assert.equal(scopeResources(all, { revision: '', istioNamespace: 'istio-system' }).kept.length, all.length, 'no revision: everything');
});

test('discoverySelectors: objects of unselected namespaces are dropped; the control-plane namespace, cluster-scoped objects and unknown namespaces stay', () => {
  const all = [
    nsRes('team-a', { team: 'a' }),
    nsRes('team-b', { team: 'b' }),
    nsRes('istio-system'),
    res('VirtualService', obj('VirtualService', 'team-a', 'a')),
    res('VirtualService', obj('VirtualService', 'team-b', 'b')),
    res('Service', obj('Service', 'team-b', 'b')),
    res('Service', obj('Service', 'istio-system', 'istiod')),
    res('VirtualService', obj('VirtualService', 'nowhere', 'n')),
    res('MutatingWebhookConfiguration', obj('MutatingWebhookConfiguration', '', 'istio-sidecar-injector')),
  ];
  const s = scopeResources(all, {
    istioNamespace: 'istio-system',
    discoverySelectors: [{ matchLabels: { team: 'a' } }, { matchExpressions: [{ key: 'env', operator: 'Exists' }] }],
  });
  assert.deepEqual(names(s.undiscovered), ['Namespace team-b', 'Service team-b/b', 'VirtualService team-b/b']);
  assert.deepEqual(s.undiscoveredNamespaces, ['team-b']);
  assert.ok(names(s.kept).includes('Service istio-system/istiod'), 'the control-plane namespace is always in view');
  assert.ok(names(s.kept).includes('VirtualService nowhere/n'), 'a namespace of unknown labels is kept');
  assert.ok(names(s.kept).includes('MutatingWebhookConfiguration istio-sidecar-injector'));
  // As istiod: an empty selector selects every namespace; no selectors at all, every namespace.
  assert.equal(scopeResources(all, { istioNamespace: 'istio-system', discoverySelectors: [{}] }).undiscovered.length, 0);
  assert.equal(scopeResources(all, { istioNamespace: 'istio-system', discoverySelectors: [] }).undiscovered.length, 0);
});

test('-l: only matching namespaces are analysed and reported; the control-plane namespace stays in view but is reported only if it matches', () => {
  const all = [
    nsRes('team-a', { team: 'a' }),
    nsRes('team-b', { team: 'b' }),
    nsRes('istio-system'),
    res('VirtualService', obj('VirtualService', 'team-a', 'a')),
    res('VirtualService', obj('VirtualService', 'team-b', 'b')),
    res('Gateway', obj('Gateway', 'istio-system', 'gw')),
    res('VirtualService', obj('VirtualService', 'nowhere', 'n')),
  ];
  const s = scopeResources(all, { istioNamespace: 'istio-system', namespaceSelector: 'team in (a,c)' });
  assert.deepEqual(names(s.kept), ['Gateway istio-system/gw', 'Namespace istio-system', 'Namespace team-a', 'VirtualService team-a/a']);
  assert.deepEqual(names(s.unselected), ['Namespace team-b', 'VirtualService nowhere/n', 'VirtualService team-b/b']);
  assert.deepEqual(s.reportNamespaces, ['team-a']);
  // A namespace the discoverySelectors leave out is not analysed even when -l matches it.
  const both = scopeResources(all, { istioNamespace: 'istio-system', namespaceSelector: 'team', discoverySelectors: [{ matchLabels: { team: 'b' } }] });
  assert.deepEqual(both.reportNamespaces, ['team-b']);
});

const catalog = { analyzers: ANALYZERS, formats: ANALYZE_FORMATS, kinds: KIND_IDS };
const flags = { istioNamespace: 'istio-system', output: 'log', outputThreshold: 'Info', failureThreshold: 'Error' };
function usage(extra: Record<string, unknown>): string {
  try {
    validateAnalyzeOptions([], { ...flags, ...extra }, catalog);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  assert.fail('expected a UsageError');
}

test('flags: -r must be a revision name, -l a label selector and not with -n; -l implies every matching namespace', () => {
  assert.equal(
    usage({ revision: 'Canary_1' }),
    `-r/--revision: "Canary_1" is not a valid revision name (lowercase letters, digits and '-', e.g. canary, 1-31-1, default)`,
  );
  assert.equal(usage({ selector: 'team in (a' }), '-l/--selector "team in (a": not a label selector: unbalanced "("');
  assert.equal(usage({ selector: '  ' }), '-l/--selector: empty; give namespace labels to match (e.g. -l team=payments)');
  assert.equal(
    usage({ selector: 'team=a', namespace: 'shop' }),
    '-l/--selector and -n/--namespace cannot be used together (-l picks the namespaces by their labels)',
  );
  for (const m of [usage({ revision: 'Canary_1' }), usage({ selector: 'a=(' })]) assert.doesNotMatch(m, /\n/, 'one line');
  const o = validateAnalyzeOptions([], { ...flags, selector: ' team=a ', revision: 'canary' }, catalog);
  assert.equal(o.namespaceSelector, 'team=a');
  assert.equal(o.allNamespaces, true);
  assert.equal(o.revision, 'canary');
  assert.equal(validateAnalyzeOptions([], { ...flags }, catalog).namespaceSelector, undefined);
});

/** A fake cluster that records each list as `Kind namespace|* [labelSelector]`. */
function recording(objects: KubeObject[]): FakeKubeClient & { lists: string[] } {
  const kube = new FakeKubeClient(objects) as FakeKubeClient & { lists: string[] };
  kube.lists = [];
  const list = kube.list.bind(kube);
  kube.list = async (apiVersion: string, kind: string, options: ListOptions = {}) => {
    kube.lists.push(`${kind} ${options.namespace ?? '*'}${options.labelSelector !== undefined ? ` [${options.labelSelector}]` : ''}`);
    return list(apiVersion, kind, options);
  };
  return kube;
}

const cluster = (): KubeObject[] => [
  obj('Namespace', '', 'team-a', { team: 'a' }),
  obj('Namespace', '', 'team-b', { team: 'b' }),
  obj('Namespace', '', 'istio-system'),
  obj('VirtualService', 'team-a', 'a'),
  obj('VirtualService', 'team-b', 'b'),
  obj('VirtualService', 'istio-system', 'cp'),
];

test('-l narrows the cluster read: namespaces listed with labelSelector=, then each kind only in those (and the Istio namespace)', async () => {
  const few = recording(cluster());
  const snap = await readCluster(few, ['VirtualService', 'Namespace'], { istioNamespace: 'istio-system', namespaceSelector: 'team=a' });
  assert.deepEqual(few.lists, ['Namespace * [team=a]', 'VirtualService istio-system', 'VirtualService team-a']);
  assert.deepEqual(snap.selectedNamespaces, ['team-a']);
  assert.deepEqual(names(snap.resources), ['Namespace team-a', 'VirtualService istio-system/cp', 'VirtualService team-a/a']);
  // Past the per-namespace limit: one cluster-wide list, narrowed here.
  const many = recording(cluster());
  const wide = await readCluster(many, ['VirtualService'], { istioNamespace: 'istio-system', namespaceSelector: 'team', perNamespaceLimit: 2 });
  assert.deepEqual(many.lists, ['Namespace * [team]', 'VirtualService *']);
  assert.deepEqual(names(wide.resources), [
    'Namespace team-a',
    'Namespace team-b',
    'VirtualService istio-system/cp',
    'VirtualService team-a/a',
    'VirtualService team-b/b',
  ]);
});

test('a run with two revisions: --revision canary analyses canary config with the mesh config of istio-canary, and says which file objects it left out', async () => {
  const vs = (ns: string, name: string, host: string, rev?: string): KubeObject => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: ns, ...(rev !== undefined ? { labels: { 'istio.io/rev': rev } } : {}) },
    spec: { hosts: [host], http: [{ route: [{ destination: { host } }] }] },
  });
  const kube = new FakeKubeClient([
    obj('Namespace', '', 'team-a', { team: 'a', 'istio-injection': 'disabled' }),
    obj('Namespace', '', 'team-b', { team: 'b', 'istio-injection': 'disabled' }),
    obj('Namespace', '', 'istio-system'),
    vs('team-a', 'vs-stable', 'missing-stable', 'stable'),
    vs('team-a', 'vs-canary', 'missing-canary', 'canary'),
    vs('team-a', 'vs-all', 'missing-all'),
    vs('team-b', 'vs-b', 'missing-b'),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio-canary', namespace: 'istio-system' },
      data: { mesh: 'discoverySelectors:\n- matchLabels: { team: a }\n' },
    },
  ]);
  const file = parseManifests(
    'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: from-file, namespace: team-a, labels: { istio.io/rev: stable } }\nspec: { hosts: [x], http: [{ route: [{ destination: { host: x } }] }] }\n',
    { file: 'stable.yaml', defaultNamespace: 'default' },
  );
  const run = async (extra: { revision?: string; namespaceSelector?: string; files?: string[] }) => {
    const warnings: string[] = [];
    const verbose: string[] = [];
    const r = await runAnalyze(
      {
        files: extra.files ?? [],
        useKube: true,
        allNamespaces: true,
        namespace: undefined,
        istioNamespace: 'istio-system',
        revision: extra.revision ?? '',
        ...(extra.namespaceSelector !== undefined ? { namespaceSelector: extra.namespaceSelector } : {}),
        meshConfigFile: undefined,
        ignoreUnknown: false,
        suppressions: [],
        analyzers: ANALYZERS.filter((a) => a.meta.name === 'virtualservice.DestinationHostAnalyzer'),
      },
      {
        kube: async () => kube,
        readSources: async () => ({ sources: [{ file: 'stable.yaml', text: file.resources[0]!.origin.source!.text }], notes: [] }),
        readFile: async () => '',
        warn: (s) => warnings.push(s),
        verbose: (s) => verbose.push(s),
      },
    );
    return { origins: r.messages.map((m) => `${m.code} ${m.resource.namespace}/${m.resource.name}`), warnings, verbose, target: r.target };
  };
  assert.deepEqual((await run({})).origins, ['IST0101 team-a/vs-all', 'IST0101 team-a/vs-canary', 'IST0101 team-a/vs-stable', 'IST0101 team-b/vs-b']);
  const canary = await run({ revision: 'canary', files: ['stable.yaml'] });
  assert.deepEqual(canary.origins, ['IST0101 team-a/vs-all', 'IST0101 team-a/vs-canary'], 'team-b is not selected by the canary mesh config');
  assert.deepEqual(canary.warnings, [
    'not analysed, labelled istio.io/rev for another revision than "canary" (the control plane of --revision canary ignores them): VirtualService team-a/from-file',
  ]);
  assert.ok(canary.verbose.includes('Namespaces not selected by discoverySelectors (not analysed): team-b'), canary.verbose.join('\n'));
  // The stable revision has no mesh config of its own here (defaults: every namespace).
  assert.deepEqual((await run({ revision: 'stable' })).origins, ['IST0101 team-a/vs-all', 'IST0101 team-a/vs-stable', 'IST0101 team-b/vs-b']);
  const b = await run({ namespaceSelector: 'team=b' });
  assert.deepEqual(b.origins, ['IST0101 team-b/vs-b']);
  assert.equal(b.target, 'namespaces matching "team=b"');
});

test('files only: discoverySelectors of --meshConfigFile and -l scope by the Namespace objects in the files; a namespace without one is kept by the first, not matched by the second', async () => {
  const text = [
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: team-a, labels: { team: a, istio-injection: disabled } }',
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: team-b, labels: { team: b, istio-injection: disabled } }',
    ...['team-a', 'team-b', 'elsewhere'].map(
      (ns) =>
        `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: vs, namespace: ${ns} }\nspec: { hosts: [nope], http: [{ route: [{ destination: { host: nope } }] }] }`,
    ),
  ].join('\n---\n');
  const run = async (meshConfigFile: string | undefined, namespaceSelector?: string): Promise<string[]> => {
    const r = await runAnalyze(
      {
        files: ['mesh.yaml'],
        useKube: false,
        allNamespaces: true,
        namespace: undefined,
        istioNamespace: 'istio-system',
        revision: '',
        ...(namespaceSelector !== undefined ? { namespaceSelector } : {}),
        meshConfigFile,
        ignoreUnknown: false,
        suppressions: [],
        analyzers: ANALYZERS.filter((a) => a.meta.name === 'virtualservice.DestinationHostAnalyzer'),
      },
      {
        readSources: async () => ({ sources: [{ file: 'mesh.yaml', text }], notes: [] }),
        readFile: async () => 'discoverySelectors:\n- matchLabels: { team: a }\n',
        warn: () => undefined,
      },
    );
    return r.messages.map((m) => m.resource.namespace);
  };
  assert.deepEqual(await run(undefined), ['elsewhere', 'team-a', 'team-b']);
  assert.deepEqual(await run('mesh-config.yaml'), ['elsewhere', 'team-a']);
  assert.deepEqual(await run(undefined, 'team=b'), ['team-b']);
});

test('-F "Kind selector" (istio#45458): the kind is listed with that labelSelector; two of one kind are ANDed; mistakes are one-line usage errors', async () => {
  assert.deepEqual(parseResourceFilters(['Secret owner!=helm', 'secret  app', 'KubernetesGateway team in (a,b)'], KIND_IDS), {
    Secret: 'owner!=helm,app',
    KubernetesGateway: 'team in (a,b)',
  });
  assert.equal(usage({ resourceFilter: ['Secret'] }), '-F/--resource-filter "Secret": give a kind and a label selector, e.g. -F "Secret owner!=helm"');
  assert.match(
    usage({ resourceFilter: ['Secrets owner!=helm'] }),
    /^-F\/--resource-filter: no kind "Secrets" \(did you mean "Secret"\?\) \(one of AuthorizationPolicy, /,
  );
  assert.equal(usage({ resourceFilter: ['Secret owner!=(helm'] }), '-F/--resource-filter "Secret owner!=(helm": not a label selector: unbalanced "("');
  const o = validateAnalyzeOptions([], { ...flags, resourceFilter: ['Secret owner!=helm'] }, catalog);
  assert.deepEqual(o.resourceFilters, { Secret: 'owner!=helm' });

  const kube = recording([
    ...cluster(),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.x', namespace: 'team-a', labels: { owner: 'helm' } } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'team-a' } },
  ]);
  const snap = await readCluster(kube, ['Secret', 'VirtualService'], { labelSelectors: { Secret: 'owner!=helm' } });
  assert.deepEqual(kube.lists, ['Secret * [owner!=helm]', 'VirtualService *']);
  assert.deepEqual(names(snap.resources.filter((r) => r.id === 'Secret')), ['Secret team-a/cert']);
  // With -l, a filter on Namespaces joins the namespace selector.
  const both = recording(cluster());
  await readCluster(both, ['VirtualService'], { namespaceSelector: 'team', labelSelectors: { Namespace: 'team!=b' } });
  assert.deepEqual(both.lists[0], 'Namespace * [team,team!=b]');
});

test('-F on a run that reads files only filters nothing, and a warning says so', async () => {
  const warnings: string[] = [];
  const text = 'apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: team-a, labels: { owner: helm } }\n';
  const r = await runAnalyze(
    {
      files: ['secrets.yaml'],
      useKube: false,
      allNamespaces: true,
      namespace: undefined,
      istioNamespace: 'istio-system',
      revision: '',
      resourceFilters: { Secret: 'owner!=helm' },
      meshConfigFile: undefined,
      ignoreUnknown: false,
      suppressions: [],
      analyzers: ANALYZERS,
    },
    { readSources: async () => ({ sources: [{ file: 'secrets.yaml', text }], notes: [] }), readFile: async () => '', warn: (s) => warnings.push(s) },
  );
  assert.equal(r.counts.files, 1);
  assert.deepEqual(warnings, ['-F/--resource-filter filters what is listed from a cluster; this run reads files only, so Secret objects are not filtered']);
});
