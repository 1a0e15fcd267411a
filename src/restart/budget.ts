/**
 * --max-unavailable-per-namespace: how many pods one workload's rollout may take down at once (its
 * unavailable budget), and whether a workload may start beside the rollouts already in flight in its
 * namespace. Pure.
 */
import type { KubeObject } from '../model/k8s.js';
import { asRecord } from '../util/narrow.js';
import { scaled, spec } from './k8s.js';
import type { PlanAction, WorkloadKind } from './types.js';

/** The flag, as messages name it. */
export const MAX_UNAVAILABLE_FLAG = '--max-unavailable-per-namespace';

/**
 * How many pods of the workload its own rollout may have not Ready at once, from its strategy:
 * - Deployment: rollingUpdate.maxUnavailable (default 25%) against its replicas, rounded down as
 *   Kubernetes does; at least 1 (with maxUnavailable 0 a surge pod is still not Ready while it starts);
 *   Recreate takes every pod down.
 * - StatefulSet: rollingUpdate.maxUnavailable (default 1) against its replicas, rounded down, at least 1.
 * - DaemonSet: rollingUpdate.maxUnavailable (default 1) against desiredNumberScheduled, rounded up as
 *   the DaemonSet controller does; at least 1.
 * - Pods deleted one at a time (OnDelete with --include-ondelete): 1.
 * Never more than the workload's pods (`replicas`: desired replicas, for a DaemonSet its desired
 * number scheduled); a workload with none has a budget of 0.
 */
export function unavailableBudget(kind: WorkloadKind, w: KubeObject, replicas: number, action: PlanAction): number {
  if (replicas <= 0) return 0;
  if (action === 'delete-pods') return 1;
  const s = spec(w);
  let n: number;
  if (kind === 'Deployment') {
    const strategy = asRecord(s['strategy']);
    n = strategy['type'] === 'Recreate' ? replicas : scaled(asRecord(strategy['rollingUpdate'])['maxUnavailable'], replicas, false, '25%');
  } else {
    const ru = asRecord(asRecord(s['updateStrategy'])['rollingUpdate']);
    n = scaled(ru['maxUnavailable'], replicas, kind === 'DaemonSet', 1);
  }
  return Math.min(Math.max(n, 1), replicas);
}

/**
 * The gate before a workload starts: `inFlight` is the sum of the budgets of the rollouts of this run
 * still going in its namespace. `start` when they and its own budget fit in the limit; `wait` when it
 * fits once some of them finish; `over-limit` when its budget alone exceeds the limit (it never fits).
 */
export function namespaceGate(inFlight: number, budget: number, limit: number): 'start' | 'wait' | 'over-limit' {
  if (budget > limit) return 'over-limit';
  return inFlight + budget <= limit ? 'start' : 'wait';
}

/** Why a workload over the limit is skipped: names the flag, its budget and the limit. */
export function overLimitNote(budget: number, limit: number): string {
  return `its rollout may take ${budget} pods down at once, more than ${MAX_UNAVAILABLE_FLAG} ${limit}: skipped (raise the limit or lower its maxUnavailable)`;
}
