/**
 * IST0109: several VirtualServices bound to the `mesh` gateway define the same host, so which one a
 * sidecar uses is undefined. Hosts are compared fully qualified; VirtualServices whose exportTo never
 * meet do not conflict; a VirtualService never conflicts with itself (istio#42561).
 */
import { fqdn, gatewaysOf, overlaps, virtualServiceVisibility, type Visibility } from '../lib/hosts.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  description: 'Checks that no two VirtualServices bound to the mesh gateway define the same host',
  inputs: ['VirtualService'],
  codes: ['IST0109'],
};

interface Claim {
  vs: Resource;
  host: string;
  index: number;
  visibility: Visibility;
}

export function analyze(ctx: AnalysisContext): void {
  const byHost = new Map<string, Claim[]>();
  for (const vs of ctx.list('VirtualService')) {
    if (!gatewaysOf(vs).includes('mesh')) continue;
    const visibility = virtualServiceVisibility(ctx, vs);
    const seen = new Set<string>();
    stringsIn(asRecord(vs.object['spec'])['hosts']).forEach((h, index) => {
      const host = fqdn(h, vs.namespace);
      if (seen.has(host)) return;
      seen.add(host);
      const claims = byHost.get(host) ?? [];
      claims.push({ vs, host: h, index, visibility });
      byHost.set(host, claims);
    });
  }
  for (const claims of byHost.values()) {
    if (claims.length < 2) continue;
    for (const c of claims) {
      const conflicting = claims.filter((o) => o === c || overlaps(o.visibility, c.visibility));
      if (conflicting.length < 2) continue;
      const names = conflicting.map((o) => `${o.vs.namespace}/${o.vs.name}`).sort();
      // As istioctl: the host as `<exportTo scope>/<FQDN>`, `*` when all of them are public.
      const host = `${scopeOf(conflicting.map((o) => o.visibility))}/${fqdn(c.host, c.vs.namespace)}`;
      ctx.report('IST0109', c.vs, { virtualServices: names.join(','), host }, { path: ['spec', 'hosts', c.index] });
    }
  }
}

/** The namespace where all of them are visible (the first by name), or `*` when all are public. */
function scopeOf(vs: readonly Visibility[]): string {
  const limited = vs.filter((v): v is Extract<Visibility, { all: false }> => !v.all);
  if (limited.length === 0) return '*';
  const common = [...limited[0]!.namespaces].filter((n) => limited.every((v) => v.namespaces.has(n))).sort();
  return common[0] ?? [...limited[0]!.namespaces].sort()[0] ?? '*';
}
