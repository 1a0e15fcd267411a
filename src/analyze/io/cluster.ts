/**
 * Reads a snapshot of the cluster for analysis (I/O edge): only the kinds the selected analyzers read,
 * all at once (a few lists in flight), each list paginated by the client, Secrets and CRDs as metadata only,
 * Pods as summaries (protobuf), ConfigMaps only in the Istio namespace.
 * No informers and no watches: one consistent-enough read, then pure analysis.
 */
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError, NotServedError } from '../../kube/client.js';
import type { KubeObject } from '../../model/k8s.js';
import { KINDS, type KindId, type KindInfo, apiVersionOf } from '../kinds.js';
import { clusterResource } from '../load.js';
import type { Resource } from '../types.js';
import { forEachLimit } from '../../util/pool.js';

export interface ClusterSnapshot {
  resources: Resource[];
  /** Kinds the API server does not serve (e.g. Istio CRDs not installed). */
  notServed: KindId[];
  /**
   * Kinds the user may not list cluster-wide, read only in `fallbackNamespace` (namespaced kinds,
   * the Namespace itself) or not at all (other cluster-scoped kinds, ConfigMaps of the Istio namespace).
   */
  restricted: { kind: KindId; readIn?: string }[];
}

export interface ReadOptions {
  concurrency?: number;
  pageSize?: number;
  /** Where kinds marked istioNamespaceOnly (ConfigMaps) are listed; all namespaces when omitted. */
  istioNamespace?: string;
  /**
   * The namespace under analysis (`-n`): where a kind is read when listing it cluster-wide is
   * forbidden (a user whose rights end at their namespace). Without it a 403 fails the read.
   */
  fallbackNamespace?: string;
}

export async function readCluster(kube: KubeClient, kinds: readonly KindId[], options: ReadOptions = {}): Promise<ClusterSnapshot> {
  const queue = [...new Set(kinds)].sort();
  const resources: Resource[][] = [];
  const notServed: KindId[] = [];
  const restricted: { kind: KindId; readIn?: string }[] = [];
  const fallback = options.fallbackNamespace;
  await forEachLimit(queue, { limit: options.concurrency ?? 6 }, async (id) => {
    const info: KindInfo = KINDS[id];
    try {
      const items = await kube.list(apiVersionOf(id), info.kind, {
        limit: options.pageSize ?? 500,
        ...(info.metadataOnly ? { metadataOnly: true } : {}),
        ...(info.podSummary ? { podSummary: true } : {}),
        ...(info.istioNamespaceOnly && options.istioNamespace !== undefined ? { namespace: options.istioNamespace } : {}),
      });
      const kindId = id;
      resources.push(items.map((o) => clusterResource(kindId, o)));
    } catch (err) {
      if (err instanceof NotServedError) notServed.push(id);
      else if (fallback !== undefined && err instanceof KubeApiError && err.status === 403) {
        const kindId = id;
        const items = await readForbidden(kube, kindId, info, fallback);
        restricted.push(items.readIn !== undefined ? { kind: kindId, readIn: items.readIn } : { kind: kindId });
        resources.push(items.objects.map((o) => clusterResource(kindId, o)));
      } else throw err;
    }
  });
  return { resources: resources.flat(), notServed: notServed.sort(), restricted: restricted.sort((a, b) => a.kind.localeCompare(b.kind)) };
}

/** A kind the user may not list cluster-wide: what of it they may read in their namespace. */
async function readForbidden(kube: KubeClient, id: KindId, info: KindInfo, namespace: string): Promise<{ objects: KubeObject[]; readIn?: string }> {
  const refused = (err: unknown): boolean => err instanceof KubeApiError && (err.status === 403 || err.status === 404);
  try {
    if (info.namespaced && !info.istioNamespaceOnly) {
      const only = { ...(info.metadataOnly ? { metadataOnly: true } : {}), ...(info.podSummary ? { podSummary: true } : {}) };
      return { objects: await kube.list(apiVersionOf(id), info.kind, { namespace, ...only }), readIn: namespace };
    }
    if (info.kind === 'Namespace' && info.group === '') {
      const ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
      return { objects: ns ? [{ ...ns, apiVersion: 'v1', kind: 'Namespace' }] : [], readIn: namespace };
    }
  } catch (err) {
    if (!refused(err)) throw err;
  }
  return { objects: [] };
}
