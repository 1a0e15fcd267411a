/**
 * Apply order for rendered objects: CRDs, namespaces, identities and RBAC, configuration,
 * workloads, autoscaling, services, other kinds, and webhook configurations last (so an injector or
 * validator is never registered before the istiod that serves it). Ties break by component (install
 * order), namespace and name, so output is deterministic.
 */
import { COMPONENT_NAMES, LABELS } from '../model/install.js';
import type { KubeObject } from '../model/k8s.js';

const KIND_RANK: Readonly<Record<string, number>> = {
  CustomResourceDefinition: 0,
  Namespace: 1,
  ServiceAccount: 2,
  ClusterRole: 3,
  ClusterRoleBinding: 4,
  Role: 5,
  RoleBinding: 6,
  ConfigMap: 7,
  Secret: 7,
  ResourceQuota: 8,
  NetworkAttachmentDefinition: 8,
  Deployment: 10,
  DaemonSet: 10,
  StatefulSet: 10,
  HorizontalPodAutoscaler: 11,
  PodDisruptionBudget: 12,
  Service: 13,
  ValidatingAdmissionPolicy: 15,
  ValidatingAdmissionPolicyBinding: 16,
  MutatingWebhookConfiguration: 20,
  ValidatingWebhookConfiguration: 21,
};
const OTHER = 14;

export function kindRank(kind: string): number {
  return KIND_RANK[kind] ?? OTHER;
}

function componentRank(o: KubeObject): number {
  const c = o.metadata.labels?.[LABELS.component];
  const i = (COMPONENT_NAMES as readonly string[]).indexOf(c ?? '');
  return i < 0 ? -1 : i;
}

export function sortForApply(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) =>
      kindRank(a.kind) - kindRank(b.kind) ||
      componentRank(a) - componentRank(b) ||
      cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      cmp(a.metadata.name ?? '', b.metadata.name ?? '') ||
      cmp(a.apiVersion, b.apiVersion),
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
