/**
 * VirtualService destinations: the host must be a Service or ServiceEntry visible where the
 * VirtualService applies (IST0101), a multi-port service needs `destination.port` (IST0112), and
 * subset routing for a host has no effect on requests that come through a gateway's VirtualService
 * routing to that host without a subset (IST0140).
 */
import { destinationsOf, fqdn, gatewaysOf, ServiceRegistry, virtualServiceVisibility } from '../lib/hosts.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';

export const meta: AnalyzerMeta = {
  name: 'virtualservice.DestinationHostAnalyzer',
  description: 'Checks the destination hosts of VirtualServices exist, are visible, and name a port where the service has several',
  inputs: ['VirtualService', 'Service', 'ServiceEntry'],
  codes: ['IST0101', 'IST0112', 'IST0140'],
};

export function analyze(ctx: AnalysisContext): void {
  const registry = new ServiceRegistry(ctx);
  const virtualServices = ctx.list('VirtualService');

  // Hosts that some mesh-bound VirtualService routes by subset: host → those VirtualServices.
  const subsetRouted = new Map<string, Resource[]>();
  for (const vs of virtualServices) {
    if (!gatewaysOf(vs).includes('mesh')) continue;
    for (const d of destinationsOf(vs)) {
      if (d.subset === undefined) continue;
      const host = fqdn(d.host, vs.namespace);
      const list = subsetRouted.get(host) ?? [];
      if (!list.includes(vs)) list.push(vs);
      subsetRouted.set(host, list);
    }
  }

  for (const vs of virtualServices) {
    const where = virtualServiceVisibility(ctx, vs);
    const gateways = gatewaysOf(vs);
    const throughGateway = gateways.some((g) => g !== 'mesh');
    for (const d of destinationsOf(vs)) {
      const host = fqdn(d.host, vs.namespace);
      if (host.includes('*')) continue;
      const found = registry.visible(host, where);
      if (found.length === 0) {
        ctx.report('IST0101', vs, { reftype: 'host', refval: d.host }, { path: d.path });
        continue;
      }
      if (d.port === undefined) {
        const ports = found[0]!.ports.map((p) => p.port);
        if (ports.length > 1) ctx.report('IST0112', vs, { destHost: d.host, destPorts: ports }, { path: d.path });
      }
      if (throughGateway && d.subset === undefined && d.section === 'http') {
        for (const other of subsetRouted.get(host) ?? []) {
          if (other === vs) continue;
          ctx.report(
            'IST0140',
            vs,
            { virtualservicesubset: `${other.namespace}/${other.name}`, virtualservice: `${vs.namespace}/${vs.name}` },
            { path: d.path },
          );
        }
      }
    }
  }
}
