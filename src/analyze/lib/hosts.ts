/**
 * Service hosts and their visibility, shared by the reference analyzers. Kubernetes Services are known
 * by `name.namespace.svc.<domain>`; ServiceEntries by their hosts (which may be wildcards). Visibility
 * follows Istio: `exportTo` on ServiceEntries and VirtualServices, the `networking.istio.io/exportTo`
 * annotation on Services, and meshConfig.defaultServiceExportTo / defaultVirtualServiceExportTo.
 */
import type { AnalysisContext, Resource } from '../types.js';
import { asArray, asRecord, isRecord, recordsIn, stringOrUndefined, stringsIn } from '../../util/narrow.js';

export const DOMAIN_SUFFIX = 'cluster.local';
export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

/** The fully qualified host a short name means in `namespace` (`reviews` → `reviews.default.svc.cluster.local`). */
export function fqdn(host: string, namespace: string): string {
  if (host === '' || host.startsWith('*') || host.includes('.') || host.includes(':')) return host;
  return `${host}.${namespace}.svc.${DOMAIN_SUFFIX}`;
}

/** Where an object is visible: everywhere, or in a set of namespaces (possibly none). */
export type Visibility = { all: true } | { all: false; namespaces: ReadonlySet<string> };

/** Parses exportTo values ('*', '.', '~', or namespace names) for an object in `ownNamespace`. */
export function visibility(values: readonly string[], ownNamespace: string): Visibility {
  if (values.includes('*')) return { all: true };
  const namespaces = new Set<string>();
  for (const v of values) {
    if (v === '.') namespaces.add(ownNamespace);
    else if (v !== '~' && v !== '') namespaces.add(v);
  }
  return { all: false, namespaces };
}

export function overlaps(a: Visibility, b: Visibility): boolean {
  if (a.all) return b.all || b.namespaces.size > 0;
  if (b.all) return a.namespaces.size > 0;
  for (const n of a.namespaces) if (b.namespaces.has(n)) return true;
  return false;
}

function meshDefault(ctx: AnalysisContext, field: string): string[] {
  const v = stringsIn(ctx.settings.meshConfig[field]);
  return v.length > 0 ? v : ['*'];
}

/** Where a Service or ServiceEntry is visible. */
export function serviceVisibility(ctx: AnalysisContext, r: Resource): Visibility {
  if (r.id === 'ServiceEntry') {
    const exportTo = stringsIn(asRecord(r.object['spec'])['exportTo']);
    return visibility(exportTo.length > 0 ? exportTo : meshDefault(ctx, 'defaultServiceExportTo'), r.namespace);
  }
  const annotation = r.object.metadata.annotations?.[EXPORT_TO_ANNOTATION];
  const values = annotation !== undefined && annotation.trim() !== '' ? annotation.split(',').map((s) => s.trim()) : meshDefault(ctx, 'defaultServiceExportTo');
  return visibility(values, r.namespace);
}

/** Where a VirtualService applies. */
export function virtualServiceVisibility(ctx: AnalysisContext, r: Resource): Visibility {
  const exportTo = stringsIn(asRecord(r.object['spec'])['exportTo']);
  return visibility(exportTo.length > 0 ? exportTo : meshDefault(ctx, 'defaultVirtualServiceExportTo'), r.namespace);
}

/** Where a DestinationRule applies. */
export function destinationRuleVisibility(ctx: AnalysisContext, r: Resource): Visibility {
  const exportTo = stringsIn(asRecord(r.object['spec'])['exportTo']);
  return visibility(exportTo.length > 0 ? exportTo : meshDefault(ctx, 'defaultDestinationRuleExportTo'), r.namespace);
}

export interface ServicePort {
  port: number;
  name: string;
  protocol: string;
}

export interface ServiceHost {
  host: string;
  resource: Resource;
  visibility: Visibility;
  ports: ServicePort[];
}

/**
 * An index of every service host: exact hosts in a map, wildcard ServiceEntry hosts in a list.
 * Lookups are O(1) for exact hosts plus the (usually few) wildcard entries.
 */
export class ServiceRegistry {
  private readonly exact = new Map<string, ServiceHost[]>();
  private readonly wildcards: ServiceHost[] = [];

