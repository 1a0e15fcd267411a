/**
 * Telemetry resources with a `selector`:
 * - IST0101: `selector.matchLabels` selects no workload in the Telemetry's namespace. Only reported
 *   when that namespace has workloads in view (Pods, pod templates of Deployments / StatefulSets /
 *   DaemonSets, WorkloadEntries): with none, nothing can be concluded (files-only runs stay quiet).
 * - IST0159: two or more Telemetry resources select the same Pod.
 */
import { TEMPLATE_KINDS, type Workload, WorkloadIndex, selectedPodsOrReport } from '../lib/workloads.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'telemetry.SelectorAnalyzer',
  description: 'Checks that Telemetry selectors select workloads, and that no workload has two Telemetry resources',
  inputs: ['Telemetry', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'WorkloadEntry'],
  codes: ['IST0101', 'IST0159'],
};

export function analyze(ctx: AnalysisContext): void {
  const workloads = WorkloadIndex.of(ctx, ['Pod', ...TEMPLATE_KINDS, 'WorkloadEntry']);
  const byPod = new Map<Workload, Resource[]>();
  for (const t of ctx.list('Telemetry')) {
    const labels = stringRecord(asRecord(asRecord(t.object['spec'])['selector'])['matchLabels']);
    for (const w of selectedPodsOrReport(ctx, workloads, t, labels, ['spec', 'selector', 'matchLabels'])) {
      const list = byPod.get(w);
      if (list) list.push(t);
      else byPod.set(w, [t]);
    }
  }
  for (const [pod, list] of byPod) {
    if (list.length < 2) continue;
    const names = list.map((t) => t.name).sort();
    for (const t of list) {
      ctx.report('IST0159', t, { conflictingTelemetries: names, namespace: pod.namespace, workloadPod: pod.name }, { path: ['metadata', 'name'] });
    }
  }
}
