/**
 * Reads a snapshot of the cluster for analysis (I/O edge): only the kinds the selected analyzers read,
 * all at once (a few lists in flight), each list paginated by the client, Secrets and CRDs as metadata only,
 * ConfigMaps only in the Istio namespace.
 * No informers and no watches: one consistent-enough read, then pure analysis.
 */
import type { KubeClient } from '../../kube/client.js';
import { NotServedError } from '../../kube/client.js';
import { KINDS, type KindId, type KindInfo, apiVersionOf } from '../kinds.js';
import { clusterResource } from '../load.js';
import type { Resource } from '../types.js';

export interface ClusterSnapshot {
  resources: Resource[];
  /** Kinds the API server does not serve (e.g. Istio CRDs not installed). */
  notServed: KindId[];
}

export interface ReadOptions {
  concurrency?: number;
  pageSize?: number;
  /** Where kinds marked istioNamespaceOnly (ConfigMaps) are listed; all namespaces when omitted. */
  istioNamespace?: string;
}

export async function readCluster(kube: KubeClient, kinds: readonly KindId[], options: ReadOptions = {}): Promise<ClusterSnapshot> {
  const queue = [...new Set(kinds)].sort();
  const resources: Resource[][] = [];
  const notServed: KindId[] = [];
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const info: KindInfo = KINDS[id];
      try {
        const items = await kube.list(apiVersionOf(id), info.kind, {
          limit: options.pageSize ?? 500,
          ...(info.metadataOnly ? { metadataOnly: true } : {}),
          ...(info.istioNamespaceOnly && options.istioNamespace !== undefined ? { namespace: options.istioNamespace } : {}),
        });
        const kindId = id;
        resources.push(items.map((o) => clusterResource(kindId, o)));
      } catch (err) {
        if (err instanceof NotServedError) notServed.push(id);
        else throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 6, Math.max(queue.length, 1)) }, worker));
  return { resources: resources.flat(), notServed: notServed.sort() };
}
