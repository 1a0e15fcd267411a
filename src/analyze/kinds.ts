/**
 * The kinds analyzers can read. An analyzer names kinds by these ids in `meta.inputs`; the loader maps
 * each object's apiVersion group + kind to an id, and the cluster reader lists only the ids it needs.
 * Ids are the Kubernetes kind, except where two groups share a kind (the Gateway API's Gateway is
 * `KubernetesGateway`, Istio's is `Gateway`).
 */
export interface KindInfo {
  /** Kind as written in objects and printed in messages. */
  kind: string;
  /** API group ('' for the core group). */
  group: string;
  /** The version mesh lists from a cluster. Files may use any version of the group. */
  version: string;
  namespaced: boolean;
  /** An Istio configuration kind (validated against the CRD schemas). */
  istio?: boolean;
  /** Read from a cluster as metadata only (PartialObjectMetadata): existence, labels and annotations are all analysis needs. */
  metadataOnly?: boolean;
  /**
   * Read from a cluster only in the Istio namespace (`-i`), as istioctl does: analyzers need the mesh and
   * injector ConfigMaps there, and listing every ConfigMap of a big cluster is slow (istio#46563).
   */
  istioNamespaceOnly?: boolean;
  /**
   * Read from a cluster as pod summaries (src/kube/client.ts podSummary; protobuf from a real API
   * server): a third of the bytes of JSON, and none of what analysis does not read (managedFields,
   * volumes, env, probes, conditions). Analyzers may read only the summary's fields of a cluster's Pods.
   */
  podSummary?: boolean;
}

export const KINDS = {
  // Istio configuration
  AuthorizationPolicy: { kind: 'AuthorizationPolicy', group: 'security.istio.io', version: 'v1', namespaced: true, istio: true },
  DestinationRule: { kind: 'DestinationRule', group: 'networking.istio.io', version: 'v1', namespaced: true, istio: true },
  EnvoyFilter: { kind: 'EnvoyFilter', group: 'networking.istio.io', version: 'v1alpha3', namespaced: true, istio: true },
  Gateway: { kind: 'Gateway', group: 'networking.istio.io', version: 'v1', namespaced: true, istio: true },
  PeerAuthentication: { kind: 'PeerAuthentication', group: 'security.istio.io', version: 'v1', namespaced: true, istio: true },
  ProxyConfig: { kind: 'ProxyConfig', group: 'networking.istio.io', version: 'v1beta1', namespaced: true, istio: true },
  RequestAuthentication: { kind: 'RequestAuthentication', group: 'security.istio.io', version: 'v1', namespaced: true, istio: true },
  ServiceEntry: { kind: 'ServiceEntry', group: 'networking.istio.io', version: 'v1', namespaced: true, istio: true },
  Sidecar: { kind: 'Sidecar', group: 'networking.istio.io', version: 'v1', namespaced: true, istio: true },
  Telemetry: { kind: 'Telemetry', group: 'telemetry.istio.io', version: 'v1', namespaced: true, istio: true },
  TrafficExtension: { kind: 'TrafficExtension', group: 'extensions.istio.io', version: 'v1alpha1', namespaced: true, istio: true },
  VirtualService: { kind: 'VirtualService', group: 'networking.istio.io', version: 'v1', namespaced: true, istio: true },
  WasmPlugin: { kind: 'WasmPlugin', group: 'extensions.istio.io', version: 'v1alpha1', namespaced: true, istio: true },
  WorkloadEntry: { kind: 'WorkloadEntry', group: 'networking.istio.io', version: 'v1', namespaced: true, istio: true },
  WorkloadGroup: { kind: 'WorkloadGroup', group: 'networking.istio.io', version: 'v1', namespaced: true, istio: true },
  // Kubernetes
  ConfigMap: { kind: 'ConfigMap', group: '', version: 'v1', namespaced: true, istioNamespaceOnly: true },
  CustomResourceDefinition: { kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io', version: 'v1', namespaced: false, metadataOnly: true },
  DaemonSet: { kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true },
  Deployment: { kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true },
  MutatingWebhookConfiguration: { kind: 'MutatingWebhookConfiguration', group: 'admissionregistration.k8s.io', version: 'v1', namespaced: false },
  Namespace: { kind: 'Namespace', group: '', version: 'v1', namespaced: false },
  Pod: { kind: 'Pod', group: '', version: 'v1', namespaced: true, podSummary: true },
  Secret: { kind: 'Secret', group: '', version: 'v1', namespaced: true, metadataOnly: true },
  Service: { kind: 'Service', group: '', version: 'v1', namespaced: true },
  StatefulSet: { kind: 'StatefulSet', group: 'apps', version: 'v1', namespaced: true },
  ValidatingWebhookConfiguration: { kind: 'ValidatingWebhookConfiguration', group: 'admissionregistration.k8s.io', version: 'v1', namespaced: false },
  // Gateway API
  KubernetesGateway: { kind: 'Gateway', group: 'gateway.networking.k8s.io', version: 'v1', namespaced: true },
  HTTPRoute: { kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', version: 'v1', namespaced: true },
  GRPCRoute: { kind: 'GRPCRoute', group: 'gateway.networking.k8s.io', version: 'v1', namespaced: true },
} as const satisfies Record<string, KindInfo>;

export type KindId = keyof typeof KINDS;

export const KIND_IDS: readonly KindId[] = Object.keys(KINDS) as KindId[];

const byGroupKind = new Map<string, KindId>();
for (const id of KIND_IDS) byGroupKind.set(`${KINDS[id].group}/${KINDS[id].kind}`, id);

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The kind id of an object, or undefined for kinds no analyzer reads. */
export function kindIdOf(apiVersion: string, kind: string): KindId | undefined {
  return byGroupKind.get(`${groupOf(apiVersion)}/${kind}`);
}

export function apiVersionOf(id: KindId): string {
  const k: KindInfo = KINDS[id];
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

export function isIstioKind(id: KindId): boolean {
  return (KINDS[id] as KindInfo).istio === true;
}

/** The Istio configuration kinds, in id order. */
export const ISTIO_KIND_IDS: readonly KindId[] = KIND_IDS.filter(isIstioKind).sort();
