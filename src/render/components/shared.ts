/** Object shapes several components share: RBAC rules, HPA, PDB. */
import type { Json, JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';

export function rule(apiGroups: string[], resources: string[], verbs: string[]): JsonObject {
  return { apiGroups, resources, verbs };
}

export function hpa(o: {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  min: number;
  max: number;
  cpu: number;
  behavior?: Json | undefined;
  kind?: string;
}): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: o.kind ?? 'Deployment', name: o.name },
      minReplicas: o.min,
      maxReplicas: o.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: o.cpu } } }],
      ...(o.behavior !== undefined && o.behavior !== null ? { behavior: o.behavior } : {}),
    },
  };
}

export function pdb(o: { name: string; namespace: string; labels: Record<string, string>; selector: Record<string, string> }): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
    spec: { minAvailable: 1, selector: { matchLabels: o.selector } },
  };
}

export function serviceAccount(o: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: o.labels,
      ...(o.annotations && Object.keys(o.annotations).length > 0 ? { annotations: o.annotations } : {}),
    },
  };
}

export const fieldRef = (name: string, fieldPath: string): JsonObject => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });

/** Builds a component's labels, with extra labels laid over. */
export type Labels = (extra?: Record<string, string>) => Record<string, string>;

/** Helm's resources helper: limits and requests with empty entries left out. */
export function resourceRequirements(r: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of ['limits', 'requests']) {
    const m = r[key];
    if (m === null || typeof m !== 'object' || Array.isArray(m)) continue;
    const kept = Object.fromEntries(Object.entries(m).filter(([, x]) => x !== null && x !== '' && x !== 0 && x !== false));
    if (Object.keys(kept).length > 0) out[key] = kept;
  }
  return out;
}

/** Byte order (Go's sort.Strings), for what Helm ranges over in key order. */
export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
