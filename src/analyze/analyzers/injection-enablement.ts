/**
 * Namespace injection labels and pods without a proxy (istioctl's injection.Analyzer).
 *  - IST0102: a namespace with neither `istio-injection` nor `istio.io/rev` (Info);
 *  - IST0148: the same, when the default injector has `sidecarInjectorWebhook.enableNamespacesByDefault`
 *    (the namespace is injected anyway);
 *  - IST0123: a namespace with more than one of `istio-injection=enabled`, `istio.io/rev` and
 *    `istio.io/dataplane-mode`;
 *  - IST0103: a pod in a namespace enabled by its label that runs without istio-proxy.
 * System namespaces, the Istio namespace and ambient namespaces (`istio.io/dataplane-mode=ambient`) are
 * not judged. Pods are skipped when they opt out (`sidecar.istio.io/inject`), use the host network, have
 * finished, are not selected by the injector's own rules (policy, never/alwaysInjectSelector), or come
 * from a file and were never admitted (a manifest not yet applied gets its sidecar when it is).
 */
import { DATAPLANE_MODE_LABEL, proxyContainer } from '../../model/injection.js';
import { INJECTION_LABEL, InjectorConfigs, REVISION_LABEL, injectorWouldInject, isFinished, isSystemNamespace, wasAdmitted } from '../lib/injection.js';
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'injection.Analyzer',
  description: 'Checks namespace injection labels and pods missing the Istio proxy',
  inputs: ['Namespace', 'Pod', 'ConfigMap', 'MutatingWebhookConfiguration'],
  codes: ['IST0102', 'IST0103', 'IST0123', 'IST0148'],
};

export function analyze(ctx: AnalysisContext): void {
  const injectors = new InjectorConfigs(ctx);
  const byDefault = asRecord(injectors.values('default')?.['sidecarInjectorWebhook'])['enableNamespacesByDefault'] === true;
  /** Namespace → the revision (or tag) its label injects. */
  const injected = new Map<string, string>();

  for (const ns of ctx.list('Namespace')) {
    if (isSystemNamespace(ns.name, ctx.settings.istioNamespace)) continue;
    const labels = stringRecord(ns.object.metadata.labels);
    const injection = labels[INJECTION_LABEL] ?? '';
    const rev = labels[REVISION_LABEL];
    if (injection === '' && rev === undefined) {
      if (labels[DATAPLANE_MODE_LABEL] === 'ambient') continue;
      if (byDefault) ctx.report('IST0148', ns, {}, { path: ['metadata', 'name'] });
      else ctx.report('IST0102', ns, { namespace: ns.name }, { path: ['metadata', 'name'] });
      continue;
    }
    // As istioctl counts them (checked against it on a live cluster): istio-injection only when
    // `enabled`, istio.io/rev and istio.io/dataplane-mode whatever their value, in this order.
    const mode = labels[DATAPLANE_MODE_LABEL];
    const kinds = [
      ...(injection === 'enabled' ? [`${INJECTION_LABEL}=${injection}`] : []),
      ...(rev !== undefined ? [`${REVISION_LABEL}=${rev}`] : []),
      ...(mode !== undefined ? [`${DATAPLANE_MODE_LABEL}=${mode}`] : []),
    ];
    if (kinds.length > 1) {
      ctx.report('IST0123', ns, { labels: kinds }, { path: ['metadata', 'labels', rev !== undefined ? REVISION_LABEL : DATAPLANE_MODE_LABEL] });
      continue;
    }
    if (rev !== undefined) injected.set(ns.name, rev);
    else if (injection === 'enabled') injected.set(ns.name, 'default');
  }
  if (injected.size === 0) return;

  for (const pod of ctx.list('Pod')) {
    const revision = injected.get(pod.namespace);
    if (revision === undefined || !wasAdmitted(pod) || isFinished(pod)) continue;
    const spec = asRecord(pod.object['spec']);
    if (spec['hostNetwork'] === true || proxyContainer(spec) !== undefined) continue;
    const labels = stringRecord(pod.object.metadata.labels);
    const annotations = stringRecord(pod.object.metadata.annotations);
    if (!injectorWouldInject(labels, annotations, injectors.values(revision))) continue;
    ctx.report('IST0103', pod, { podName: `${pod.namespace}/${pod.name}` });
  }
}
