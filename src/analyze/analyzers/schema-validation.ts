/**
 * IST0106 / IST0133: every Istio object is validated against the same schemas the CRDs that
 * `mesh install` applies carry (src/model/istio), plus what the CRDs cannot say: unknown fields (which
 * the API server would silently drop), duration syntax, unserved versions. Deprecated fields are
 * warnings (IST0133), except the few that deprecation.DeprecationAnalyzer reports as IST0002 (as
 * istioctl does; see lib/deprecations.ts). A few of istiod's own rules come on top, in istioctl's
 * words (lib/istio-validation.ts).
 */
import { validateIstioObject } from '../../model/istio/validate.js';
import { ISTIO_KIND_IDS } from '../kinds.js';
import { reportedAsDeprecated } from '../lib/deprecations.js';
import { istioSemanticIssues } from '../lib/istio-validation.js';
import type { AnalysisContext, AnalyzerMeta, FieldPath } from '../types.js';

export const meta: AnalyzerMeta = {
  name: 'schema.ValidationAnalyzer',
  description: 'Validates every Istio resource against the Istio CRD schemas',
  inputs: ISTIO_KIND_IDS,
  codes: ['IST0106', 'IST0133'],
};

/** `spec.http[0].route` → ['spec', 'http', 0, 'route']. */
export function toFieldPath(path: string): FieldPath {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

export function analyze(ctx: AnalysisContext): void {
  for (const kind of ISTIO_KIND_IDS) {
    for (const r of ctx.list(kind)) {
      for (const issue of validateIstioObject(r.object)) {
        if (issue.level === 'warning' && reportedAsDeprecated(kind, issue.segments)) continue;
        const err = issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
        const options = issue.path === '' ? {} : { path: toFieldPath(issue.path) };
        ctx.report(issue.level === 'error' ? 'IST0106' : 'IST0133', r, { err }, options);
      }
      for (const issue of istioSemanticIssues(kind, r.object)) {
        ctx.report(issue.level === 'error' ? 'IST0106' : 'IST0133', r, { err: issue.message }, issue.path ? { path: issue.path } : {});
      }
    }
  }
}
