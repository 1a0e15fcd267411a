/**
 * Order of objects within a component: CRDs first (so they can become Established before anything
 * uses them), then identities and RBAC, configuration, workloads, services, and webhook
 * configurations last, so an interrupted install never registers an injector or validator before
 * the istiod that serves it exists.
 */
import type { KubeObject } from '../model/k8s.js';

const STAGE_OF_KIND: Record<string, number> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
  ServiceAccount: 2,
  ClusterRole: 2,
  Role: 2,
  ClusterRoleBinding: 3,
  RoleBinding: 3,
  ConfigMap: 4,
  Secret: 4,
  ResourceQuota: 4,
  Deployment: 5,
  DaemonSet: 5,
  StatefulSet: 5,
  HorizontalPodAutoscaler: 6,
  PodDisruptionBudget: 6,
  Service: 7,
  MutatingWebhookConfiguration: 9,
  ValidatingWebhookConfiguration: 9,
};
const OTHER_STAGE = 8;

export function stageOf(obj: { kind: string }): number {
  return STAGE_OF_KIND[obj.kind] ?? OTHER_STAGE;
}

export function isWebhookConfiguration(obj: { kind: string }): boolean {
  return obj.kind === 'MutatingWebhookConfiguration' || obj.kind === 'ValidatingWebhookConfiguration';
}

/**
 * Splits a component's objects into batches applied one after another; objects within a batch are
 * independent and may be applied in parallel. Input order is kept within a batch.
 */
export function applyBatches(objects: readonly KubeObject[]): KubeObject[][] {
  const byStage = new Map<number, KubeObject[]>();
  for (const o of objects) {
    const s = stageOf(o);
    const list = byStage.get(s) ?? [];
    list.push(o);
    byStage.set(s, list);
  }
  return [...byStage.keys()].sort((a, b) => a - b).map((s) => byStage.get(s)!);
}

/** Deletion order for uninstall/prune: the reverse (webhooks first, CRDs last). */
export function deleteOrder(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => stageOf(b) - stageOf(a));
}
