/** The Base component: the Istio CRDs and the cluster-wide reader identity. */
import type { KubeObject } from '../../model/k8s.js';
import { istioCrds } from '../../model/istio/crds.js';
import type { RenderContext } from '../context.js';
import { serviceAccount } from './shared.js';

export function renderBase(ctx: RenderContext): KubeObject[] {
  const base = ctx.component('base');
  if (!base.enabled) return [];
  const out: KubeObject[] = [];
  if (ctx.values.bool('base.enableIstioConfigCRDs', true)) {
    const excluded = new Set(ctx.values.list('base.excludedCRDs').map(String));
    for (const crd of istioCrds()) {
      if (crd.metadata.name !== undefined && excluded.has(crd.metadata.name)) continue;
      // istioCrds() returns fresh objects; only metadata is replaced (no deep copy of the schemas).
      out.push({ ...crd, metadata: { ...crd.metadata, labels: { ...(crd.metadata.labels ?? {}), ...ctx.labels('Base') } } });
    }
  }
  const reader = serviceAccount({ name: 'istio-reader-service-account', namespace: base.namespace, labels: ctx.labels('Base', { app: 'istio-reader' }) });
  const pullSecrets = ctx.values.list('global.imagePullSecrets');
  const v = ctx.values;
  const scope = v.str('global.resourceScope', 'all');
  if ((scope === 'all' || scope === 'namespace') && v.get('global.enableReaderRBAC') !== false && v.str('global.readerServiceAccount.name') === '') {
    out.push(pullSecrets.length > 0 ? { ...reader, imagePullSecrets: pullSecrets.map((name) => ({ name })) } : reader);
  }
  return out;
}
