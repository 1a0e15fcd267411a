/**
 * IST0101 (subset): a VirtualService destination names a subset that no DestinationRule for that host
 * defines — one visible where the VirtualService applies, with the host matching exactly or by wildcard.
 */
import { destinationRuleVisibility, destinationsOf, fqdn, hostCovers, overlaps, virtualServiceVisibility, type Visibility } from '../lib/hosts.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  description: 'Checks that the subsets VirtualServices route to are defined by a DestinationRule',
  inputs: ['VirtualService', 'DestinationRule'],
  codes: ['IST0101'],
};

interface RuleSubsets {
  host: string;
  subsets: Set<string>;
  visibility: Visibility;
}

export function analyze(ctx: AnalysisContext): void {
  const exact = new Map<string, RuleSubsets[]>();
  const wildcard: RuleSubsets[] = [];
  for (const dr of ctx.list('DestinationRule')) {
    const spec = asRecord(dr.object['spec']);
    const host = fqdn(stringOrUndefined(spec['host']) ?? '', dr.namespace);
    if (host === '') continue;
    const entry = {
      host,
      subsets: new Set(recordsIn(spec['subsets']).map((s) => stringOrUndefined(s['name']) ?? '')),
      visibility: destinationRuleVisibility(ctx, dr),
    };
    if (host.startsWith('*')) wildcard.push(entry);
    else exact.set(host, [...(exact.get(host) ?? []), entry]);
  }
  for (const vs of ctx.list('VirtualService')) {
    const where = virtualServiceVisibility(ctx, vs);
    for (const d of destinationsOf(vs)) {
      if (d.subset === undefined) continue;
      const host = fqdn(d.host, vs.namespace);
      const candidates = [...(exact.get(host) ?? []), ...wildcard.filter((w) => hostCovers(w.host, host))];
      const defined = candidates.some((c) => c.subsets.has(d.subset!) && overlaps(c.visibility, where));
      if (!defined) {
        const path = [...d.path.slice(0, -1), 'subset'];
        ctx.report('IST0101', vs, { reftype: 'host+subset in destinationrule', refval: `${d.host}+${d.subset}` }, { path });
      }
    }
  }
}
