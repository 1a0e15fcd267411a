/**
 * Reads a snapshot of the cluster for analysis (I/O edge): only the kinds the selected analyzers read,
 * all at once (a few lists in flight), each list paginated by the client, Secrets and CRDs as metadata only,
 * Pods as summaries (protobuf), ConfigMaps only in the Istio namespace. The Secrets that Gateways name
 * as their credentials are then read one by one, keeping only the certificate and key fields, so that
 * IST0161 can judge them (as istioctl does, which reads every Secret whole); no other Secret's data is
 * read. A credential the user may not read (403) stays metadata only and is not judged.
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
  /** With `namespaceSelector`: the namespaces the API server listed for it (sorted). */
  selectedNamespaces?: string[];
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
  /**
   * `-l`: a label selector for namespaces. Namespaces are listed first with it (`labelSelector=`, so
   * the server narrows the list); then each namespaced kind is listed only in those namespaces and the
   * Istio namespace, one list per namespace when they are at most `perNamespaceLimit` (default 16), else
   * cluster-wide and narrowed here.
   */
  namespaceSelector?: string;
  perNamespaceLimit?: number;
  /** `-F`: per kind id, a label selector its lists carry (`labelSelector=`), so the server leaves the rest out. */
  labelSelectors?: Readonly<Partial<Record<string, string>>>;
}

export async function readCluster(kube: KubeClient, kinds: readonly KindId[], options: ReadOptions = {}): Promise<ClusterSnapshot> {
  const resources: Resource[][] = [];
  const notServed: KindId[] = [];
  const restricted: { kind: KindId; readIn?: string }[] = [];
  const fallback = options.fallbackNamespace;
  let inNamespaces: Set<string> | undefined;
  let selectedNamespaces: string[] | undefined;
  let queue = [...new Set(kinds)].sort();
  if (options.namespaceSelector !== undefined) {
    // The namespaces first: the other lists depend on them.
    const nsInfo: KindInfo = KINDS.Namespace;
    const own = options.labelSelectors?.['Namespace'];
    const labelSelector = own !== undefined ? `${options.namespaceSelector},${own}` : options.namespaceSelector;
    const items = await kube.list(apiVersionOf('Namespace'), nsInfo.kind, { limit: options.pageSize ?? 500, labelSelector });
    selectedNamespaces = items.map((o) => o.metadata.name ?? '').sort();
    inNamespaces = new Set(selectedNamespaces);
    if (options.istioNamespace !== undefined) inNamespaces.add(options.istioNamespace);
    // Kept whether or not an analyzer reads them: the run scopes by them (src/analyze/scope.ts).
    resources.push(items.map((o) => clusterResource('Namespace', o)));
    queue = queue.filter((k) => k !== 'Namespace');
  }
  const perNamespace = inNamespaces !== undefined && inNamespaces.size <= (options.perNamespaceLimit ?? 16) ? [...inNamespaces].sort() : undefined;
  await forEachLimit(queue, { limit: options.concurrency ?? 6 }, async (id) => {
    const info: KindInfo = KINDS[id];
    const selector = options.labelSelectors?.[id];
    const base = {
      limit: options.pageSize ?? 500,
      ...(info.metadataOnly ? { metadataOnly: true } : {}),
      ...(info.podSummary ? { podSummary: true } : {}),
      ...(selector !== undefined ? { labelSelector: selector } : {}),
    };
    try {
      let items: KubeObject[];
      if (info.istioNamespaceOnly && options.istioNamespace !== undefined) {
        items = await kube.list(apiVersionOf(id), info.kind, { ...base, namespace: options.istioNamespace });
      } else if (info.namespaced && perNamespace !== undefined) {
        const lists: KubeObject[][] = [];
        for (const ns of perNamespace) lists.push(await kube.list(apiVersionOf(id), info.kind, { ...base, namespace: ns }));
        items = lists.flat();
      } else {
        items = await kube.list(apiVersionOf(id), info.kind, base);
        if (info.namespaced && inNamespaces !== undefined) {
          const keep = inNamespaces;
          items = items.filter((o) => keep.has(o.metadata.namespace ?? ''));
        }
      }
      const kindId = id;
      resources.push(items.map((o) => clusterResource(kindId, o)));
    } catch (err) {
      if (err instanceof NotServedError) notServed.push(id);
      else if (fallback !== undefined && err instanceof KubeApiError && err.status === 403) {
        const kindId = id;
        const items = await readForbidden(kube, kindId, info, fallback, options.labelSelectors?.[kindId]);
        restricted.push(items.readIn !== undefined ? { kind: kindId, readIn: items.readIn } : { kind: kindId });
        resources.push(items.objects.map((o) => clusterResource(kindId, o)));
      } else throw err;
    }
  });
  const all = resources.flat();
  await readGatewayCredentials(kube, all, options.concurrency ?? 6);
  return {
    resources: all,
    notServed: notServed.sort(),
    restricted: restricted.sort((a, b) => a.kind.localeCompare(b.kind)),
    ...(selectedNamespaces !== undefined ? { selectedNamespaces } : {}),
  };
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
async function readForbidden(
  kube: KubeClient,
  id: KindId,
  info: KindInfo,
  namespace: string,
  labelSelector: string | undefined,
): Promise<{ objects: KubeObject[]; readIn?: string }> {
  const refused = (err: unknown): boolean => err instanceof KubeApiError && (err.status === 403 || err.status === 404);
  try {
    if (info.namespaced && !info.istioNamespaceOnly) {
      const listOptions = {
        namespace,
        ...(info.metadataOnly ? { metadataOnly: true } : {}),
        ...(info.podSummary ? { podSummary: true } : {}),
        ...(labelSelector !== undefined ? { labelSelector } : {}),
      };
      return { objects: await kube.list(apiVersionOf(id), info.kind, listOptions), readIn: namespace };
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
