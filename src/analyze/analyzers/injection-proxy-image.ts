/**
 * IST0158 (istioctl's injection.ImageAnalyzer): pods whose istio-proxy image is not the one the injector
 * of their revision injects today — typically pods started before a control-plane upgrade. One finding
 * per namespace, naming the pods.
 *
 * Only namespaces enabled by a label (`istio-injection=enabled`, or `istio.io/rev` naming a revision or
 * a tag) are judged; the injector is the `istio-sidecar-injector[-<rev>]` ConfigMap in the Istio
 * namespace, and its image comes from its `values` (global.hub, global.proxy.image, global.tag). The
 * comparison is shared with `mesh restart --outdated` (src/model/injection.ts) and does not count as a
 * mismatch: a `-distroless`/`-debug` (or global.variant) tag suffix, the same repository and tag from
 * another registry host, or the same digest. Pods with `sidecar.istio.io/proxyImage`, opted-out pods,
 * finished pods, system namespaces (kube-system, kube-public, kube-node-lease, local-path-storage) and
 * revisions without a readable injector ConfigMap are skipped.
 */
import { type InjectorImage, imageMatches, injectorImage, proxyContainer, targetRevision } from '../../model/injection.js';
import { INJECTION_LABEL, InjectorConfigs, REVISION_LABEL, SYSTEM_NAMESPACES, TRUTHY, injectSetting, isFinished } from '../lib/injection.js';
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'injection.ImageAnalyzer',
  description: "Checks that running istio-proxy images match the image of their revision's injector",
  inputs: ['Namespace', 'Pod', 'ConfigMap', 'MutatingWebhookConfiguration'],
  codes: ['IST0158'],
};

export function analyze(ctx: AnalysisContext): void {
  const injectors = new InjectorConfigs(ctx);
  const namespaces = new Map<string, { ns: Resource; labels: Record<string, string> }>();
  for (const ns of ctx.list('Namespace')) {
    if (SYSTEM_NAMESPACES.has(ns.name)) continue;
    const labels = stringRecord(ns.object.metadata.labels);
    if (labels[INJECTION_LABEL] === 'enabled' || (labels[REVISION_LABEL] ?? '') !== '') namespaces.set(ns.name, { ns, labels });
  }
  if (namespaces.size === 0) return;

  const images = new Map<string, InjectorImage | undefined>();
  const expectedImage = (revision: string): InjectorImage | undefined => {
    if (!images.has(revision)) {
      const cm = injectors.configMap(revision);
      images.set(revision, cm ? injectorImage(cm.object) : undefined);
    }
    return images.get(revision);
  };

  const mismatched = new Map<string, string[]>();
  for (const pod of ctx.list('Pod')) {
    const ns = namespaces.get(pod.namespace);
    if (!ns || isFinished(pod)) continue;
    if ((pod.object.metadata.annotations?.['sidecar.istio.io/proxyImage'] ?? '') !== '') continue;
    const proxy = proxyContainer(pod.object['spec']);
    if (!proxy) continue;
    const labels = stringRecord(pod.object.metadata.labels);
    const setting = injectSetting(labels, stringRecord(pod.object.metadata.annotations));
    if (setting !== undefined && setting !== '' && !TRUTHY.includes(setting.toLowerCase())) continue;
    const revision = targetRevision(ns.labels, labels, injectors.tags);
    if (revision === undefined) continue;
    const expected = expectedImage(revision);
    if (!expected || imageMatches(proxy.image, expected)) continue;
    const list = mismatched.get(pod.namespace);
    if (list) list.push(pod.name);
    else mismatched.set(pod.namespace, [pod.name]);
  }
  for (const [name, pods] of mismatched) {
    const ns = namespaces.get(name);
    if (ns) ctx.report('IST0158', ns.ns, { podNames: pods.sort() }, { path: ['metadata', 'name'] });
  }
}
