/**
 * `image: auto` on an istio-proxy container is a placeholder the injector replaces; a pod that keeps it
 * cannot start (istioctl's injection.ImageAutoAnalyzer).
 *  - IST0146: a Deployment whose pod template no Istio injection webhook would take (its namespace
 *    selector against the namespace's labels, its object selector against the template's labels);
 *  - IST0147: a Pod that went through admission and still says `image: auto` (it was not injected),
 *    or a Pod manifest not yet applied that no injection webhook would take.
 * Istio's webhooks are those named `*.istio.io` in MutatingWebhookConfigurations. Nothing is concluded
 * about not-yet-admitted objects when no MutatingWebhookConfiguration at all is in view (files only),
 * or when their Namespace is not in view. System namespaces (kube-system, …) are skipped, as istioctl does.
 */
import { PROXY_CONTAINER } from '../../model/injection.js';
import { SYSTEM_NAMESPACES, type Webhook, isIstioWebhookName, namespaceLabels, wasAdmitted, webhookSelects, webhooksOf } from '../lib/injection.js';
import type { AnalysisContext, AnalyzerMeta, FieldPath, Resource } from '../types.js';
import { asRecord, recordsIn, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'injection.ImageAutoAnalyzer',
  description: 'Checks that Pods and Deployments with `image: auto` will be injected',
  inputs: ['Namespace', 'Pod', 'Deployment', 'MutatingWebhookConfiguration'],
  codes: ['IST0146', 'IST0147'],
};

/** Index of the istio-proxy container with `image: auto`, or -1. */
function autoImageIndex(podSpec: unknown): number {
  return recordsIn(asRecord(podSpec)['containers']).findIndex((c) => c['name'] === PROXY_CONTAINER && c['image'] === 'auto');
}

export function analyze(ctx: AnalysisContext): void {
  const configs = ctx.list('MutatingWebhookConfiguration');
  const webhooks: Webhook[] = configs.flatMap(webhooksOf).filter((w) => isIstioWebhookName(w.name));
  const nsLabels = new Map<string, Record<string, string> | undefined>();
  const labelsOfNamespace = (name: string): Record<string, string> | undefined => {
    if (!nsLabels.has(name)) {
      const ns = ctx.find('Namespace', '', name);
      nsLabels.set(name, ns ? namespaceLabels(ns) : undefined);
    }
    return nsLabels.get(name);
  };
  /** true / false, or undefined when it cannot be told. */
  const injected = (r: Resource, podLabels: Record<string, string>): boolean | undefined => {
    if (configs.length === 0 && ctx.settings.cluster !== true) return undefined;
    const ns = labelsOfNamespace(r.namespace);
    if (ns === undefined) return undefined;
    return webhooks.some((w) => webhookSelects(w, ns, podLabels));
  };

  for (const pod of ctx.list('Pod')) {
    if (SYSTEM_NAMESPACES.has(pod.namespace)) continue;
    const i = autoImageIndex(pod.object['spec']);
    if (i < 0) continue;
    if (wasAdmitted(pod) || injected(pod, stringRecord(pod.object.metadata.labels)) === false) {
      report(ctx, 'IST0147', pod, ['spec', 'containers', i, 'image']);
    }
  }
  for (const d of ctx.list('Deployment')) {
    if (SYSTEM_NAMESPACES.has(d.namespace)) continue;
    const template = asRecord(asRecord(d.object['spec'])['template']);
    const i = autoImageIndex(template['spec']);
    if (i < 0) continue;
    if (injected(d, stringRecord(asRecord(template['metadata'])['labels'])) === false) {
      report(ctx, 'IST0146', d, ['spec', 'template', 'spec', 'containers', i, 'image']);
    }
  }
}

function report(ctx: AnalysisContext, code: string, r: Resource, path: FieldPath): void {
  ctx.report(code, r, { resourceType: r.kind, resourceName: r.name }, { path });
}
