/**
 * IST0160: a namespace holds more than one Telemetry without a `selector` (and without targetRef /
 * targetRefs). Each is the namespace's default (or, in the root namespace, the mesh's), and which one
 * applies is undefined.
 */
import { hasTargetRef } from '../lib/workloads.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'telemetry.DefaultSelectorAnalyzer',
  description: 'Checks that no namespace has more than one Telemetry without a selector',
  inputs: ['Telemetry'],
  codes: ['IST0160'],
};

export function analyze(ctx: AnalysisContext): void {
  const byNamespace = new Map<string, Resource[]>();
  for (const t of ctx.list('Telemetry')) {
    const spec = asRecord(t.object['spec']);
    if (spec['selector'] !== undefined && spec['selector'] !== null) continue;
    if (hasTargetRef(spec)) continue;
    const list = byNamespace.get(t.namespace);
    if (list) list.push(t);
    else byNamespace.set(t.namespace, [t]);
  }
  for (const [ns, list] of byNamespace) {
    if (list.length < 2) continue;
    const names = list.map((t) => t.name);
    for (const t of list) ctx.report('IST0160', t, { conflictingTelemetries: names, namespace: ns }, { path: ['metadata', 'name'] });
  }
}
