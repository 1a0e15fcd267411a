/**
 * Reads a snapshot of the cluster for analysis (I/O edge): only the kinds the selected analyzers read,
 * all at once (a few lists in flight), each list paginated by the client, Secrets and CRDs as metadata only,
 * ConfigMaps only in the Istio namespace. The Secrets that Gateways name as their credentials are then
 * read one by one, keeping only the certificate and key fields, so that IST0161 can judge them (as
 * istioctl does, which reads every Secret whole); no other Secret's data is read. A credential the
 * user may not read (403) stays metadata only and is not judged.
 * No informers and no watches: one consistent-enough read, then pure analysis.
 */
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError, NotServedError } from '../../kube/client.js';
import type { KubeObject } from '../../model/k8s.js';
import { KINDS, type KindId, type KindInfo, apiVersionOf } from '../kinds.js';
import { clusterResource } from '../load.js';
import type { Resource } from '../types.js';
import { forEachLimit } from '../../util/pool.js';
import { asRecord, recordsIn, stringOrUndefined, stringsIn } from '../../util/narrow.js';

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
  const all = resources.flat();
  await readGatewayCredentials(kube, all, options.concurrency ?? 6);
  return { resources: all, notServed: notServed.sort(), restricted: restricted.sort((a, b) => a.kind.localeCompare(b.kind)) };
}

/** The data keys Istio reads a gateway's server certificate from (the rest of a Secret is not kept). */
const CREDENTIAL_KEYS = ['cert', 'key', 'tls.crt', 'tls.key'];

/**
 * Replaces, in `resources`, each metadata-only Secret that a Gateway names in `tls.credentialName(s)`
 * (`name` in any namespace, `ns/name` in that one) with the Secret read whole, minus every data key but
 * the certificate and key.
 */
async function readGatewayCredentials(kube: KubeClient, resources: Resource[], concurrency: number): Promise<void> {
  const names = new Set<string>();
  const qualified = new Set<string>();
  for (const r of resources) {
    if (r.id !== 'Gateway') continue;
    for (const server of recordsIn(asRecord(r.object['spec'])['servers'])) {
      const tls = asRecord(server['tls']);
      for (const name of [stringOrUndefined(tls['credentialName']) ?? '', ...stringsIn(tls['credentialNames'])]) {
        if (name === '' || name.includes('://')) continue;
        if (name.includes('/')) qualified.add(name);
        else names.add(name);
      }
    }
  }
  if (names.size === 0 && qualified.size === 0) return;
  const wanted = resources.flatMap((r, i) => (r.id === 'Secret' && (names.has(r.name) || qualified.has(`${r.namespace}/${r.name}`)) ? [i] : []));
  await forEachLimit(wanted, { limit: concurrency }, async (i) => {
    const meta = resources[i]!;
    let secret: KubeObject | undefined;
    try {
      secret = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: meta.namespace, name: meta.name });
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) return;
      throw err;
    }
    if (!secret) return;
    const pick = (v: unknown): Record<string, unknown> => Object.fromEntries(Object.entries(asRecord(v)).filter(([k]) => CREDENTIAL_KEYS.includes(k)));
    resources[i] = clusterResource('Secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: secret.metadata,
      ...(secret['type'] !== undefined ? { type: secret['type'] } : {}),
      data: pick(secret['data']),
    });
  });
}

/** A kind the user may not list cluster-wide: what of it they may read in their namespace. */
async function readForbidden(kube: KubeClient, id: KindId, info: KindInfo, namespace: string): Promise<{ objects: KubeObject[]; readIn?: string }> {
  const refused = (err: unknown): boolean => err instanceof KubeApiError && (err.status === 403 || err.status === 404);
  try {
    if (info.namespaced && !info.istioNamespaceOnly) {
      return { objects: await kube.list(apiVersionOf(id), info.kind, { namespace, ...(info.metadataOnly ? { metadataOnly: true } : {}) }), readIn: namespace };
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
