/**
 * IST0118: a Service port whose protocol Istio cannot tell from its name (`<protocol>[-<suffix>]`) or
 * its `appProtocol`, so Istio falls back to protocol sniffing (or plain TCP). IST0150: on an
 * ExternalName Service the same, or a port named just `tcp`, keeps the proxy from forwarding the
 * traffic as intended. UDP ports and the well-known ports Istio treats as TCP are fine. Like istioctl,
 * Services in Kubernetes system namespaces (kube-system, …) and the Istio control plane's own Services
 * (labelled `istio` or `release: istio`) are not checked.
 */
import { SYSTEM_NAMESPACES, isIstioControlPlane } from '../lib/control-plane.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, numberOrUndefined, recordsIn, stringOrUndefined, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'service.PortNameAnalyzer',
  description: 'Checks that Service port names (or appProtocol) tell Istio the protocol',
  inputs: ['Service'],
  codes: ['IST0118', 'IST0150'],
};

/** Protocol prefixes Istio recognizes in a port name (case-insensitive). */
const PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql']);

/** Standard Kubernetes appProtocol values Istio maps to a protocol. */
const K8S_APP_PROTOCOLS: ReadonlySet<string> = new Set(['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss']);

/** Ports Istio treats as TCP when the name says nothing (SMTP, DNS, MySQL, MongoDB): sniffing would break them. */
const WELL_KNOWN_PORTS: ReadonlySet<number> = new Set([25, 53, 3306, 27017]);

/**
 * Whether Istio can tell the protocol of a Service port: UDP ports always, otherwise from `appProtocol`
 * when set, else from the name's prefix before the first `-` (`grpc-web` counts whole).
 */
export function protocolKnown(port: { port: number; name: string; protocol: string; appProtocol?: string }): boolean {
  if (port.protocol === 'UDP') return true;
  const name = (port.appProtocol ?? port.name).toLowerCase();
  if (port.appProtocol !== undefined && K8S_APP_PROTOCOLS.has(name)) return true;
  if (name.startsWith('grpc-web')) return true;
  const dash = name.indexOf('-');
  if (PROTOCOLS.has(dash < 0 ? name : name.slice(0, dash))) return true;
  return WELL_KNOWN_PORTS.has(port.port);
}

export function analyze(ctx: AnalysisContext): void {
  for (const svc of ctx.list('Service')) {
    if (SYSTEM_NAMESPACES.has(svc.namespace)) continue;
    if (isIstioControlPlane(stringRecord(svc.object.metadata.labels))) continue;
    const spec = asRecord(svc.object['spec']);
    const externalName = stringOrUndefined(spec['type']) === 'ExternalName';
    recordsIn(spec['ports']).forEach((p, i) => {
      const number = numberOrUndefined(p['port']);
      if (number === undefined) return;
      const name = stringOrUndefined(p['name']) ?? '';
      const appProtocol = stringOrUndefined(p['appProtocol']);
      const known = protocolKnown({
        port: number,
        name,
        protocol: stringOrUndefined(p['protocol']) ?? 'TCP',
        ...(appProtocol !== undefined ? { appProtocol } : {}),
      });
      const path = ['spec', 'ports', i];
      if (externalName) {
        if (!known || name === 'tcp') ctx.report('IST0150', svc, {}, { path });
        return;
      }
      if (known) return;
      // The API server defaults an unset targetPort to the port.
      const target = p['targetPort'];
      const targetPort = typeof target === 'number' || (typeof target === 'string' && target !== '') ? String(target) : String(number);
      ctx.report('IST0118', svc, { portName: name, port: number, targetPort }, { path });
    });
  }
}
