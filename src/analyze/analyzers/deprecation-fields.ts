/**
 * IST0002: configuration that relies on something Istio deprecated or removed, as istioctl's
 * deprecation analyzer checks it:
 * - VirtualService `http[].fault.delay.percent` (an integer percentage) set above 0 — replaced by
 *   `fault.delay.percentage`;
 * - Sidecar `outboundTrafficPolicy.egressProxy`, which Istio ignores;
 * - CustomResourceDefinitions of the removed `rbac.istio.io` kinds (ClusterRbacConfig, RbacConfig,
 *   ServiceRole, ServiceRoleBinding), left behind by very old installs.
 * Other deprecated fields of Istio kinds are schema warnings (IST0133, schema.ValidationAnalyzer); the
 * split follows istioctl and lib/deprecations.ts keeps the two from reporting the same field.
 */
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, numberOrUndefined, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'deprecation.DeprecationAnalyzer',
  description: 'Checks for deprecated Istio types and fields',
  inputs: ['VirtualService', 'Sidecar', 'CustomResourceDefinition'],
  codes: ['IST0002'],
};

/** Kinds of the `rbac.istio.io` API group, removed in Istio 1.6. */
const REMOVED_RBAC_KINDS: ReadonlySet<string> = new Set(['ClusterRbacConfig', 'RbacConfig', 'ServiceRole', 'ServiceRoleBinding']);

export function analyze(ctx: AnalysisContext): void {
  for (const vs of ctx.list('VirtualService')) {
    recordsIn(asRecord(vs.object['spec'])['http']).forEach((route, i) => {
      const percent = numberOrUndefined(asRecord(asRecord(route['fault'])['delay'])['percent']);
      if (percent !== undefined && percent > 0) {
        ctx.report(
          'IST0002',
          vs,
          { detail: 'HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage' },
          {
            path: ['spec', 'http', i, 'fault', 'delay', 'percent'],
          },
        );
      }
    });
  }
  for (const sc of ctx.list('Sidecar')) {
    const policy = asRecord(asRecord(sc.object['spec'])['outboundTrafficPolicy']);
    const egressProxy = policy['egressProxy'];
    if (egressProxy !== undefined && egressProxy !== null) {
      ctx.report('IST0002', sc, { detail: 'OutboundTrafficPolicy.EgressProxy ignored' }, { path: ['spec', 'outboundTrafficPolicy', 'egressProxy'] });
    }
  }
  for (const crd of ctx.list('CustomResourceDefinition')) {
    const spec = asRecord(crd.object['spec']);
    const group = stringOrUndefined(spec['group']);
    const kind = stringOrUndefined(asRecord(spec['names'])['kind']);
    if (group === 'rbac.istio.io' && kind !== undefined && REMOVED_RBAC_KINDS.has(kind)) {
      ctx.report('IST0002', crd, { detail: `the custom resource type ${group} ${kind} was removed from Istio` }, { path: ['spec', 'names', 'kind'] });
    }
  }
}
