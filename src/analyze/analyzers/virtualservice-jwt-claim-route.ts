/**
 * IST0149: a VirtualService routes on JWT claims (a `headers` / `withoutHeaders` match key starting
 * `@request.auth.claims`) through a Gateway, but a gateway Pod is covered by no RequestAuthentication
 * (in the root namespace or the Pod's own). Without one the claims are never extracted and the route
 * never matches. Judged per Pod the Gateway's `selector` picks, so nothing is reported without gateway
 * Pods in view; Gateways with an empty selector (which would pick every Pod) are skipped.
 */
import { selects } from '../lib/data.js';
import { gatewayKey } from '../lib/hosts.js';
import { type Workload, WorkloadIndex } from '../lib/workloads.js';
import type { AnalysisContext, AnalyzerMeta, FieldPath } from '../types.js';
import { asRecord, recordsIn, stringOrUndefined, stringRecord, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'virtualservice.JWTClaimRouteAnalyzer',
  description: 'Checks that VirtualServices routing on JWT claims have a RequestAuthentication on their gateway pods',
  inputs: ['VirtualService', 'Gateway', 'RequestAuthentication', 'Pod'],
  codes: ['IST0149'],
};

export const CLAIM_PREFIX = '@request.auth.claims';

export function analyze(ctx: AnalysisContext): void {
  const claims = ctx.list('VirtualService').flatMap((vs) => {
    const claim = firstClaim(asRecord(vs.object['spec']));
    return claim ? [{ vs, claim }] : [];
  });
  if (claims.length === 0) return;

  const root = stringOrUndefined(ctx.settings.meshConfig['rootNamespace']) || ctx.settings.istioNamespace;
  const raSelectors = new Map<string, Record<string, string>[]>();
  for (const ra of ctx.list('RequestAuthentication')) {
    const selector = stringRecord(asRecord(asRecord(ra.object['spec'])['selector'])['matchLabels']);
    const list = raSelectors.get(ra.namespace);
    if (list) list.push(selector);
    else raSelectors.set(ra.namespace, [selector]);
  }
  const pods = WorkloadIndex.of(ctx, ['Pod']);
  const gatewayPods = new Map<string, Workload[]>();
  const covered = new Map<Workload, boolean>();
  const isCovered = (pod: Workload): boolean => {
    let v = covered.get(pod);
    if (v === undefined) {
      const candidates = [...(raSelectors.get(root) ?? []), ...(pod.namespace !== root ? (raSelectors.get(pod.namespace) ?? []) : [])];
      v = candidates.some((s) => selects(s, pod.labels));
      covered.set(pod, v);
    }
    return v;
  };

  for (const { vs, claim } of claims) {
    for (const ref of stringsIn(asRecord(vs.object['spec'])['gateways'])) {
      if (ref === 'mesh') continue;
      const key = gatewayKey(ref, vs.namespace);
      let selected = gatewayPods.get(key);
      if (selected === undefined) {
        const slash = key.indexOf('/');
        const gw = ctx.find('Gateway', key.slice(0, slash), key.slice(slash + 1));
        const selector = stringRecord(asRecord(gw?.object['spec'])['selector']);
        selected = gw && Object.keys(selector).length > 0 ? pods.select(selector) : [];
        gatewayPods.set(key, selected);
      }
      for (const pod of selected) {
        if (!isCovered(pod)) ctx.report('IST0149', vs, { key: claim.key, gateway: key, pod: pod.name }, { path: claim.path });
      }
    }
  }
}

/** The first header match key that reads a JWT claim, with its field path. */
function firstClaim(spec: Readonly<Record<string, unknown>>): { key: string; path: FieldPath } | undefined {
  const http = recordsIn(spec['http']);
  for (let i = 0; i < http.length; i++) {
    const matches = recordsIn(http[i]?.['match']);
    for (let j = 0; j < matches.length; j++) {
      for (const field of ['headers', 'withoutHeaders'] as const) {
        const key = Object.keys(asRecord(matches[j]?.[field])).find((k) => k.startsWith(CLAIM_PREFIX));
        if (key !== undefined) return { key, path: ['spec', 'http', i, 'match', j, field, key] };
      }
    }
  }
  return undefined;
}
