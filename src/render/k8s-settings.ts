/**
 * `components.*.k8s` applied to a component's rendered objects: each field patches the component's
 * main workload (Deployment or DaemonSet), its container, Service, HPA or PDB, the way istioctl's
 * post-processing does. Lists keyed by name (env, volumes, volumeMounts) merge by that key; other
 * lists replace. `overlays[]` then patches any object of the component by path.
 */
import { InputError, excerpt } from '../errors.js';
import type { Json, JsonObject, K8sSettings } from '../model/install.js';
import type { KubeObject } from '../model/k8s.js';
import { isObject, overlay } from './merge.js';
import { PathError, parsePath, setAt } from './path.js';

export interface K8sTarget {
  /** Where errors point: `components.pilot.k8s`. */
  where: string;
  workloadKind: 'Deployment' | 'DaemonSet';
  name: string;
  namespace: string;
  container: string;
}

export function applyK8s(objects: KubeObject[], k8s: K8sSettings | undefined, target: K8sTarget): void {
  // (A null field of an IstioOperator file never gets here: spec.ts unsets it.)
  if (k8s === undefined) return;
  const find = (kind: string): KubeObject | undefined =>
    objects.find((o) => o.kind === kind && o.metadata.name === target.name && o.metadata.namespace === target.namespace);
  const workload = find(target.workloadKind);
  const spec = workload ? (workload['spec'] as JsonObject) : undefined;
  const template = spec && isObject(spec['template']) ? spec['template'] : undefined;
  const podSpec = template && isObject(template['spec']) ? template['spec'] : undefined;
  const containers = podSpec && Array.isArray(podSpec['containers']) ? (podSpec['containers'] as JsonObject[]) : [];
  const container = containers.find((c) => c['name'] === target.container);

  if (spec && k8s.replicaCount !== undefined && target.workloadKind === 'Deployment') spec['replicas'] = k8s.replicaCount;
  if (spec && k8s.strategy !== undefined) {
    if (target.workloadKind === 'Deployment') spec['strategy'] = overlay(spec['strategy'], k8s.strategy) as JsonObject;
    else spec['updateStrategy'] = overlay(spec['updateStrategy'], k8s.strategy) as JsonObject;
  }
  if (template && k8s.podAnnotations !== undefined) {
    const meta = (template['metadata'] ??= {}) as JsonObject;
    meta['annotations'] = { ...((meta['annotations'] as JsonObject | undefined) ?? {}), ...k8s.podAnnotations };
  }
  if (podSpec) {
    if (k8s.nodeSelector !== undefined) podSpec['nodeSelector'] = { ...k8s.nodeSelector };
    if (k8s.tolerations !== undefined) podSpec['tolerations'] = structuredClone(k8s.tolerations);
    if (k8s.affinity !== undefined) podSpec['affinity'] = structuredClone(k8s.affinity);
    if (k8s.priorityClassName !== undefined) podSpec['priorityClassName'] = k8s.priorityClassName;
    if (k8s.securityContext !== undefined) podSpec['securityContext'] = overlay(podSpec['securityContext'], k8s.securityContext) as JsonObject;
    if (k8s.volumes !== undefined) podSpec['volumes'] = mergeByKey(podSpec['volumes'], k8s.volumes, 'name');
  }
  if (container) {
    // As istioctl: a strategic merge, so k8s.resources.requests.cpu keeps the chart's limits.
    if (k8s.resources !== undefined) container['resources'] = overlay(container['resources'] ?? {}, k8s.resources) as JsonObject;
    if (k8s.env !== undefined) container['env'] = mergeByKey(container['env'], k8s.env, 'name');
    if (k8s.imagePullPolicy !== undefined) container['imagePullPolicy'] = k8s.imagePullPolicy;
    if (k8s.readinessProbe !== undefined) container['readinessProbe'] = structuredClone(k8s.readinessProbe);
    if (k8s.volumeMounts !== undefined) container['volumeMounts'] = mergeByKey(container['volumeMounts'], k8s.volumeMounts, 'mountPath');
  }

  const service = find('Service');
  if (service) {
    if (k8s.service !== undefined) service['spec'] = overlay(service['spec'] as Json, k8s.service);
    if (k8s.serviceAnnotations !== undefined) {
      service.metadata.annotations = { ...(service.metadata.annotations ?? {}), ...k8s.serviceAnnotations };
    }
  }
  const hpa = find('HorizontalPodAutoscaler');
  if (hpa && k8s.hpaSpec !== undefined) hpa['spec'] = overlay(hpa['spec'] as Json, k8s.hpaSpec);
  const pdb = find('PodDisruptionBudget');
  if (pdb && k8s.podDisruptionBudget !== undefined) {
    const merged = overlay(pdb['spec'] as Json, k8s.podDisruptionBudget) as JsonObject;
    // minAvailable and maxUnavailable are exclusive: the one the user gave wins.
    if (k8s.podDisruptionBudget['maxUnavailable'] !== undefined && k8s.podDisruptionBudget['minAvailable'] === undefined) delete merged['minAvailable'];
    pdb['spec'] = merged;
  }

  (k8s.overlays ?? []).forEach((ov, i) => {
    const where = `${target.where}.overlays[${i}]`;
    const obj = objects.find((o) => o.kind === ov.kind && o.metadata.name === ov.name && (ov.apiVersion === undefined || ov.apiVersion === o.apiVersion));
    if (obj === undefined) {
      const all = objects.map((o) => `${o.kind}/${o.metadata.name ?? ''}`);
      // Two names at most: the line stays short with a long --set in front of it.
      const candidates = all.length > 2 ? `${all.slice(0, 2).join(', ')} and ${all.length - 2} more` : all.join(', ');
      throw new InputError(
        `${where}: no ${excerpt(String(ov.kind ?? '(kind missing)'), 40)} named "${excerpt(String(ov.name ?? ''), 40)}" in this component (it has: ${candidates})`,
      );
    }
    (ov.patches ?? []).forEach((p, j) => {
      if (typeof p.path !== 'string' || p.path === '')
        throw new InputError(`${where}.patches[${j}]: a patch needs a path (e.g. spec.template.spec.containers.[name:discovery].args)`);
      try {
        setAt(obj as unknown as JsonObject, parsePath(p.path), p.value === null ? undefined : structuredClone(p.value));
      } catch (e) {
        if (e instanceof PathError) throw new InputError(`${where}.patches[${j}] (${excerpt(`${ov.kind}/${ov.name ?? ''}`)}): ${e.message}`);
        throw e;
      }
    });
  });
}

/** Strategic-merge style: entries with the same key are replaced in place, new ones appended. */
function mergeByKey(existing: Json | undefined, additions: JsonObject[], key: string): JsonObject[] {
  const out = Array.isArray(existing) ? (structuredClone(existing) as JsonObject[]) : [];
  for (const a of additions) {
    const i = out.findIndex((e) => isObject(e) && e[key] === a[key]);
    if (i >= 0) out[i] = structuredClone(a);
    else out.push(structuredClone(a));
  }
  return out;
}
