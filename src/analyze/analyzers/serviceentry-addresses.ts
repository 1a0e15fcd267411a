/**
 * IST0134: a ServiceEntry with a TCP port (or a port without a protocol) has no `addresses`, so its
 * sidecar listener is `0.0.0.0:<port>` and catches every TCP connection on that port. Not reported
 * when addresses are allocated automatically: the ServiceEntry's `status.addresses` holds some (the
 * allocation controller wrote them), or mesh config enables DNS capture together with address
 * auto-allocation (`defaultConfig.proxyMetadata` ISTIO_META_DNS_CAPTURE=true and
 * ISTIO_META_DNS_AUTO_ALLOCATE=true or PILOT_ENABLE_IP_AUTOALLOCATE=true).
 */
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asArray, asRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'serviceentry.Analyzer',
  description: 'Checks that ServiceEntries with TCP ports have addresses unless they are allocated automatically',
  inputs: ['ServiceEntry'],
  codes: ['IST0134'],
};

export function analyze(ctx: AnalysisContext): void {
  if (autoAllocated(ctx.settings.meshConfig)) return;
  for (const se of ctx.list('ServiceEntry')) {
    const spec = asRecord(se.object['spec']);
    if (asArray(spec['addresses']).length > 0) continue;
    if (asArray(asRecord(se.object['status'])['addresses']).length > 0) continue;
    recordsIn(spec['ports']).forEach((port, i) => {
      const protocol = stringOrUndefined(port['protocol']) ?? '';
      if (protocol === '' || protocol.toUpperCase() === 'TCP') ctx.report('IST0134', se, {}, { path: ['spec', 'ports', i] });
    });
  }
}

function autoAllocated(meshConfig: Readonly<Record<string, unknown>>): boolean {
  const md = asRecord(asRecord(meshConfig['defaultConfig'])['proxyMetadata']);
  if (md['ISTIO_META_DNS_CAPTURE'] !== 'true') return false;
  return md['ISTIO_META_DNS_AUTO_ALLOCATE'] === 'true' || md['PILOT_ENABLE_IP_AUTOALLOCATE'] === 'true';
}
