/**
 * IST0171: a status condition that controllers (istiod, Gateway API implementations) wrote on a
 * resource says something is wrong. Only the condition types istioctl knows to be meaningful, with
 * their negative status:
 *
 * | kind | condition types | negative when |
 * |---|---|---|
 * | Service, ServiceEntry, WorkloadEntry | `istio.io/WaypointBound` | `False` |
 * | AuthorizationPolicy | `ZtunnelAccepted`, `WaypointAccepted` | `False` (or `WaypointAccepted` with reason `PartiallyInvalid`) |
 * | Gateway, HTTPRoute, GRPCRoute (Gateway API) | `Accepted`, `Programmed`, `ResolvedRefs` | `False` |
 *
 * Routes carry their conditions per parent (`status.parents[].conditions`). Objects from files usually
 * have no status, so this mostly reports on cluster objects.
 */
import type { KindId } from '../kinds.js';
import type { AnalysisContext, AnalyzerMeta, FieldPath, Resource } from '../types.js';
import { asArray, asRecord, isRecord, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'conditions.ConditionAnalyzer',
  description: 'Checks for negative status conditions on resources',
  inputs: ['Service', 'ServiceEntry', 'WorkloadEntry', 'AuthorizationPolicy', 'KubernetesGateway', 'HTTPRoute', 'GRPCRoute'],
  codes: ['IST0171'],
};

const WAYPOINT_BOUND = new Set(['istio.io/WaypointBound']);
const GATEWAY_API = new Set(['Accepted', 'Programmed', 'ResolvedRefs']);

/** Condition types reported when their status is `False`, per kind. */
const NEGATIVE_WHEN_FALSE: readonly (readonly [KindId, ReadonlySet<string>])[] = [
  ['Service', WAYPOINT_BOUND],
  ['ServiceEntry', WAYPOINT_BOUND],
  ['WorkloadEntry', WAYPOINT_BOUND],
  ['AuthorizationPolicy', new Set(['ZtunnelAccepted', 'WaypointAccepted'])],
  ['KubernetesGateway', GATEWAY_API],
  ['HTTPRoute', GATEWAY_API],
  ['GRPCRoute', GATEWAY_API],
];

const ROUTES: ReadonlySet<KindId> = new Set(['HTTPRoute', 'GRPCRoute']);

export function analyze(ctx: AnalysisContext): void {
  for (const [kind, types] of NEGATIVE_WHEN_FALSE) {
    for (const r of ctx.list(kind)) {
      for (const { condition, path } of conditionsOf(r, ROUTES.has(kind))) {
        const type = stringOrUndefined(condition['type']) ?? '';
        const status = stringOrUndefined(condition['status']);
        const reason = stringOrUndefined(condition['reason']) ?? '';
        // A policy partly applied by its waypoint is reported even though the condition is True.
        const partial = kind === 'AuthorizationPolicy' && type === 'WaypointAccepted' && reason === 'PartiallyInvalid';
        if ((types.has(type) && status === 'False') || partial) {
          ctx.report('IST0171', r, { condition: type, reason, message: stringOrUndefined(condition['message']) ?? '' }, { path });
        }
      }
    }
  }
}

function conditionsOf(r: Resource, perParent: boolean): { condition: Readonly<Record<string, unknown>>; path: FieldPath }[] {
  const status = asRecord(r.object['status']);
  if (!perParent) return withPaths(status['conditions'], ['status', 'conditions']);
  return asArray(status['parents']).flatMap((p, i) => withPaths(asRecord(p)['conditions'], ['status', 'parents', i, 'conditions']));
}

function withPaths(list: unknown, at: FieldPath): { condition: Readonly<Record<string, unknown>>; path: FieldPath }[] {
  return asArray(list).flatMap((c, i) => (isRecord(c) ? [{ condition: c, path: [...at, i] }] : []));
}
