/**
 * IST0166: a policy (AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin) uses a
 * workload `selector` that matches the pods of a Kubernetes Gateway API Gateway (pods labelled
 * `gateway.networking.k8s.io/gateway-name`) in its namespace. Such gateways are attached to with
 * `targetRefs`; the selector has no effect on them. Policies that set `targetRef`/`targetRefs`, and
 * selectors without labels, are not judged.
 */
import { selects } from '../lib/data.js';
import type { KindId } from '../kinds.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, isRecord, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'k8sgateway.SelectorAnalyzer',
  description: 'Checks that policy selectors are not used where a Kubernetes Gateway needs targetRefs',
  inputs: ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin', 'Pod'],
  codes: ['IST0166'],
};

export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const POLICY_KINDS: readonly KindId[] = ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin'];

export function analyze(ctx: AnalysisContext): void {
  let gatewayPods: Map<string, Record<string, string>[]> | undefined;
  const podsIn = (ns: string): Record<string, string>[] => {
    if (!gatewayPods) {
      gatewayPods = new Map();
      for (const pod of ctx.list('Pod')) {
        const labels = stringRecord(pod.object.metadata.labels);
        if (labels[GATEWAY_NAME_LABEL] === undefined) continue;
        const list = gatewayPods.get(pod.namespace);
        if (list) list.push(labels);
        else gatewayPods.set(pod.namespace, [labels]);
      }
    }
    return gatewayPods.get(ns) ?? [];
  };

  for (const kind of POLICY_KINDS) {
    for (const policy of ctx.list(kind)) {
      const spec = asRecord(policy.object['spec']);
      if (spec['targetRef'] !== undefined || spec['targetRefs'] !== undefined) continue;
      if (!isRecord(spec['selector'])) continue;
      const selector = stringRecord(spec['selector']['matchLabels']);
      if (Object.keys(selector).length === 0) continue;
      const gateways = new Set<string>();
      for (const labels of podsIn(policy.namespace)) if (selects(selector, labels)) gateways.add(labels[GATEWAY_NAME_LABEL] ?? '');
      for (const gateway of [...gateways].sort()) ctx.report('IST0166', policy, { gateway }, { path: ['spec', 'selector'] });
    }
  }
}
