/**
 * Select: which workloads a rollout-restart takes. Pure over a ClusterSnapshot.
 *  - injected (default): workloads whose pods carry an Istio sidecar or should get one;
 *  - all: every workload;
 *  - outdated: workloads with at least one pod whose sidecar does not match its control plane.
 * Pods that no Deployment/StatefulSet/DaemonSet owns (bare pods, Jobs, bare ReplicaSets) come back as
 * manual items: they cannot be rolled.
 */
import type { KubeObject } from '../model/k8s.js';
import { controllerOf, nameOf, namespaceOf, templateMeta } from './k8s.js';
import { INJECTOR_CONFIGMAP, type SidecarContext, type SidecarVerdict, judgeSidecar, targetRevision } from './sidecar.js';
import { type Candidate, type ClusterSnapshot, type ManualItem, type SelectionMode, WORKLOAD_KINDS, type WorkloadKind } from './types.js';

export interface SelectOptions {
  mode: SelectionMode;
  kinds: readonly WorkloadKind[];
  istioNamespace: string;
}

export interface Selection {
  candidates: Candidate[];
  manual: ManualItem[];
  warnings: string[];
}

const key = (kind: string, ns: string, name: string): string => `${kind}/${ns}/${name}`;

/** Pods that are running or about to: not finished, not being deleted. */
function live(pod: KubeObject): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  return pod.metadata.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

export function selectWorkloads(snap: ClusterSnapshot, opts: SelectOptions): Selection {
  const nsLabels = new Map(snap.namespaces.map((n) => [nameOf(n), n.metadata.labels ?? {}]));
  const injectors = new Map(snap.injectorConfigMaps.filter((c) => nameOf(c).startsWith(INJECTOR_CONFIGMAP)).map((c) => [nameOf(c), c] as const));
  const warnings = new Set<string>();
  const sidecarCtx = (ns: string): SidecarContext => ({
    nsLabels: nsLabels.get(ns) ?? {},
    injectors,
    tags: snap.revisionTags,
    istioNamespace: opts.istioNamespace,
  });

  // Who owns each pod: ReplicaSet → Deployment, or a StatefulSet/DaemonSet directly.
  const rsOwner = new Map<string, { kind: string; name: string } | undefined>();
  for (const rs of snap.replicaSets) rsOwner.set(rs.metadata.uid ?? key('ReplicaSet', namespaceOf(rs), nameOf(rs)), controllerOf(rs));
  const podsByWorkload = new Map<string, KubeObject[]>();
  const unowned: { pod: KubeObject; owner: { kind: string; name: string } | undefined }[] = [];
  const selectedUids = snap.selectedPods ? new Set(snap.selectedPods.map((p) => p.metadata.uid)) : undefined;
  for (const pod of snap.pods) {
    if (!live(pod)) continue;
    const ns = namespaceOf(pod);
    const owner = controllerOf(pod);
    let workload: string | undefined;
    if (owner?.kind === 'StatefulSet' || owner?.kind === 'DaemonSet') workload = key(owner.kind, ns, owner.name);
    else if (owner?.kind === 'ReplicaSet') {
      const dep = rsOwner.get(owner.uid) ?? rsOwner.get(key('ReplicaSet', ns, owner.name));
      if (dep?.kind === 'Deployment') workload = key('Deployment', ns, dep.name);
    }
    if (workload !== undefined) {
      const list = podsByWorkload.get(workload) ?? [];
      list.push(pod);
      podsByWorkload.set(workload, list);
    } else if (selectedUids === undefined || selectedUids.has(pod.metadata.uid)) {
      unowned.push({ pod, owner });
    }
  }

  const judge = (pod: KubeObject): SidecarVerdict => {
    const v = judgeSidecar(pod, sidecarCtx(namespaceOf(pod)));
    // Only --outdated compares images (and reads the injector ConfigMaps to do it).
    if (v.warning !== undefined && opts.mode === 'outdated') warnings.add(v.warning);
    return v;
  };
  const wanted = (pod: KubeObject): { take: boolean; verdict: SidecarVerdict | undefined } => {
    if (opts.mode === 'all') return { take: true, verdict: undefined };
    const v = judge(pod);
    return { take: opts.mode === 'outdated' ? v.outdated !== undefined : v.hasSidecar || v.target !== undefined, verdict: v };
  };

  const byKind: Record<WorkloadKind, KubeObject[]> = {
    Deployment: snap.deployments,
    StatefulSet: snap.statefulSets,
    DaemonSet: snap.daemonSets,
  };
  const candidates: Candidate[] = [];
  for (const kind of WORKLOAD_KINDS) {
    if (!opts.kinds.includes(kind)) continue;
    for (const w of byKind[kind]) {
      const ns = namespaceOf(w);
      const pods = podsByWorkload.get(key(kind, ns, nameOf(w))) ?? [];
      const c = judgeWorkload(kind, w, pods, opts.mode, judge, sidecarCtx(ns));
      if (c) candidates.push(c);
    }
  }
  candidates.sort(
    (a, b) =>
      namespaceOf(a.obj).localeCompare(namespaceOf(b.obj)) ||
      WORKLOAD_KINDS.indexOf(a.kind) - WORKLOAD_KINDS.indexOf(b.kind) ||
      nameOf(a.obj).localeCompare(nameOf(b.obj)),
  );

  const manual = new Map<string, ManualItem>();
  for (const { pod, owner } of unowned) {
    const w = wanted(pod);
    if (!w.take) continue;
    const ns = namespaceOf(pod);
    const why = w.verdict?.outdated ?? (w.verdict?.hasSidecar ? 'has a sidecar' : w.verdict ? 'should get a sidecar' : 'selected');
    if (owner === undefined) {
      manual.set(key('Pod', ns, nameOf(pod)), { kind: 'Pod', namespace: ns, name: nameOf(pod), reason: `bare pod (${why}): delete and recreate it yourself` });
    } else if (owner.kind === 'Job') {
      manual.set(key('Job', ns, owner.name), {
        kind: 'Job',
        namespace: ns,
        name: owner.name,
        reason: `Job pods cannot be rolled (${why}): the next run of the Job gets the new sidecar`,
      });
    } else if (!manual.has(key(owner.kind, ns, owner.name))) {
      manual.set(key(owner.kind, ns, owner.name), {
        kind: owner.kind,
        namespace: ns,
        name: owner.name,
        reason: `${owner.kind} is not a Deployment, StatefulSet or DaemonSet (${why}): restart it with its own tooling`,
      });
    }
  }
  return {
    candidates,
    manual: [...manual.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name)),
    warnings: [...warnings].sort(),
  };
}

