/**
 * IST0176: a Gateway API CRD is older than the version this Istio requires for it, read from the CRD's
 * `gateway.networking.k8s.io/bundle-version` annotation. istiod does not watch such a CRD, so its
 * resources are ignored (e.g. TLSRoutes from a v1.4 bundle never attach to their Gateways).
 * Versions are read loosely (`v1.4.0`, `1.4`, pre-releases) and compared without their pre-release,
 * so `v1.5.0-rc.1` meets a 1.5.0 minimum. CRDs without the annotation, or with a version that does not
 * parse, are not judged.
 */
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'k8sgateway.CRDVersionAnalyzer',
  description: 'Checks Gateway API CRDs are at the minimum bundle version this Istio requires',
  inputs: ['CustomResourceDefinition'],
  codes: ['IST0176'],
};

export const BUNDLE_VERSION_ANNOTATION = 'gateway.networking.k8s.io/bundle-version';

/** Minimum bundle version per CRD (Istio 1.31, pkg/config/schema/gatewayapi). */
export const MINIMUM_CRD_VERSIONS: Readonly<Record<string, readonly [number, number, number]>> = {
  'backendtlspolicies.gateway.networking.k8s.io': [1, 4, 0],
  'grpcroutes.gateway.networking.k8s.io': [1, 1, 0],
  'tlsroutes.gateway.networking.k8s.io': [1, 5, 0],
};

interface Version {
  core: [number, number, number];
  text: string;
}

export function analyze(ctx: AnalysisContext): void {
  for (const crd of ctx.list('CustomResourceDefinition')) {
    const minimum = MINIMUM_CRD_VERSIONS[crd.name];
    if (!minimum) continue;
    const written = stringOrUndefined(crd.object.metadata.annotations?.[BUNDLE_VERSION_ANNOTATION]);
    if (written === undefined) continue;
    const installed = parseVersion(written);
    if (!installed || compare(installed.core, minimum) >= 0) continue;
    ctx.report(
      'IST0176',
      crd,
      { crd: crd.name, version: installed.text, minimumVersion: minimum.join('.') },
      { path: ['metadata', 'annotations', BUNDLE_VERSION_ANNOTATION] },
    );
  }
}

/** A semantic version, leniently: optional `v`, minor and patch default to 0. */
export function parseVersion(s: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/.exec(s.trim());
  if (!m) return undefined;
  const core: [number, number, number] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  const text = `${core.join('.')}${m[4] !== undefined ? `-${m[4]}` : ''}${m[5] !== undefined ? `+${m[5]}` : ''}`;
  return { core, text };
}

function compare(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
