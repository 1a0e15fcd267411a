/**
 * IST0144: an application runs as UID 1337, the user ID Istio reserves for the sidecar proxy (its
 * traffic is exempt from redirection, so the application's traffic would bypass the proxy). Checked on
 * Pods and on Deployments' pod templates: the pod-level `securityContext.runAsUser` and each container's
 * (except `istio-proxy` and `istio-operator`). Like istioctl, control-plane objects (labelled `istio`
 * or `release: istio`) are skipped.
 */
import { isIstioControlPlane } from '../lib/control-plane.js';
import type { AnalysisContext, AnalyzerMeta, FieldPath, Resource } from '../types.js';
import { asRecord, numberOrUndefined, recordsIn, stringOrUndefined, stringRecord } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'applicationUID.Analyzer',
  description: 'Checks that applications do not run as UID 1337, which is reserved for the proxy',
  inputs: ['Pod', 'Deployment'],
  codes: ['IST0144'],
};

/** The UID the sidecar proxy runs as. */
export const PROXY_UID = 1337;

const EXEMPT_CONTAINERS: ReadonlySet<string> = new Set(['istio-proxy', 'istio-operator']);

export function analyze(ctx: AnalysisContext): void {
  for (const pod of ctx.list('Pod')) checkPodSpec(ctx, pod, asRecord(pod.object['spec']), ['spec']);
  for (const d of ctx.list('Deployment')) {
    checkPodSpec(ctx, d, asRecord(asRecord(asRecord(d.object['spec'])['template'])['spec']), ['spec', 'template', 'spec']);
  }
}

function checkPodSpec(ctx: AnalysisContext, r: Resource, spec: Readonly<Record<string, unknown>>, at: FieldPath): void {
  if (isIstioControlPlane(stringRecord(r.object.metadata.labels))) return;
  if (numberOrUndefined(asRecord(spec['securityContext'])['runAsUser']) === PROXY_UID) {
    ctx.report('IST0144', r, {}, { path: [...at, 'securityContext', 'runAsUser'] });
  }
  recordsIn(spec['containers']).forEach((c, i) => {
    if (EXEMPT_CONTAINERS.has(stringOrUndefined(c['name']) ?? '')) return;
    if (numberOrUndefined(asRecord(c['securityContext'])['runAsUser']) === PROXY_UID) {
      ctx.report('IST0144', r, {}, { path: [...at, 'containers', i, 'securityContext', 'runAsUser'] });
    }
  });
}
