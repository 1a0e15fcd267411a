/**
 * IST0128 / IST0129: a DestinationRule originates TLS (SIMPLE or MUTUAL) but sets no caCertificates,
 * so the server's certificate is not verified — at the DestinationRule level or for one port.
 * Not reported when the certificate comes from credentialName, or verification is explicitly off
 * (insecureSkipVerify: true).
 */
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'destinationrule.CaCertificateAnalyzer',
  description: 'Checks that DestinationRules originating TLS set caCertificates to verify the server',
  inputs: ['DestinationRule'],
  codes: ['IST0128', 'IST0129'],
};

function unverified(tls: unknown): string | undefined {
  const t = asRecord(tls);
  const mode = stringOrUndefined(t['mode']);
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL') return undefined;
  if ((stringOrUndefined(t['caCertificates']) ?? '') !== '' || (stringOrUndefined(t['credentialName']) ?? '') !== '' || t['insecureSkipVerify'] === true)
    return undefined;
  return mode;
}

export function analyze(ctx: AnalysisContext): void {
  for (const dr of ctx.list('DestinationRule')) {
    const spec = asRecord(dr.object['spec']);
    const host = stringOrUndefined(spec['host']) ?? '';
    const policy = asRecord(spec['trafficPolicy']);
    const mode = unverified(policy['tls']);
    if (mode !== undefined) {
      ctx.report(
        'IST0128',
        dr,
        { destinationrule: `${dr.namespace}/${dr.name}`, namespace: dr.namespace, mode, host },
        { path: ['spec', 'trafficPolicy', 'tls', 'mode'] },
      );
    }
    recordsIn(policy['portLevelSettings']).forEach((pls, i) => {
      const m = unverified(pls['tls']);
      if (m === undefined) return;
      const port = asRecord(pls['port'])['number'];
      ctx.report(
        'IST0129',
        dr,
        { destinationrule: `${dr.namespace}/${dr.name}`, namespace: dr.namespace, mode: m, host, port: String(port ?? '') },
        { path: ['spec', 'trafficPolicy', 'portLevelSettings', i, 'tls', 'mode'] },
      );
    });
  }
}
