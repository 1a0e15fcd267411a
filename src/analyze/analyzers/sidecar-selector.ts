/**
 * Sidecar resources and the workloads they pick:
 * - IST0101: a `workloadSelector` selects no workload in the Sidecar's namespace. Only reported when
 *   that namespace has workloads in view (Pods, pod templates of Deployments / StatefulSets /
 *   DaemonSets, WorkloadEntries): with none, nothing can be concluded (files-only runs stay quiet).
 * - IST0110: two or more Sidecars select the same Pod.
 * - IST0111: a namespace has more than one Sidecar without a selector (or with empty labels).
 * - IST0167: the Sidecar cannot take effect because what it applies to runs in ambient mode (a Pod
 *   annotated `ambient.istio.io/redirection: enabled`, or a namespace labelled for ambient); this
 *   replaces IST0110 / IST0111 for those objects.
 */
import { TEMPLATE_KINDS, type Workload, WorkloadIndex, firstSelectorKey, namespaceInAmbient, podInAmbient, selectedPodsOrReport } from '../lib/workloads.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'sidecar.SelectorAnalyzer',
  description: 'Checks that Sidecar workload selectors select workloads, and that no workload or namespace has two Sidecars',
  inputs: ['Sidecar', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'WorkloadEntry', 'Namespace'],
  codes: ['IST0101', 'IST0110', 'IST0111', 'IST0167'],
};

export function analyze(ctx: AnalysisContext): void {
  const workloads = WorkloadIndex.of(ctx, ['Pod', ...TEMPLATE_KINDS, 'WorkloadEntry']);
  const sidecarsByPod = new Map<Workload, Resource[]>();
  const namespaceWide = new Map<string, Resource[]>();

  for (const sc of ctx.list('Sidecar')) {
    const labels = stringRecord(asRecord(asRecord(sc.object['spec'])['workloadSelector'])['labels']);
    const key = firstSelectorKey(labels);
    if (key === undefined) {
      const list = namespaceWide.get(sc.namespace);
      if (list) list.push(sc);
      else namespaceWide.set(sc.namespace, [sc]);
      continue;
    }
    for (const w of selectedPodsOrReport(ctx, workloads, sc, labels, ['spec', 'workloadSelector', 'labels'])) {
      const list = sidecarsByPod.get(w);
      if (list) list.push(sc);
      else sidecarsByPod.set(w, [sc]);
    }
  }

  const ineffective = new Set<Resource>();
  for (const [pod, sidecars] of sidecarsByPod) {
    if (podInAmbient(pod)) {
      for (const sc of sidecars) {
        if (ineffective.has(sc)) continue;
        ineffective.add(sc);
        const reason = 'selected workload is in ambient mode, the policy has no impact';
        ctx.report('IST0167', sc, { reason }, { path: ['spec', 'workloadSelector'] });
      }
      continue;
    }
    if (sidecars.length < 2) continue;
    const names = sidecars.map((s) => s.name);
    for (const sc of sidecars) {
      ctx.report('IST0110', sc, { conflictingSidecars: names, namespace: pod.namespace, workloadPod: pod.name }, { path: ['metadata', 'name'] });
    }
  }

  for (const [ns, sidecars] of namespaceWide) {
    if (namespaceInAmbient(ctx.find('Namespace', '', ns))) {
      for (const sc of sidecars) {
        if (ineffective.has(sc)) continue;
        ineffective.add(sc);
        ctx.report('IST0167', sc, { reason: 'namespace is in ambient mode, the policy has no impact' });
      }
      continue;
    }
    if (sidecars.length < 2) continue;
    const names = sidecars.map((s) => s.name);
    for (const sc of sidecars) ctx.report('IST0111', sc, { conflictingSidecars: names, namespace: ns }, { path: ['metadata', 'name'] });
  }
}
