/** Builders of plain Kubernetes objects for rollout-restart unit tests. */
import type { KubeObject } from '../../../src/model/k8s.js';

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export interface WorkloadSpec {
  replicas?: number;
  labels?: Record<string, string>;
  templateLabels?: Record<string, string>;
  templateAnnotations?: Record<string, string>;
  strategy?: Record<string, unknown>;
  updateStrategy?: Record<string, unknown>;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  status?: Record<string, unknown>;
  generation?: number;
}

export function workload(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', ns: string, name: string, w: WorkloadSpec = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, ...(w.templateLabels ?? {}) }, annotations: w.templateAnnotations ?? {} },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
    },
  };
  if (kind !== 'DaemonSet') spec['replicas'] = w.replicas ?? 1;
  if (w.strategy) spec['strategy'] = w.strategy;
  if (w.updateStrategy) spec['updateStrategy'] = w.updateStrategy;
  if (w.paused) spec['paused'] = true;
  if (w.progressDeadlineSeconds !== undefined) spec['progressDeadlineSeconds'] = w.progressDeadlineSeconds;
  const o: KubeObject = {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns, labels: w.labels ?? { app: name }, uid: `uid-${kind}-${ns}-${name}` },
    spec,
    status: w.status ?? {},
  };
  if (w.generation !== undefined) o.metadata.generation = w.generation;
  return o;
}

export function replicaSet(deploy: KubeObject, hash = 'abc'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deploy.metadata.name}-${hash}`,
      namespace: deploy.metadata.namespace!,
      uid: `uid-rs-${deploy.metadata.name}-${hash}`,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deploy.metadata.name!, uid: deploy.metadata.uid!, controller: true }],
    },
    spec: {},
  };
}

export interface PodSpec {
  proxyImage?: string;
  nativeSidecar?: boolean;
  revision?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ready?: boolean;
  status?: Record<string, unknown>;
  created?: string;
}

export function pod(ns: string, name: string, owner: KubeObject | undefined, p: PodSpec = {}): KubeObject {
  const containers: Record<string, unknown>[] = [{ name: 'app', image: 'app:1' }];
  const initContainers: Record<string, unknown>[] = [];
  if (p.proxyImage !== undefined) {
    (p.nativeSidecar ? initContainers : containers).push({ name: 'istio-proxy', image: p.proxyImage, ...(p.nativeSidecar ? { restartPolicy: 'Always' } : {}) });
  }
  const annotations = { ...(p.annotations ?? {}) };
  if (p.revision !== undefined) annotations['sidecar.istio.io/status'] = JSON.stringify({ containers: ['istio-proxy'], revision: p.revision });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-pod-${ns}-${name}`,
      labels: p.labels ?? {},
      annotations,
      creationTimestamp: p.created ?? '2026-01-01T00:00:00Z',
      ...(owner
        ? { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true }] }
        : {}),
    },
    spec: { containers, ...(initContainers.length ? { initContainers } : {}) },
    status: p.status ?? { phase: 'Running', conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True' }] },
  };
}

export function injectorConfigMap(revision: string | undefined, values: Record<string, unknown>, ns = 'istio-system'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: revision ? `istio-sidecar-injector-${revision}` : 'istio-sidecar-injector', namespace: ns },
    data: { values: JSON.stringify(values), config: '' },
  };
}

export const HUB = 'docker.io/istio';
export const proxyValues = (tag: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  global: { hub: HUB, tag, proxy: { image: 'proxyv2' }, ...extra },
});
