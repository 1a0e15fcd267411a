/**
 * Sidecar injection as analyzers see it: namespace labels, system namespaces, which pods have been through
 * admission, the injection webhooks, and the injector configuration (the `values` of the
 * `istio-sidecar-injector[-<rev>]` ConfigMap in the Istio namespace) of each revision or tag.
 */
import { SIDECAR_INJECT, injectorConfigMapName, injectorValues, resolveRevision, revisionTags } from '../../model/injection.js';
import { SYSTEM_NAMESPACES } from './control-plane.js';
import type { AnalysisContext, Resource } from '../types.js';
import { type Obj } from './data.js';
import { labelSelectorMatches } from '../../model/label-selector.js';
import { asRecord, recordsIn, stringOrUndefined, stringRecord } from '../../util/narrow.js';

export { INJECTION_LABEL, REVISION_LABEL, SIDECAR_INJECT } from '../../model/injection.js';
export { SYSTEM_NAMESPACES } from './control-plane.js';

/** A system namespace, or the Istio namespace (never judged for namespace injection labels). */
export function isSystemNamespace(ns: string, istioNamespace: string): boolean {
  return ns === istioNamespace || SYSTEM_NAMESPACES.has(ns);
}

/**
 * A namespace's labels as admission webhooks see them: its own, plus the `kubernetes.io/metadata.name`
 * label the API server sets on every namespace.
 */
export function namespaceLabels(ns: Resource): Record<string, string> {
  return { ...stringRecord(ns.object.metadata.labels), 'kubernetes.io/metadata.name': ns.name };
}

/**
 * Has this pod been through admission (so injection had its chance)? True for pods read from the cluster,
 * and for pods in files that carry what only the API server sets (a uid, a creationTimestamp, a status
 * phase), e.g. `kubectl get -o yaml` output. A pod manifest not yet applied has not been injected yet.
 */
export function wasAdmitted(pod: Resource): boolean {
  if (pod.origin.cluster === true) return true;
  const m = pod.object.metadata;
  return m.uid !== undefined || m.creationTimestamp !== undefined || stringOrUndefined(asRecord(pod.object['status'])['phase']) !== undefined;
}

/** A pod that has completed (Succeeded/Failed) or is being deleted: nothing to fix on it. */
export function isFinished(pod: Resource): boolean {
  const phase = stringOrUndefined(asRecord(pod.object['status'])['phase']);
  return pod.object.metadata.deletionTimestamp !== undefined || phase === 'Succeeded' || phase === 'Failed';
}

/** Values of `sidecar.istio.io/inject` that ask for injection (any other non-empty value opts out). */
export const TRUTHY: readonly string[] = ['y', 'yes', 'true', 'on'];

/** `sidecar.istio.io/inject` of an object: the label wins over the annotation, as in Istio's injector. */
export function injectSetting(labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): string | undefined {
  return labels[SIDECAR_INJECT] ?? annotations[SIDECAR_INJECT];
}

/**
 * Would the injector of a revision inject a pod its webhook sent to it? Follows the injector's own rules:
 * an explicit `sidecar.istio.io/inject` decides (y/yes/true/on inject, any other value does not); else
 * a matching `neverInjectSelector` keeps it out, a matching `alwaysInjectSelector` brings it in, and
 * otherwise the policy (`global.proxy.autoInject`) decides. Without injector values: the defaults (inject).
 */
export function injectorWouldInject(labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>, values: Obj | undefined): boolean {
  const explicit = injectSetting(labels, annotations);
  if (explicit !== undefined && explicit !== '') return TRUTHY.includes(explicit.toLowerCase());
  const hook = asRecord(values?.['sidecarInjectorWebhook']);
  if (recordsIn(hook['neverInjectSelector']).some((s) => labelSelectorMatches(s, labels))) return false;
  if (recordsIn(hook['alwaysInjectSelector']).some((s) => labelSelectorMatches(s, labels))) return true;
  return stringOrUndefined(asRecord(asRecord(values?.['global'])['proxy'])['autoInject']) !== 'disabled';
}

/**
 * The injection setup of one run, built once: revision tags (from MutatingWebhookConfigurations
 * labelled istio.io/tag) and the injector ConfigMaps in the Istio namespace, looked up by revision or tag.
 */
export class InjectorConfigs {
  readonly tags: Readonly<Record<string, string>>;
  private readonly cache = new Map<string, { cm: Resource | undefined; values: Obj | undefined }>();

  constructor(private readonly ctx: AnalysisContext) {
    this.tags = revisionTags(ctx.list('MutatingWebhookConfiguration').map((r) => r.object));
  }

  /** The injector ConfigMap of a revision or tag ('' or 'default' for the default revision). */
  configMap(revOrTag: string): Resource | undefined {
    return this.entry(revOrTag).cm;
  }

  /** The parsed `values` of that ConfigMap. */
  values(revOrTag: string): Obj | undefined {
    return this.entry(revOrTag).values;
  }

  private entry(revOrTag: string): { cm: Resource | undefined; values: Obj | undefined } {
    const name = injectorConfigMapName(resolveRevision(revOrTag === '' ? 'default' : revOrTag, this.tags));
    let e = this.cache.get(name);
    if (!e) {
      const cm = this.ctx.find('ConfigMap', this.ctx.settings.istioNamespace, name);
      e = { cm, values: cm ? injectorValues(cm.object) : undefined };
      this.cache.set(name, e);
    }
    return e;
  }
}

/** One webhook of a MutatingWebhookConfiguration. */
export interface Webhook {
  config: Resource;
  index: number;
  name: string;
  namespaceSelector: unknown;
  objectSelector: unknown;
  hook: Obj;
}

export function webhooksOf(config: Resource): Webhook[] {
  return recordsIn(config.object['webhooks']).map((hook, index) => ({
    config,
    index,
    name: stringOrUndefined(hook['name']) ?? `#${index}`,
    namespaceSelector: hook['namespaceSelector'],
    objectSelector: hook['objectSelector'],
    hook,
  }));
}

/** Istio's webhooks are named `*.istio.io` (e.g. namespace.sidecar-injector.istio.io). */
export function isIstioWebhookName(name: string): boolean {
  return name.endsWith('istio.io');
}

/** Does a webhook take a pod with these labels in a namespace with these labels? */
export function webhookSelects(w: Webhook, nsLabels: Readonly<Record<string, string>>, podLabels: Readonly<Record<string, string>>): boolean {
  return labelSelectorMatches(w.namespaceSelector, nsLabels) && labelSelectorMatches(w.objectSelector, podLabels);
}
