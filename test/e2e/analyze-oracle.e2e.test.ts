// The live oracle for `mesh analyze` (issue 13): the same objects applied to the local control plane,
// then the real `istioctl analyze -A -o json` and the built `mesh analyze -A -o json` run on that cluster
// one after the other, and their findings compared on code, level, resource and message text. Live,
// istioctl also runs the analyzers that read Kubernetes kinds (Pods, Services, Namespaces, Secrets…),
// which it skips on files, so this is where IST0173, IST0162, IST0161, IST0145, IST0118… are compared.
//
// Corpora:
// - every analyzer fixture case that has a Kubernetes object (the others are compared files-only by
//   test/parity/analyze.parity.test.ts), one case at a time: applied, analysed, deleted. A case is
//   skipped, and counted, when it holds cluster-wide objects (webhook configurations, CRDs…) that
//   would change the shared control plane for the tests after it, or an object that already exists.
// - generated meshes with injected mistakes (test/parity/analyze-corpus.ts; MESH_ANALYZE_LIVE_MESHES,
//   200 by default), all applied at once (their namespaces and hosts are their own), analysed once.
// Only findings about the corpus' namespaces are compared: the cluster holds other tests' objects too.
// A difference fails unless DEVIATIONS (test/parity/analyze-oracle.ts, docs/analyzers/parity.md)
// names it with its reason.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { KINDS, kindIdOf } from '../../src/analyze/kinds.js';
import { KubeApiError, NotServedError, refOf, type KubeClient } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { parseKubeYaml } from '../../src/model/yaml.js';
import { forEachLimit } from '../../src/util/pool.js';
import { generateMesh } from '../parity/analyze-corpus.js';
import {
  type Deviation,
  type Finding,
  fixtureCases,
  type KubeObjectLike,
  View,
  istioctlAnalyze,
  unexplained,
  withNamespaces,
} from '../parity/analyze-oracle.js';
import { oracleSkip } from '../parity/oracle.js';
import { applyIstioCrds, runMesh, startControlPlane, waitFor, type ControlPlane } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
const skip = cp.skip || oracleSkip || false;
const fieldManager = 'mesh-e2e-analyze-oracle';

/** Kinds a fixture case may not put on the shared control plane: they act cluster-wide. */
const CLUSTER_WIDE = new Set([
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CustomResourceDefinition',
  'GatewayClass',
  'ClusterRole',
  'ClusterRoleBinding',
]);
/** Kinds whose objects need a deletion that waits for their pods. */
const OWNS_PODS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}
const metaOf = (o: KubeObject): Meta => o.metadata as Meta;

/** The namespace a finding is about: `Kind ns/name` gives ns, `Namespace name` gives name. */
function namespaceOf(f: Finding): string | undefined {
  const m = /^Namespace (\S+)$/.exec(f.origin) ?? /^\S+ ([^/\s]+)\//.exec(f.origin);
  return m?.[1];
}

function objectsOf(text: string): KubeObject[] {
  return parseKubeYaml(text)
    .map((d) => d.value)
    .filter((v): v is KubeObject => v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { kind?: unknown }).kind === 'string');
}

/** A kind the API server does not serve (the Gateway API's, here) has no objects. */
const notServed = (err: unknown): undefined => {
  if (err instanceof NotServedError) return undefined;
  throw err;
};

/** Core and apps objects: what istioctl reads only from a cluster. */
const isKubernetesKind = (o: KubeObject): boolean => o.apiVersion === 'v1' || o.apiVersion.startsWith('apps/');

/** The pods in `namespaces`, as `ns/name` with their phase. */
async function podsIn(kube: KubeClient, namespaces: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ns of namespaces) {
    for (const p of await kube.list('v1', 'Pod', { namespace: ns }))
      out.set(`${ns}/${metaOf(p).name}`, (p as { status?: { phase?: string } }).status?.phase ?? '');
  }
  return out;
}

const namespaced = (o: KubeObject): boolean => {
  const id = kindIdOf(o.apiVersion, o.kind);
  return id !== undefined ? KINDS[id].namespaced : o.kind !== 'Namespace' && !CLUSTER_WIDE.has(o.kind);
};

/** Both tools on the cluster as it is now, reduced to the findings about `namespaces`. */
async function analyzeBoth(namespaces: ReadonlySet<string>, meshConfigFile?: string): Promise<{ istio: Finding[]; mesh: Finding[] }> {
  const ist = istioctlAnalyze([], { kubeconfig: cp.kubeconfigPath, ...(meshConfigFile ? { meshConfigFile } : {}) });
  const r = await runMesh(cp, ['analyze', '-A', '-o', 'json', ...(meshConfigFile ? ['--meshConfigFile', meshConfigFile] : [])], { timeoutMs: 300_000 });
  assert.ok(r.code === 0 || r.code === 79, `mesh analyze exited ${r.code}: ${r.stderr}`);
  const mine = (f: Finding): boolean => namespaces.has(namespaceOf(f) ?? '');
  const strip = ({ code, level, origin, message, reference }: Finding): Finding => ({
    code,
    level,
    origin,
    message,
    ...(reference !== undefined ? { reference } : {}),
  });
  return { istio: ist.findings.filter(mine), mesh: (JSON.parse(r.stdout || '[]') as Finding[]).map(strip).filter(mine) };
}