function judgeWorkload(
  kind: WorkloadKind,
  w: KubeObject,
  pods: KubeObject[],
  mode: SelectionMode,
  judge: (pod: KubeObject) => SidecarVerdict,
  ctx: SidecarContext,
): Candidate | undefined {
  const base = { kind, obj: w, pods, outdatedPods: [] as string[] };
  const count = `${pods.length} pod${pods.length === 1 ? '' : 's'}`;
  if (mode === 'all') return { ...base, reason: count };
  const verdicts = pods.map((p) => ({ pod: p, v: judge(p) }));
  if (mode === 'outdated') {
    const outdated = verdicts.filter((x) => x.v.outdated !== undefined);
    if (outdated.length === 0) return undefined;
    return {
      ...base,
      outdatedPods: outdated.map((x) => nameOf(x.pod)),
      reason: `${outdated.length}/${pods.length} pods outdated: ${outdated[0]!.v.outdated!}`,
    };
  }
  const withSidecar = verdicts.filter((x) => x.v.hasSidecar).length;
  if (withSidecar > 0) return { ...base, reason: `${withSidecar}/${pods.length} pods with sidecar` };
  const tpl = templateMeta(w);
  if (tpl.annotations['sidecar.istio.io/inject'] === 'false') return undefined;
  const target = targetRevision(ctx.nsLabels, tpl.labels, ctx.tags);
  if (target !== undefined) return { ...base, reason: `should get a sidecar of revision ${target}` };
  return undefined;
}
