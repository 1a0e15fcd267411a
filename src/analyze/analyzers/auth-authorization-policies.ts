/**
 * AuthorizationPolicies:
 * - IST0127: the policy applies to no workload in the mesh. A policy in the root namespace with a
 *   `selector` must match an in-mesh workload somewhere; any other policy must match one in its own
 *   namespace (every in-mesh workload there when it has no selector). Workloads are Pods, pod
 *   templates of Deployments / StatefulSets / DaemonSets, and WorkloadEntries. Only judged when the
 *   namespace (for root policies: the input) has workloads in view, so files-only runs without
 *   workloads stay quiet; policies with targetRef(s) attach to gateways or services and are skipped.
 * - IST0101: `rules[].from[].source.namespaces` / `notNamespaces` name a namespace (exact, `prefix*`,
 *   `*suffix` or `*`) that matches no Namespace. Only judged when Namespaces are in view; the
 *   namespaces every Istio cluster has (default, kube-*, the control-plane and root namespaces) always
 *   count as existing.
 */
import { labelSelectorString } from '../../model/label-selector.js';
import { TEMPLATE_KINDS, type Workload, WorkloadIndex, firstSelectorKey, hasTargetRef, inMesh } from '../lib/workloads.js';
import type { AnalysisContext, AnalyzerMeta, FieldPath } from '../types.js';
import { asRecord, isRecord, recordsIn, stringOrUndefined, stringRecord, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'auth.AuthorizationPoliciesAnalyzer',
  description: 'Checks that AuthorizationPolicies apply to workloads and that the namespaces they name exist',
  inputs: ['AuthorizationPolicy', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'WorkloadEntry', 'Namespace'],
  codes: ['IST0101', 'IST0127'],
};

const ALWAYS_PRESENT = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function analyze(ctx: AnalysisContext): void {
  const root = stringOrUndefined(ctx.settings.meshConfig['rootNamespace']) || ctx.settings.istioNamespace;
  const workloads = WorkloadIndex.of(ctx, ['Pod', ...TEMPLATE_KINDS, 'WorkloadEntry']);
  const meshCache = new Map<Workload, boolean>();
  const isInMesh = (w: Workload): boolean => {
    let v = meshCache.get(w);
    if (v === undefined) {
      v = inMesh(w, ctx.find('Namespace', '', w.namespace));
      meshCache.set(w, v);
    }
    return v;
  };
  // Whether a namespace ('' = anywhere) has an in-mesh workload, computed once per namespace.
  const anyInMesh = new Map<string, boolean>();
  const hasInMesh = (ns: string): boolean => {
    let v = anyInMesh.get(ns);
    if (v === undefined) {
      v = (ns === '' ? workloads.select({}) : workloads.inNamespace(ns)).some(isInMesh);
      anyInMesh.set(ns, v);
    }
    return v;
  };
  const matches = (labels: Record<string, string>, ns: string): boolean =>
    Object.keys(labels).length === 0 ? hasInMesh(ns) : workloads.select(labels, ns === '' ? undefined : ns).some(isInMesh);
  const namespaces = namespaceMatcher(ctx, [...ALWAYS_PRESENT, ctx.settings.istioNamespace, root]);
  // From a cluster, a namespace without workloads is a fact; from files it may be out of view.
  const inView = ctx.settings.cluster === true;

  for (const ap of ctx.list('AuthorizationPolicy')) {
    const spec = asRecord(ap.object['spec']);
    const hasSelector = isRecord(spec['selector']);
    const labels = stringRecord(asRecord(spec['selector'])['matchLabels']);
    const key = firstSelectorKey(labels);
    const selectorPath: FieldPath = key === undefined ? ['spec', 'selector'] : ['spec', 'selector', 'matchLabels', key];
    if (ap.namespace === root) {
      if (hasSelector && (inView || workloads.hasAny()) && !matches(labels, '')) {
        ctx.report('IST0127', ap, { labels: labelSelectorString({ matchLabels: labels }, { sortLabels: true }) }, { path: selectorPath });
      }
    } else if (!hasSelector) {
      if (!hasTargetRef(spec) && (inView || workloads.hasAny(ap.namespace)) && !hasInMesh(ap.namespace)) {
        ctx.report('IST0127', ap, { labels: '' });
      }
    } else if ((inView || workloads.hasAny(ap.namespace)) && !matches(labels, ap.namespace)) {
      ctx.report('IST0127', ap, { labels: labelSelectorString({ matchLabels: labels }, { sortLabels: true }) }, { path: selectorPath });
    }

    if (!namespaces) continue;
    recordsIn(spec['rules']).forEach((rule, i) => {
      recordsIn(rule['from']).forEach((from, j) => {
        const source = asRecord(from['source']);
        for (const field of ['namespaces', 'notNamespaces'] as const) {
          stringsIn(source[field]).forEach((ns, k) => {
            if (!namespaces(ns)) ctx.report('IST0101', ap, { reftype: 'namespace', refval: ns }, { path: ['spec', 'rules', i, 'from', j, 'source', field, k] });
          });
        }
      });
    });
  }
}

/**
 * A test "does some namespace match this pattern" (case-insensitive; `*`, `prefix*`, `*suffix`), or
 * undefined when no Namespace is in view. Exact names are a set lookup; each distinct wildcard
 * pattern scans the names once.
 */
function namespaceMatcher(ctx: AnalysisContext, alwaysPresent: readonly string[]): ((pattern: string) => boolean) | undefined {
  const listed = ctx.list('Namespace');
  if (listed.length === 0) return undefined;
  const names = new Set([...listed.map((n) => n.name), ...alwaysPresent].map((n) => n.toLowerCase()));
  const wildcard = new Map<string, boolean>();
  return (pattern) => {
    const p = pattern.toLowerCase();
    if (p === '*') return true;
    if (!p.startsWith('*') && !p.endsWith('*')) return names.has(p);
    let hit = wildcard.get(p);
    if (hit === undefined) {
      const prefix = p.endsWith('*') && !p.startsWith('*');
      const part = prefix ? p.slice(0, -1) : p.slice(1);
      hit = false;
      for (const n of names) {
        if (prefix ? n.startsWith(part) : n.endsWith(part)) {
          hit = true;
          break;
        }
      }
      wildcard.set(p, hit);
    }
    return hit;
  };
}
