/**
 * The injector ConfigMap `istio-sidecar-injector[-<rev>]` that istiod's sidecar injector and its
 * gateway deployment controller read: `config` (policy, selectors, default templates and the
 * templates themselves) and `values` (what `.Values` is inside the templates).
 */
import { emitDocument } from '../yaml.js';
import type { Json, JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';
import type { RenderContext } from '../context.js';
import { GATEWAY_TEMPLATE, SIDECAR_TEMPLATE } from './injection-templates.js';
import type { Labels } from './shared.js';

/** The values the injection templates read (`.Values` inside the templates). */
export function injectorValues(ctx: RenderContext): JsonObject {
  const v = ctx.values;
  const global = v.obj('global');
  const proxy = global['proxy'] as JsonObject;
  proxy['image'] = ctx.image({ valuesPrefix: 'global.proxy', name: 'proxyv2' });
  (global['proxy_init'] as JsonObject)['image'] = ctx.image({ valuesPrefix: 'global.proxy_init', name: 'proxyv2' });
  return {
    global,
    istio_cni: { enabled: v.bool('pilot.cni.enabled'), provider: v.str('pilot.cni.provider', 'default') },
    pilot: { cni: v.obj('pilot.cni') },
    revision: ctx.revision,
    sidecarInjectorWebhook: v.obj('sidecarInjectorWebhook'),
  };
}

export function injectorConfigMap(ctx: RenderContext, ns: string, labels: Labels): KubeObject {
  const v = ctx.values;
  const templates: JsonObject = { sidecar: SIDECAR_TEMPLATE, gateway: GATEWAY_TEMPLATE, ...v.obj('sidecarInjectorWebhook.templates') };
  const config: JsonObject = {
    policy: v.bool('sidecarInjectorWebhook.enableNamespacesByDefault') || v.str('global.proxy.autoInject', 'enabled') === 'enabled' ? 'enabled' : 'disabled',
    alwaysInjectSelector: v.list('sidecarInjectorWebhook.alwaysInjectSelector'),
    neverInjectSelector: v.list('sidecarInjectorWebhook.neverInjectSelector'),
    injectedAnnotations: v.obj('sidecarInjectorWebhook.injectedAnnotations'),
    defaultTemplates: (v.list('sidecarInjectorWebhook.defaultTemplates').length > 0 ? v.list('sidecarInjectorWebhook.defaultTemplates') : ['sidecar']) as Json[],
    template: '{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}',
    templates,
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `istio-sidecar-injector${ctx.revSuffix}`, namespace: ns, labels: labels({ release: 'istio' }) },
    data: {
      config: emitDocument(config),
      values: JSON.stringify(injectorValues(ctx), null, 2),
    },
  };
}

