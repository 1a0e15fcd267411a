/** Select (I/O half): read everything selection and planning need, once, with a bounded number of list calls. */
import { namespaceNotFound } from '../errors.js';
import { type KubeClient, KubeApiError, NotServedError } from '../kube/client.js';
import { TAG_LABEL, revisionTags as revisionTagsOf } from '../model/injection.js';
import type { KubeObject } from '../model/k8s.js';
import type { ClusterSnapshot, SelectionMode, WorkloadKind } from './types.js';

export interface CollectOptions {
  /** Namespaces to look in, or 'all' (-A). */
  namespaces: readonly string[] | 'all';
  /** -l: selects workloads (and bare pods/Jobs) by their labels. */
  labelSelector?: string;
  kinds: readonly WorkloadKind[];
  mode: SelectionMode;
  istioNamespace: string;
}

export interface Collected {
  snapshot: ClusterSnapshot;
  warnings: string[];
}

/**
 * Requests: per namespace (or once for -A) one list each of the selected workload kinds, ReplicaSets,
 * Pods, PodDisruptionBudgets and HorizontalPodAutoscalers (+ Pods again with -l); with --outdated one list of ConfigMaps in the
 * Istio namespace and one of MutatingWebhookConfigurations (revision tags).
 */
export async function collectSnapshot(kube: KubeClient, opts: CollectOptions): Promise<Collected> {
  const warnings: string[] = [];
  const scopes: (string | undefined)[] = opts.namespaces === 'all' ? [undefined] : [...opts.namespaces];
  const namespaces =
    opts.namespaces === 'all'
      ? await kube.list('v1', 'Namespace')
      : await Promise.all(
          opts.namespaces.map(async (ns) => {
            const o = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: ns });
            if (!o) throw namespaceNotFound(ns, kube.info().context);
            return o;
          }),
        );
  const sel = opts.labelSelector !== undefined && opts.labelSelector !== '' ? { labelSelector: opts.labelSelector } : {};
  const listIn = async (apiVersion: string, kind: string, extra: { labelSelector?: string } = {}): Promise<KubeObject[]> => {
    const lists = await Promise.all(scopes.map((ns) => kube.list(apiVersion, kind, { ...(ns !== undefined ? { namespace: ns } : {}), ...extra })));
    return lists.flat();
  };
  const optional = async (what: string, p: Promise<KubeObject[]>): Promise<KubeObject[]> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof NotServedError) return [];
      if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) {
        warnings.push(`cannot read ${what}: ${err.message}`);
        return [];
      }
      throw err;
    }
  };
  const wants = (k: WorkloadKind): boolean => opts.kinds.includes(k);
  const [deployments, statefulSets, daemonSets, replicaSets, pods, selectedPods, podDisruptionBudgets, horizontalPodAutoscalers, injectorConfigMaps, webhooks] =
    await Promise.all([
      wants('Deployment') ? listIn('apps/v1', 'Deployment', sel) : Promise.resolve([]),
      wants('StatefulSet') ? listIn('apps/v1', 'StatefulSet', sel) : Promise.resolve([]),
      wants('DaemonSet') ? listIn('apps/v1', 'DaemonSet', sel) : Promise.resolve([]),
      wants('Deployment') ? listIn('apps/v1', 'ReplicaSet') : Promise.resolve([]),
      listIn('v1', 'Pod'),
      sel.labelSelector !== undefined ? listIn('v1', 'Pod', sel) : Promise.resolve(undefined),
      optional('PodDisruptionBudgets', listIn('policy/v1', 'PodDisruptionBudget')),
      wants('Deployment') || wants('StatefulSet')
        ? optional('HorizontalPodAutoscalers', listIn('autoscaling/v2', 'HorizontalPodAutoscaler'))
        : Promise.resolve([]),
      opts.mode === 'outdated'
        ? optional(`ConfigMaps in ${opts.istioNamespace}`, kube.list('v1', 'ConfigMap', { namespace: opts.istioNamespace }))
        : Promise.resolve([]),
      opts.mode === 'outdated'
        ? optional(
            'revision tags',
            kube.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', { labelSelector: TAG_LABEL, metadataOnly: true }),
          )
        : Promise.resolve([]),
    ]);
  const revisionTags = revisionTagsOf(webhooks);
  const snapshot: ClusterSnapshot = {
    namespaces,
    deployments,
    statefulSets,
    daemonSets,
    replicaSets,
    pods,
    podDisruptionBudgets,
    horizontalPodAutoscalers,
    injectorConfigMaps: injectorConfigMaps.filter((c) => (c.metadata.name ?? '').startsWith('istio-sidecar-injector')),
    revisionTags,
  };
  if (selectedPods !== undefined) snapshot.selectedPods = selectedPods;
  if (opts.mode === 'outdated' && snapshot.injectorConfigMaps.length === 0) {
    warnings.push(
      `no istio-sidecar-injector ConfigMap in namespace ${opts.istioNamespace}: only revision changes and missing sidecars can be detected (set --istio-namespace?)`,
    );
  }
  return { snapshot, warnings };
}
