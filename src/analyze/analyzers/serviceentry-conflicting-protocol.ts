/**
 * IST0177: ServiceEntries that are visible in a common namespace define the same host and port with
 * different protocols (compared case-insensitively), so which protocol the proxies use is undefined.
 * Hosts are compared fully qualified; visibility follows `exportTo` and meshConfig's
 * `defaultServiceExportTo` (an entry exported to `*` meets every other). A port without a protocol
 * counts as the protocol "", as istioctl counts it. Each ServiceEntry is reported once, for the first conflict in host and port order.
 */
import { type Visibility, fqdn, serviceVisibility } from '../lib/hosts.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, numberOrUndefined, recordsIn, stringOrUndefined, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'serviceentry.ConflictingServiceEntryProtocolAnalyzer',
  description: 'Checks that ServiceEntries do not define the same host and port with different protocols',
  inputs: ['ServiceEntry'],
  codes: ['IST0177'],
};

interface Definition {
  se: Resource;
  protocol: string;
  visibility: Visibility;
}

export function analyze(ctx: AnalysisContext): void {
  const byHostPort = new Map<string, { host: string; port: number; defs: Definition[] }>();
  for (const se of ctx.list('ServiceEntry')) {
    const spec = asRecord(se.object['spec']);
    const visibility = serviceVisibility(ctx, se);
    if (!visibility.all && visibility.namespaces.size === 0) continue;
    const hosts = new Set(stringsIn(spec['hosts']).map((h) => fqdn(h, se.namespace)));
    for (const port of recordsIn(spec['ports'])) {
      const number = numberOrUndefined(port['number']);
      const protocol = (stringOrUndefined(port['protocol']) ?? '').toUpperCase();
      // An unset protocol counts as one of its own, as istioctl counts it.
      if (number === undefined) continue;
      for (const host of hosts) {
        const key = `${host}\u0000${number}`;
        let entry = byHostPort.get(key);
        if (!entry) byHostPort.set(key, (entry = { host, port: number, defs: [] }));
        entry.defs.push({ se, protocol, visibility });
      }
    }
  }

  const reported = new Set<Resource>();
  const entries = [...byHostPort.values()].filter((e) => new Set(e.defs.map((d) => d.protocol)).size > 1);
  entries.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port));
  for (const { host, port, defs } of entries) {
    for (const group of meetingGroups(defs)) {
      const protocols = [...new Set(group.map((d) => d.protocol))].sort();
      if (protocols.length < 2) continue;
      const names = [...new Set(group.map((d) => `${d.se.namespace}/${d.se.name}`))].sort();
      for (const d of group) {
        if (reported.has(d.se)) continue;
        reported.add(d.se);
        ctx.report('IST0177', d.se, { serviceEntries: names.join(', '), host, port, protocols: protocols.join(', ') }, { path: ['metadata', 'name'] });
      }
    }
  }
}

/**
 * The sets of definitions that meet in one place: those exported everywhere, and for each namespace
 * named by some exportTo, the definitions visible there (including those exported everywhere).
 */
function meetingGroups(defs: readonly Definition[]): Definition[][] {
  const everywhere = defs.filter((d) => d.visibility.all);
  const groups: Definition[][] = [everywhere];
  const namespaces = new Set<string>();
  for (const d of defs) if (!d.visibility.all) for (const n of d.visibility.namespaces) namespaces.add(n);
  for (const n of [...namespaces].sort()) groups.push(defs.filter((d) => d.visibility.all || d.visibility.namespaces.has(n)));
  return groups;
}
