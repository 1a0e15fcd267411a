/**
 * IST0162: a Gateway server listens on a port that no Service selecting the Gateway's workloads
 * exposes, as `port` or as `targetPort` (numeric, or named after a container port of the workload).
 * IST0101: the Gateway's selector matches no workload at all.
 *
 * Workloads are Pods and the pod templates of Deployments. "Matches nothing" is only said when Pods
 * are in view (a cluster, or files that carry Pods). Ports are judged when some Service in view
 * selects the workloads, or when a cluster was read (its Services were read too, so none selecting the
 * workloads is a fact, and istioctl reports every port then); from files alone,
 * with no such Service, we cannot tell a missing port from a Service that is simply not among the
 * inputs. Services without a selector select no pods. A Gateway without a selector is not judged.
 */
import { labelSelectorString } from '../../model/label-selector.js';
import { selects } from '../lib/data.js';
import { WorkloadIndex, type Workload } from '../lib/workloads.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asArray, asRecord, isRecord, numberOrUndefined, recordsIn, stringOrUndefined, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'gateway.IngressGatewayPortAnalyzer',
  description: "Checks a Gateway's server ports against the ports of the Services in front of its workloads",
  inputs: ['Gateway', 'Pod', 'Deployment', 'Service'],
  codes: ['IST0101', 'IST0162'],
};

interface SelectingService {
  selector: Record<string, string>;
  ports: readonly { port: number | undefined; targetPort: unknown; protocol: string }[];
}

export function analyze(ctx: AnalysisContext): void {
  const gateways = ctx.list('Gateway');
  if (gateways.length === 0) return;
  const workloads = WorkloadIndex.of(ctx, ['Pod', 'Deployment']);

  const servicesByNs = new Map<string, SelectingService[]>();
  for (const svc of ctx.list('Service')) {
    const spec = asRecord(svc.object['spec']);
    const selector = stringRecord(spec['selector']);
    if (Object.keys(selector).length === 0) continue;
    const ports = recordsIn(spec['ports']).map((p) => ({
      port: numberOrUndefined(p['port']),
      targetPort: p['targetPort'],
      protocol: stringOrUndefined(p['protocol']) ?? 'TCP',
    }));
    const list = servicesByNs.get(svc.namespace);
    if (list) list.push({ selector, ports });
    else servicesByNs.set(svc.namespace, [{ selector, ports }]);
  }

  // Per selector: the TCP ports the selecting Services expose, or undefined when no Service selects.
  const exposedBySelector = new Map<string, ReadonlySet<number> | undefined>();
  const exposed = (text: string, matched: readonly Workload[]): ReadonlySet<number> | undefined => {
    if (exposedBySelector.has(text)) return exposedBySelector.get(text);
    const ports = new Set<number>();
    let selected = false;
    for (const w of matched) {
      for (const svc of servicesByNs.get(w.namespace) ?? []) {
        if (!selects(svc.selector, w.labels)) continue;
        selected = true;
        for (const p of svc.ports) {
          if (p.protocol.toUpperCase() !== 'TCP') continue;
          if (p.port !== undefined) ports.add(p.port);
          const target = typeof p.targetPort === 'string' ? containerPort(w.resource, p.targetPort) : numberOrUndefined(p.targetPort);
          if (target !== undefined) ports.add(target);
        }
      }
    }
    const result = selected ? ports : undefined;
    exposedBySelector.set(text, result);
    return result;
  };

  for (const gw of gateways) {
    const spec = asRecord(gw.object['spec']);
    const selector = stringRecord(spec['selector']);
    const keys = Object.keys(selector).sort();
    if (keys.length === 0) continue;
    const text = labelSelectorString({ matchLabels: selector }, { sortLabels: true });
    const matched = workloads.select(selector);
    if (matched.length === 0) {
      if (ctx.settings.cluster === true || workloads.hasKind('Pod'))
        ctx.report('IST0101', gw, { reftype: 'selector', refval: text }, { path: ['spec', 'selector', keys[0] ?? ''] });
      continue;
    }
    const ports = exposed(text, matched) ?? (ctx.settings.cluster === true ? new Set<number>() : undefined);
    if (ports === undefined) continue;
    recordsIn(spec['servers']).forEach((server, i) => {
      const number = numberOrUndefined(asRecord(server['port'])['number']);
      if (number !== undefined && !ports.has(number)) {
        ctx.report('IST0162', gw, { port: number, selector: text }, { path: ['spec', 'servers', i, 'port', 'number'] });
      }
    });
  }
}

/** The number of the container port named `name` in a Pod or a Deployment's pod template. */
function containerPort(workload: Resource, name: string): number | undefined {
  const spec = asRecord(workload.object['spec']);
  const podSpec = workload.id === 'Pod' ? spec : asRecord(asRecord(spec['template'])['spec']);
  for (const c of asArray(podSpec['containers'])) {
    if (!isRecord(c)) continue;
    for (const p of recordsIn(c['ports'])) if (p['name'] === name) return numberOrUndefined(p['containerPort']);
  }
  return undefined;
}
