/**
 * Comparing an object as the server would store it after mesh's apply (a server-side dry-run) with
 * the live object. Bookkeeping that changes on every write (resourceVersion, generation,
 * managedFields) and status are ignored: only content counts. Who owns a field whose value would
 * not change is not a change: a re-run with the same input must be a no-op even after istiod or a
 * person touched a field (and set it back).
 */
import type { KubeObject } from '../model/k8s.js';
import { diffTrees } from '../util/diff.js';

function content(obj: KubeObject): unknown {
  const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...metadata } = obj.metadata;
  const { status: _status, ...rest } = obj;
  return { ...rest, metadata };
}

/** The paths (e.g. `spec.replicas`, `metadata.labels.app`) at which two objects differ, at most `max`. */
export function changedPaths(live: KubeObject, desired: KubeObject, max = 20): string[] {
  return diffTrees(content(live), content(desired), { sortKeys: true, escapeDots: false, namedLists: false, lists: 'whole' })
    .slice(0, max)
    .map((c) => c.path || '.');
}