  constructor(ctx: AnalysisContext) {
    for (const svc of ctx.list('Service')) {
      const spec = asRecord(svc.object['spec']);
      const ports = recordsIn(spec['ports']).map((p) => ({
        port: typeof p['port'] === 'number' ? p['port'] : 0,
        name: stringOrUndefined(p['name']) ?? '',
        protocol: stringOrUndefined(p['protocol']) ?? 'TCP',
      }));
      this.add({ host: `${svc.name}.${svc.namespace}.svc.${DOMAIN_SUFFIX}`, resource: svc, visibility: serviceVisibility(ctx, svc), ports });
    }
    for (const se of ctx.list('ServiceEntry')) {
      const spec = asRecord(se.object['spec']);
      const vis = serviceVisibility(ctx, se);
      const ports = recordsIn(spec['ports']).map((p) => ({
        port: typeof p['number'] === 'number' ? p['number'] : 0,
        name: stringOrUndefined(p['name']) ?? '',
        protocol: stringOrUndefined(p['protocol']) ?? '',
      }));
      for (const h of stringsIn(spec['hosts'])) this.add({ host: fqdn(h, se.namespace), resource: se, visibility: vis, ports });
    }
  }

  private add(h: ServiceHost): void {
    if (h.host.startsWith('*')) {
      this.wildcards.push(h);
      return;
    }
    const list = this.exact.get(h.host);
    if (list) list.push(h);
    else this.exact.set(h.host, [h]);
  }

  /** Entries for a fully qualified host: exact ones, else ServiceEntry wildcards that cover it. */
  lookup(host: string): ServiceHost[] {
    const exact = this.exact.get(host);
    if (exact) return exact;
    return this.wildcards.filter((w) => hostCovers(w.host, host));
  }

  /** Entries for `host` visible somewhere `where` is. */
  visible(host: string, where: Visibility): ServiceHost[] {
    return this.lookup(host).filter((h) => overlaps(h.visibility, where));
  }
}

/** `pattern` (possibly `*.example.com` or `*`) covers `host`. */
export function hostCovers(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1)) || (host.startsWith('*') && host.endsWith(pattern.slice(1)));
  return pattern === host;
}

/** Two host patterns share at least one host. */
export function hostsIntersect(a: string, b: string): boolean {
  return hostCovers(a, b) || hostCovers(b, a);
}

/** Every destination in a VirtualService, with its path (for the line) and route kind. */
export interface VsDestination {
  host: string;
  subset?: string;
  port?: number;
  path: (string | number)[];
  section: 'http' | 'tcp' | 'tls';
}

export function destinationsOf(vs: Resource): VsDestination[] {
  const spec = asRecord(vs.object['spec']);
  const out: VsDestination[] = [];
  for (const section of ['http', 'tcp', 'tls'] as const) {
    recordsIn(spec[section]).forEach((rule, i) => {
      const add = (d: unknown, path: (string | number)[]): void => {
        if (!isRecord(d)) return;
        const host = stringOrUndefined(d['host']);
        if (host === undefined || host === '') return;
        const dest: VsDestination = { host, path: [...path, 'host'], section };
        const subset = stringOrUndefined(d['subset']);
        if (subset !== undefined && subset !== '') dest.subset = subset;
        const port = asRecord(d['port'])['number'];
        if (typeof port === 'number') dest.port = port;
        out.push(dest);
      };
      asArray(rule['route']).forEach((route, j) => add(asRecord(route)['destination'], ['spec', section, i, 'route', j, 'destination']));
      if (section === 'http') {
        add(asRecord(rule['mirror']), ['spec', section, i, 'mirror']);
        asArray(rule['mirrors']).forEach((m, j) => add(asRecord(m)['destination'], ['spec', section, i, 'mirrors', j, 'destination']));
      }
    });
  }
  return out;
}

/** The gateways a VirtualService binds to (`mesh` when none), as `namespace/name` or `mesh`. */
export function gatewaysOf(vs: Resource): string[] {
  const gws = stringsIn(asRecord(vs.object['spec'])['gateways']);
  if (gws.length === 0) return ['mesh'];
  return gws.map((g) => gatewayKey(g, vs.namespace));
}

/** `ns/name` of a gateway reference: `name`, `ns/name`, or the legacy `name.ns[.svc.cluster.local]`. */
export function gatewayKey(ref: string, namespace: string): string {
  if (ref === 'mesh' || ref.includes('/')) return ref;
  const parts = ref.split('.');
  if (parts.length >= 2 && parts[0] !== '' && parts[1] !== '') return `${parts[1]}/${parts[0]}`;
  return `${namespace}/${ref}`;
}
