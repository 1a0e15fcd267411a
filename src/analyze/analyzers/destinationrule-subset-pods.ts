/**
 * IST0174: a DestinationRule's host is no Service or ServiceEntry host (exact or wildcard).
 * IST0173: a subset's labels select none of the workloads behind the DestinationRule's Kubernetes
 * Service (→ 503 NoHealthyUpstream). Workloads are the Pods, plus the pod templates of Deployments (so
 * files without Pods are analysed too). From files, only reported when the Service has workloads at
 * all (with none in view, nothing can be concluded); from a cluster, a Service without pods is a fact.
 */
import { selects } from '../lib/data.js';
import { DOMAIN_SUFFIX, ServiceRegistry, fqdn } from '../lib/hosts.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, recordsIn, stringOrUndefined, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'destinationrule.SubsetSelectPodAnalyzer',
  description: 'Checks DestinationRule hosts exist and their subsets select pods',
  inputs: ['DestinationRule', 'Service', 'ServiceEntry', 'Pod', 'Deployment'],
  codes: ['IST0173', 'IST0174'],
};

export function analyze(ctx: AnalysisContext): void {
  const registry = new ServiceRegistry(ctx);
  const workloadsByNs = new Map<string, Record<string, string>[]>();
  const addWorkload = (ns: string, labels: Record<string, string>): void => {
    const list = workloadsByNs.get(ns);
    if (list) list.push(labels);
    else workloadsByNs.set(ns, [labels]);
  };
  let workloadsRead = false;
  const workloads = (ns: string): Record<string, string>[] => {
    if (!workloadsRead) {
      workloadsRead = true;
      for (const p of ctx.list('Pod')) addWorkload(p.namespace, stringRecord(p.object.metadata.labels));
      for (const d of ctx.list('Deployment'))
        addWorkload(d.namespace, stringRecord(asRecord(asRecord(asRecord(d.object['spec'])['template'])['metadata'])['labels']));
    }
    return workloadsByNs.get(ns) ?? [];
  };

  for (const dr of ctx.list('DestinationRule')) {
    const spec = asRecord(dr.object['spec']);
    const written = stringOrUndefined(spec['host']) ?? '';
    const host = fqdn(written, dr.namespace);
    if (host === '' || host.includes('*')) continue;
    const entries = registry.lookup(host);
    if (entries.length === 0) {
      ctx.report('IST0174', dr, { host: written, namespace: dr.namespace }, { path: ['spec', 'host'] });
      continue;
    }
    const subsets = recordsIn(spec['subsets']);
    if (subsets.length === 0) continue;
    const svc = entries.find((e) => e.resource.id === 'Service' && e.host.endsWith(`.svc.${DOMAIN_SUFFIX}`))?.resource;
    if (!svc) continue;
    const selector = stringRecord(asRecord(svc.object['spec'])['selector']);
    if (Object.keys(selector).length === 0) continue;
    const behind = workloads(svc.namespace).filter((labels) => selects(selector, labels));
    // From files, a Service whose workloads are not among them is not judged; from a cluster it is.
    if (behind.length === 0 && ctx.settings.cluster !== true) continue;
    subsets.forEach((s, i) => {
      const labels = stringRecord(s['labels']);
      if (!behind.some((w) => selects(labels, w)))
        ctx.report('IST0173', dr, { subset: stringOrUndefined(s['name']) ?? `#${i}` }, { path: ['spec', 'subsets', i] });
    });
  }
}
