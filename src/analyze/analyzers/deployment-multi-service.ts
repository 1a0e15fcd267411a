/**
 * For each Deployment in the mesh, the Services in its namespace whose selector matches its pod
 * template:
 * - IST0116: two of them use the same port number with different protocols (TCP/UDP/SCTP);
 * - IST0137: the same targetPort is reached through different port numbers.
 * A Deployment is in the mesh when its pod template already has an `istio-proxy` container, or its
 * `sidecar.istio.io/inject` label (or annotation) says "true", or — when it says nothing — its
 * Namespace is labelled for injection (`istio-injection=enabled`, or an `istio.io/rev` revision).
 * Waypoint Deployments (managed by Istio's mesh controller) are skipped. With no Namespace object in
 * view and no injection hint on the template, the Deployment is not judged.
 */
import { INJECTION_LABEL, PROXY_CONTAINER, REVISION_LABEL, SIDECAR_INJECT } from '../../model/injection.js';
import { selects } from '../lib/data.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, numberOrUndefined, recordsIn, stringOrUndefined, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'deployment.MultiServiceAnalyzer',
  description: 'Checks the Services that select a Deployment for conflicting ports and protocols',
  inputs: ['Deployment', 'Service', 'Namespace'],
  codes: ['IST0116', 'IST0137'],
};

const WAYPOINT_MANAGED = 'gateway.istio.io/managed';
const MESH_CONTROLLER = 'istio.io-mesh-controller';

interface SelectingService {
  /** `namespace/name`, as istioctl prints it. */
  name: string;
  selector: Record<string, string>;
  ports: { port: number; protocol: string; targetPort: string }[];
}

export function analyze(ctx: AnalysisContext): void {
  // Services bucketed by namespace and by one (the first) selector label, so a Deployment only looks
  // at Services that can possibly select it: each Service sits in exactly one bucket.
  let index: Map<string, SelectingService[]> | undefined;
  const candidates = (ns: string, labels: Readonly<Record<string, string>>): SelectingService[] => {
    index ??= indexServices(ctx);
    const out: SelectingService[] = [];
    for (const [k, v] of Object.entries(labels)) {
      for (const s of index.get(bucket(ns, k, v)) ?? []) if (selects(s.selector, labels)) out.push(s);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };

  for (const d of ctx.list('Deployment')) {
    if (stringRecord(d.object.metadata.labels)[WAYPOINT_MANAGED] === MESH_CONTROLLER) continue;
    const template = asRecord(asRecord(d.object['spec'])['template']);
    const labels = stringRecord(asRecord(template['metadata'])['labels']);
    if (!inMesh(ctx, d, template, labels)) continue;
    const services = candidates(d.namespace, labels);
    reportProtocolConflicts(ctx, d, services);
    reportTargetPortConflicts(ctx, d, services);
  }
}

function bucket(ns: string, key: string, value: string): string {
  return `${ns}\u0000${key}\u0000${value}`;
}

function indexServices(ctx: AnalysisContext): Map<string, SelectingService[]> {
  const index = new Map<string, SelectingService[]>();
  for (const svc of ctx.list('Service')) {
    const spec = asRecord(svc.object['spec']);
    const selector = stringRecord(spec['selector']);
    const first = Object.keys(selector).sort()[0];
    if (first === undefined) continue; // an empty selector selects no pods
    const ports = recordsIn(spec['ports']).flatMap((p) => {
      const port = numberOrUndefined(p['port']);
      if (port === undefined) return [];
      const target = p['targetPort'];
      // Unset (or 0) targetPort means the port itself.
      const targetPort =
        (typeof target === 'number' && target !== 0) || (typeof target === 'string' && target !== '' && target !== '0') ? String(target) : String(port);
      return [{ port, protocol: stringOrUndefined(p['protocol']) ?? 'TCP', targetPort }];
    });
    const key = bucket(svc.namespace, first, selector[first]!);
    const entry: SelectingService = { name: `${svc.namespace}/${svc.name}`, selector, ports };
    const list = index.get(key);
    if (list) list.push(entry);
    else index.set(key, [entry]);
  }
  return index;
}

function inMesh(ctx: AnalysisContext, d: Resource, template: Readonly<Record<string, unknown>>, labels: Readonly<Record<string, string>>): boolean {
  const containers = recordsIn(asRecord(template['spec'])['containers']);
  if (containers.some((c) => stringOrUndefined(c['name']) === PROXY_CONTAINER && (stringOrUndefined(c['image']) ?? '') !== '')) return true;
  const fromLabel = labels[SIDECAR_INJECT];
  if (fromLabel !== undefined) return fromLabel === 'true';
  const fromAnnotation = stringRecord(asRecord(template['metadata'])['annotations'])[SIDECAR_INJECT];
  if (fromAnnotation !== undefined) return fromAnnotation === 'true';
  const ns = ctx.find('Namespace', '', d.namespace);
  if (!ns) return false;
  const nsLabels = stringRecord(ns.object.metadata.labels);
  const injection = nsLabels[INJECTION_LABEL];
  if (injection !== undefined) return injection === 'enabled';
  return (nsLabels[REVISION_LABEL] ?? '') !== '';
}

/** IST0116: one port number, several protocols. */
function reportProtocolConflicts(ctx: AnalysisContext, d: Resource, services: readonly SelectingService[]): void {
  const byPort = new Map<number, Map<string, string[]>>();
  for (const s of services) {
    for (const p of s.ports) {
      let protocols = byPort.get(p.port);
      if (!protocols) byPort.set(p.port, (protocols = new Map<string, string[]>()));
      const names = protocols.get(p.protocol);
      if (names) names.push(s.name);
      else protocols.set(p.protocol, [s.name]);
    }
  }
  for (const [port, protocols] of [...byPort].sort((a, b) => a[0] - b[0])) {
    if (protocols.size < 2) continue;
    const names = unique([...protocols.values()].flat());
    ctx.report('IST0116', d, { deployment: d.name, port, services: names }, { path: ['metadata', 'name'] });
  }
}

/** IST0137: one targetPort, reached through several port numbers. */
function reportTargetPortConflicts(ctx: AnalysisContext, d: Resource, services: readonly SelectingService[]): void {
  const byTarget = new Map<string, Map<number, string>>();
  for (const s of services) {
    for (const p of s.ports) {
      let ports = byTarget.get(p.targetPort);
      if (!ports) byTarget.set(p.targetPort, (ports = new Map<number, string>()));
      ports.set(p.port, s.name);
    }
  }
  for (const [targetPort, ports] of [...byTarget].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (ports.size < 2) continue;
    ctx.report(
      'IST0137',
      d,
      { deployment: d.name, services: unique([...ports.values()]), targetPort, ports: [...ports.keys()].sort((a, b) => a - b) },
      { path: ['metadata', 'name'] },
    );
  }
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
