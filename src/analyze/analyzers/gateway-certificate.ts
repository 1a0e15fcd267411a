/**
 * IST0138: two Gateways that apply to the same workloads serve the same certificate — the same
 * `credentialName` (or an entry of `credentialNames`), or the same `serverCertificate` and
 * `privateKey` files. A client that reuses an HTTP/2 connection opened for one Gateway's host to reach
 * the other's (the certificate is valid for both) lands on the wrong filter chain and gets 404s.
 *
 * As in Istio, a Gateway is compared with every other Gateway whose selector includes all of its own
 * labels (an empty selector includes everything); hosts do not matter, namespaces do not either.
 */
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, isRecord, recordsIn, stringOrUndefined, stringRecord, stringsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'gateway.CertificateAnalyzer',
  description: 'Checks that Gateways applying to the same workloads do not serve the same certificate',
  inputs: ['Gateway'],
  codes: ['IST0138'],
};

export function analyze(ctx: AnalysisContext): void {
  const byCertificate = new Map<string, Set<Resource>>();
  const selectors = new Map<Resource, Record<string, string>>();
  for (const gw of ctx.list('Gateway')) {
    const spec = asRecord(gw.object['spec']);
    selectors.set(gw, stringRecord(spec['selector']));
    for (const server of recordsIn(spec['servers'])) {
      if (!isRecord(server['tls'])) continue;
      for (const key of certificateKeys(server['tls'])) {
        const set = byCertificate.get(key);
        if (set) set.add(gw);
        else byCertificate.set(key, new Set([gw]));
      }
    }
  }
  for (const set of byCertificate.values()) {
    if (set.size < 2) continue;
    const sharing = [...set];
    for (const gw of sharing) {
      const own = selectors.get(gw) ?? {};
      for (const other of sharing) {
        if (other === gw || !includes(selectors.get(other) ?? {}, own)) continue;
        ctx.report('IST0138', gw, { gateways: [`${gw.namespace}/${gw.name}`, `${other.namespace}/${other.name}`] }, { path: ['metadata', 'name'] });
      }
    }
  }
}

/** Keys naming the certificate a server's TLS settings serve (none for ISTIO_MUTUAL, PASSTHROUGH, ...). */
function certificateKeys(tls: Readonly<Record<string, unknown>>): string[] {
  const names = [stringOrUndefined(tls['credentialName']) ?? '', ...stringsIn(tls['credentialNames'])].filter((n) => n !== '');
  if (names.length > 0) return names.map((n) => `credential\u0000${n}`);
  const cert = stringOrUndefined(tls['serverCertificate']) ?? '';
  const key = stringOrUndefined(tls['privateKey']) ?? '';
  return cert !== '' && key !== '' ? [`file\u0000${cert}\u0000${key}`] : [];
}

/** Every label of `subset` is in `selector` with the same value. */
function includes(selector: Readonly<Record<string, string>>, subset: Readonly<Record<string, string>>): boolean {
  for (const k in subset) if (selector[k] !== subset[k]) return false;
  return true;
}