describe('mesh analyze agrees with istioctl analyze on a live cluster', { skip: skip || undefined }, () => {
  let kube: KubeClient;
  const tmp = mkdtempSync(join(tmpdir(), 'mesh-analyze-oracle-'));
  const used = new Set<Deviation>();
  const meshNamespaces: string[] = [];

  before(async () => {
    kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    await applyIstioCrds(kube, fieldManager);
  });

  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
    // The generated meshes' namespaces go, and are waited for: while the namespace controller deletes
    // their Services and Pods, an istiod installed by a later test would push to its proxies
    // continuously (proxy-status would see them STALE).
    await forEachLimit(meshNamespaces, { limit: 16 }, async (name) => {
      await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name }).catch(() => false);
    });
    const gone = new Set(meshNamespaces);
    await waitFor(
      `the ${meshNamespaces.length} namespaces of the generated meshes deleted`,
      async () => (await kube.list('v1', 'Namespace')).every((n) => !gone.has(metaOf(n).name)),
      { timeoutMs: 600_000, intervalMs: 2000 },
    );
    await cp.release();
  });

  /** A namespace that exists with its default ServiceAccount (pods are refused before it exists). */
  async function ensureNamespace(name: string): Promise<void> {
    if (!(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name }))) {
      await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    await waitFor(`ServiceAccount ${name}/default`, () => kube.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: name, name: 'default' }));
  }

  it('every analyzer fixture case with a Kubernetes object, one at a time', { timeout: 900_000 }, async () => {
    const problems: string[] = [];
    const skipped: string[] = [];
    const refused: string[] = [];
    let cases = 0;
    let findings = 0;
    for (const c of fixtureCases()) {
      const objects = objectsOf(withNamespaces(c.objects));
      const label = `${c.file} "${c.name}"`;
      if (!objects.some(isKubernetesKind)) continue;
      if (objects.some((o) => CLUSTER_WIDE.has(o.kind))) {
        skipped.push(`${label}: cluster-wide objects`);
        continue;
      }
      const existing = await Promise.all(objects.filter((o) => o.kind !== 'Namespace').map((o) => kube.get(refOf(o)).catch(notServed)));
      if (existing.some((o) => o !== undefined)) {
        skipped.push(`${label}: an object already exists in the cluster`);
        continue;
      }
      cases++;
      const namespaces = new Set<string>(objects.map((o) => (o.kind === 'Namespace' ? metaOf(o).name : (metaOf(o).namespace ?? ''))).filter((n) => n !== ''));
      for (const ns of namespaces) await ensureNamespace(ns);
      let meshConfigFile: string | undefined;
      if (c.meshConfig) writeFileSync((meshConfigFile = join(tmp, `case-${cases}.mesh.yaml`)), stringify(c.meshConfig));
      const applied: KubeObject[] = [];
      const podsBefore = new Set((await podsIn(kube, namespaces)).keys());
      try {
        // Namespaces' labels and annotations are this field manager's, and taken back afterwards.
        for (const o of [...objects.filter((x) => x.kind === 'Namespace'), ...objects.filter((x) => x.kind !== 'Namespace')]) {
          try {
            const body = { ...o, metadata: { ...metaOf(o) } } as KubeObject;
            delete (body as { status?: unknown }).status;
            await kube.apply(body, { fieldManager, force: true });
            applied.push(o);
          } catch (err) {
            if (!(err instanceof NotServedError) && (!(err instanceof KubeApiError) || err.status === 0 || err.status >= 500)) throw err;
            refused.push(`${label}: ${o.kind} ${metaOf(o).name}: ${err.message.split('\n')[0]}`);
          }
        }
        // Pods the case's workloads make are running before either tool looks.
        if (applied.some((o) => o.kind === 'Deployment' || o.kind === 'Pod')) {
          await waitFor(`${label}: the case's pods running`, async () => {
            for (const [name, phase] of await podsIn(kube, namespaces)) if (!podsBefore.has(name) && phase !== 'Running') return false;
            const ds = await Promise.all(applied.filter((o) => o.kind === 'Deployment').map((o) => kube.get(refOf(o))));
            return ds.every((d) => {
              const s = (d as { spec?: { replicas?: number }; status?: { readyReplicas?: number } } | undefined) ?? {};
              return (s.status?.readyReplicas ?? 0) >= (s.spec?.replicas ?? 1);
            });
          });
        }
        let both;
        try {
          both = await analyzeBoth(namespaces, meshConfigFile);
        } catch (err) {
          // istioctl's own crash on this input (a Go panic): nothing to compare with; counted and shown.
          const panic = /panic: ([^\n]*)[\s\S]*?\n(istio\.io\/istio\/\S+)\(/.exec(String(err));
          if (!panic) throw err;
          skipped.push(`${label}: istioctl panics: ${panic[1]} in ${panic[2]}`);
          continue;
        }
        const { istio, mesh } = both;
        findings += istio.length;
        for (const p of unexplained(istio, mesh, used, new View(objects as KubeObjectLike[]))) problems.push(`${label}: ${p}`);
      } finally {
        await cleanUp(applied, podsBefore);
      }
    }
    process.stderr.write(
      `analyze oracle (live fixtures): ${cases} cases, ${findings} istioctl findings; ${skipped.length} skipped:\n  ${skipped.join('\n  ')}\n` +
        (refused.length > 0 ? `objects the API server refused (the case ran without them):\n  ${refused.join('\n  ')}\n` : ''),
    );
    assert.ok(cases >= 50 && findings >= 50, `only ${cases} cases with ${findings} istioctl findings`);
    assert.deepEqual(problems, [], `differences with istioctl on live fixture cases that docs/analyzers/parity.md does not explain:\n${problems.join('\n')}`);
  });

  /** Deletes what a case applied (workloads with their pods) and takes its namespace labels back. */
  async function cleanUp(applied: readonly KubeObject[], podsBefore: ReadonlySet<string>): Promise<void> {
    const deletable = applied.filter((o) => o.kind !== 'Namespace');
    for (const o of deletable) await kube.delete(refOf(o), OWNS_PODS.has(o.kind) ? { propagationPolicy: 'Foreground' } : {}).catch(() => false);
    for (const o of applied.filter((x) => x.kind === 'Namespace')) {
      await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: metaOf(o).name } }, { fieldManager, force: true });
    }
    await waitFor(
      'the case objects deleted',
      async () => (await Promise.all(deletable.map((o) => kube.get(refOf(o)).catch(notServed)))).every((x) => x === undefined),
      {
        timeoutMs: 120_000,
      },
    );
    const namespaces = new Set(deletable.filter(namespaced).map((o) => metaOf(o).namespace ?? ''));
    await waitFor('the case pods gone', async () => [...(await podsIn(kube, namespaces)).keys()].every((p) => podsBefore.has(p)), { timeoutMs: 120_000 });
  }

  it('generated meshes with injected mistakes', { timeout: 1_200_000 }, async () => {
    const n = Number(process.env['MESH_ANALYZE_LIVE_MESHES'] ?? 200);
    const meshes = Array.from({ length: n }, (_, i) => generateMesh(i + 1));
    const objects = meshes.flatMap((m) => objectsOf(m.yaml));
    for (const m of meshes) meshNamespaces.push(...m.namespaces);
    const started = Date.now();
    const apply = async (o: KubeObject): Promise<void> => {
      await kube.apply(o, { fieldManager, force: true });
    };
    await forEachLimit(
      objects.filter((o) => o.kind === 'Namespace'),
      { limit: 16 },
      apply,
    );
    await forEachLimit(
      objects.filter((o) => o.kind !== 'Namespace'),
      { limit: 16 },
      apply,
    );
    const namespaces = new Set(meshNamespaces);
    const replicas = objects.filter((o) => o.kind === 'Deployment').reduce((sum, o) => sum + ((o as { spec?: { replicas?: number } }).spec?.replicas ?? 1), 0);
    await waitFor(
      `${replicas} pods of the generated meshes running`,
      async () =>
        (await kube.list('v1', 'Pod')).filter(
          (p) => namespaces.has(metaOf(p).namespace ?? '') && (p as { status?: { phase?: string } }).status?.phase === 'Running',
        ).length >= replicas,
      { timeoutMs: 600_000, intervalMs: 2000 },
    );
    const ready = Date.now();
    const { istio, mesh } = await analyzeBoth(namespaces);
    process.stderr.write(
      `analyze oracle (live meshes): ${n} meshes, ${objects.length} objects and ${replicas} pods ready in ${Math.round((ready - started) / 1000)} s; ` +
        `${istio.length} istioctl findings (${[...new Set(istio.map((f) => f.code))].sort().join(' ')}), analysed in ${Math.round((Date.now() - ready) / 1000)} s\n`,
    );
    // The live analyzers did run: each of these only comes from an analyzer that reads a Kubernetes kind.
    for (const code of ['IST0101', 'IST0103', 'IST0145', 'IST0161', 'IST0162', 'IST0173']) {
      assert.ok(n < 100 || istio.some((f) => f.code === code), `istioctl reported no ${code} on the generated meshes: a mistake is no longer injected`);
    }
    const problems = unexplained(istio, mesh, used, new View(objects as KubeObjectLike[]));
    assert.ok(istio.length >= n, `only ${istio.length} istioctl findings on ${n} meshes`);
    assert.deepEqual(problems, [], `differences with istioctl on live generated meshes:\n${problems.join('\n')}`);
  });
});
