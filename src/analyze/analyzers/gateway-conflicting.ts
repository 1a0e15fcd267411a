/**
 * IST0145: Gateways with the same workload selector declare a server on the same port with hosts that
 * overlap, so the gateway proxy gets two servers for one host and port and which one wins is
 * undefined. Hosts are compared without their namespace part, wildcards included (`*.example.com`
 * overlaps `a.example.com`), but only when their namespace parts can meet: `team-a/x` and `team-b/x`
 * admit VirtualServices from different namespaces and do not conflict; `*` or an equal namespace
 * (`.` is the Gateway's own) does. Several servers of one Gateway on a port count together; a Gateway
 * never conflicts with itself.
 */
import { labelSelectorString } from '../../model/label-selector.js';
import { hostCovers, hostsIntersect } from '../lib/hosts.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, numberOrUndefined, recordsIn, stringRecord, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'gateway.ConflictingGatewayAnalyzer',
  description: 'Checks that Gateways with the same selector do not declare the same port with overlapping hosts',
  inputs: ['Gateway'],
  codes: ['IST0145'],
};

interface GatewayHost {
  /** The namespace part: '*' or a namespace name. */
  namespace: string;
  /** The host part, lower-cased. */
  host: string;
}

interface Claim extends GatewayHost {
  gw: Resource;
}

/** The hosts declared on one selector and port: exact hosts by name, wildcard hosts in a list. */
interface Bucket {
  exact: Map<string, Claim[]>;
  wildcards: Claim[];
}

export function analyze(ctx: AnalysisContext): void {
  const buckets = new Map<string, Bucket>();
  const servers: { gw: Resource; index: number; key: string; selector: string; port: number; written: string[]; hosts: GatewayHost[] }[] = [];
  for (const gw of ctx.list('Gateway')) {
    const spec = asRecord(gw.object['spec']);
    const selector = labelSelectorString({ matchLabels: stringRecord(spec['selector']) }, { sortLabels: true });
    recordsIn(spec['servers']).forEach((server, index) => {
      const port = numberOrUndefined(asRecord(server['port'])['number']);
      if (port === undefined) return;
      const written = stringsIn(server['hosts']);
      const hosts = written.map((h) => parseHost(h, gw.namespace));
      const key = `${selector}~${port}`;
      let bucket = buckets.get(key);
      if (!bucket) buckets.set(key, (bucket = { exact: new Map(), wildcards: [] }));
      for (const h of hosts) {
        const claim: Claim = { ...h, gw };
        if (h.host.startsWith('*')) bucket.wildcards.push(claim);
        else {
          const list = bucket.exact.get(h.host);
          if (list) list.push(claim);
          else bucket.exact.set(h.host, [claim]);
        }
      }
      servers.push({ gw, index, key, selector, port, written, hosts });
    });
  }

  for (const s of servers) {
    const bucket = buckets.get(s.key);
    if (!bucket) continue;
    const conflicting = new Set<string>();
    for (const h of s.hosts) {
      for (const c of candidates(bucket, h.host)) {
        if (c.gw !== s.gw && namespacesMeet(h, c)) conflicting.add(`${c.gw.namespace}/${c.gw.name}`);
      }
    }
    if (conflicting.size === 0) continue;
    ctx.report(
      'IST0145',
      s.gw,
      { gateway: [...conflicting].sort().join(','), selector: s.selector, portnumber: s.port, hosts: s.written.join(',') },
      { path: ['spec', 'servers', s.index, 'hosts'] },
    );
  }
}

/** Claims in `bucket` whose host overlaps `host`. */
function candidates(bucket: Bucket, host: string): Claim[] {
  const out = bucket.wildcards.filter((w) => hostsIntersect(w.host, host));
  if (!host.startsWith('*')) out.push(...(bucket.exact.get(host) ?? []));
  else for (const [exact, claims] of bucket.exact) if (hostCovers(host, exact)) out.push(...claims);
  return out;
}

function parseHost(written: string, gatewayNamespace: string): GatewayHost {
  const slash = written.indexOf('/');
  if (slash < 0) return { namespace: '*', host: written.toLowerCase() };
  const ns = written.slice(0, slash);
  return { namespace: ns === '.' ? gatewayNamespace : ns, host: written.slice(slash + 1).toLowerCase() };
}

function namespacesMeet(a: GatewayHost, b: GatewayHost): boolean {
  return a.namespace === '*' || b.namespace === '*' || a.namespace === b.namespace;
}
