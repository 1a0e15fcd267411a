/**
 * Revision tags, the cluster side: the snapshot plan.ts decides from, and carrying a plan out.
 * Creates are plain creates (they fail when the object appeared meanwhile); replacements and the
 * old default's deactivation are merge patches that carry the resourceVersion read, so a change made
 * in between fails the write instead of being overwritten; deletes carry the uid.
 */
import { ClusterError } from '../errors.js';
import { type KubeClient, KubeApiError, describeRef, refOf } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { ADMISSION_API, MWC, VWC, deactivatedWebhooks } from './build.js';
import type { RemovePlan, SetPlan, TagSnapshot } from './plan.js';

function failure(err: unknown, what: string): Error {
  if (err instanceof KubeApiError && err.status === 409)
    return new ClusterError(`${what}: it changed while mesh was writing it (${err.message}); run the command again`);
  if (err instanceof Error) return new ClusterError(`${what}: ${err.message}`);
  return new ClusterError(`${what}: ${String(err)}`);
}

export async function readTagSnapshot(kube: KubeClient): Promise<TagSnapshot> {
  try {
    const [mutating, validating] = await Promise.all([kube.list(ADMISSION_API, MWC), kube.list(ADMISSION_API, VWC)]);
    return { mutating, validating };
  } catch (err) {
    throw failure(err, 'list webhook configurations');
  }
}

export async function readUsage(kube: KubeClient): Promise<{ namespaces: KubeObject[]; pods: KubeObject[] }> {
  try {
    const [namespaces, pods] = await Promise.all([kube.list('v1', 'Namespace'), kube.list('v1', 'Pod', { metadataOnly: true })]);
    return { namespaces, pods };
  } catch (err) {
    throw failure(err, 'list Namespaces and Pods');
  }
}

/** undefined when the istiod Service the tag would call exists (or the injector calls a URL); else why not. */
export async function missingService(kube: KubeClient, webhook: KubeObject): Promise<string | undefined> {
  const hooks = Array.isArray(webhook['webhooks']) ? (webhook['webhooks'] as { clientConfig?: { service?: { name?: string; namespace?: string } } }[]) : [];
  const svc = hooks[0]?.clientConfig?.service;
  if (svc?.name === undefined || svc.namespace === undefined) return undefined;
  try {
    const found = await kube.get({ apiVersion: 'v1', kind: 'Service', name: svc.name, namespace: svc.namespace });
    return found === undefined ? `the istiod Service ${svc.namespace}/${svc.name} it calls does not exist` : undefined;
  } catch (err) {
    throw failure(err, `read Service ${svc.namespace}/${svc.name}`);
  }
}

/** A merge patch that makes live's labels, annotations and webhooks those of desired (keys only live has are removed). */
function replacePatch(desired: KubeObject, live: KubeObject): Record<string, unknown> {
  const mapPatch = (want: Record<string, string> | undefined, have: Record<string, string> | undefined): Record<string, string | null> => {
    const out: Record<string, string | null> = { ...(want ?? {}) };
    for (const k of Object.keys(have ?? {})) if (want?.[k] === undefined) out[k] = null;
    return out;
  };
  return {
    metadata: {
      resourceVersion: live.metadata.resourceVersion,
      labels: mapPatch(desired.metadata.labels, live.metadata.labels),
      annotations: mapPatch(desired.metadata.annotations, live.metadata.annotations),
    },
    webhooks: desired['webhooks'],
  };
}

export interface ApplyTagDeps {
  kube: KubeClient;
  onStep?: (text: string) => void;
}

/** Writes the tag's objects first, then switches the old default off (a pod is never left without an injector in between). */
export async function applySetPlan(plan: SetPlan, deps: ApplyTagDeps): Promise<void> {
  const { kube } = deps;
  for (const { desired, live } of plan.objects) {
    const what = describeRef(refOf(desired));
    try {
      if (live === undefined) await kube.create(desired);
      else await kube.patch(refOf(desired), replacePatch(desired, live), 'merge');
    } catch (err) {
      throw failure(err, `${live === undefined ? 'create' : 'update'} ${what}`);
    }
    deps.onStep?.(`${live === undefined ? 'Created' : 'Updated'} ${what}`);
  }
  for (const old of plan.deactivate) {
    const what = describeRef(refOf(old));
    try {
      await kube.patch(refOf(old), { metadata: { resourceVersion: old.metadata.resourceVersion }, webhooks: deactivatedWebhooks(old) }, 'merge');
    } catch (err) {
      throw failure(err, `switch off ${what}`);
    }
    deps.onStep?.(`Switched off ${what} (its webhooks now match nothing; the tag's webhooks took over)`);
  }
}

/** Deletes the tag's webhook configurations, each only if it is still the object read (uid precondition). */
export async function applyRemovePlan(plan: RemovePlan, deps: ApplyTagDeps): Promise<void> {
  for (const o of plan.objects) {
    const what = describeRef(refOf(o));
    try {
      const uid = o.metadata.uid;
      await deps.kube.delete(refOf(o), uid !== undefined ? { preconditions: { uid } } : {});
    } catch (err) {
      throw failure(err, `delete ${what}`);
    }
    deps.onStep?.(`Removed ${what}`);
  }
}
