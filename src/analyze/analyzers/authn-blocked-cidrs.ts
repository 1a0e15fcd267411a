/**
 * IST0175 (istioctl's authn.BlockedCIDRsAnalyzer): RequestAuthentications make istiod fetch JWKS from
 * addresses they name, but istiod (a Deployment labelled app=istiod) has no BLOCKED_CIDRS_IN_JWKS_URIS
 * to keep those fetches off private ranges.
 *
 * Only RequestAuthentications with a JWT rule that makes istiod fetch count: one without inline `jwks`
 * (istiod then fetches `jwksUri`, or discovers it from the issuer). The variable counts as set when it
 * has a value or a valueFrom; a container with envFrom may set it out of view, so it is not judged.
 */
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asArray, asRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'authn.BlockedCIDRsAnalyzer',
  description: 'Checks that istiod restricts jwksUri fetches (BLOCKED_CIDRS_IN_JWKS_URIS) when RequestAuthentications exist',
  inputs: ['RequestAuthentication', 'Deployment'],
  codes: ['IST0175'],
};

const ENV = 'BLOCKED_CIDRS_IN_JWKS_URIS';

export function analyze(ctx: AnalysisContext): void {
  const all = ctx.list('RequestAuthentication');
  const fetches = all.some((ra) => recordsIn(asRecord(ra.object['spec'])['jwtRules']).some((rule) => (stringOrUndefined(rule['jwks']) ?? '') === ''));
  if (!fetches) return;
  const names = all.map((ra) => `${ra.namespace}/${ra.name}`).join(', ');
  for (const d of ctx.list('Deployment')) {
    if (d.object.metadata.labels?.['app'] !== 'istiod') continue;
    const containers = recordsIn(asRecord(asRecord(asRecord(d.object['spec'])['template'])['spec'])['containers']);
    const covered = containers.some(
      (c) =>
        asArray(c['envFrom']).length > 0 ||
        recordsIn(c['env']).some((e) => e['name'] === ENV && ((stringOrUndefined(e['value']) ?? '') !== '' || e['valueFrom'] !== undefined)),
    );
    if (covered) continue;
    const discovery = containers.findIndex((c) => c['name'] === 'discovery');
    ctx.report('IST0175', d, { count: all.length, names }, { path: ['spec', 'template', 'spec', 'containers', Math.max(discovery, 0)] });
  }
}
