/**
 * EnvoyFilter patch operations that istiod ignores or may apply in the wrong order:
 * - IST0152: REPLACE where istiod cannot replace (it can for HTTP_FILTER, NETWORK_FILTER,
 *   LISTENER_FILTER and VIRTUAL_HOST).
 * - IST0153 / IST0154: ADD / REMOVE with applyTo ROUTE_CONFIGURATION, where only MERGE applies.
 *   (istioctl also flags HTTP_ROUTE, but istiod does add and remove routes: no finding there.)
 * - IST0151: a relative operation (INSERT_BEFORE, INSERT_AFTER, and a valid REPLACE or REMOVE) in an
 *   EnvoyFilter without `priority`: it depends on what other EnvoyFilters did before it.
 * - IST0155: the same, when the patch matches on `proxy.proxyVersion`, or another patch that targets
 *   the same filter name does: the order changes when proxies are upgraded. Replaces IST0151.
 */
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, isRecord, numberOrUndefined, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'envoyfilter.EnvoyPatchAnalyzer',
  description: 'Checks EnvoyFilter patch operations for ones istiod ignores or may apply out of order',
  inputs: ['EnvoyFilter'],
  codes: ['IST0151', 'IST0152', 'IST0153', 'IST0154', 'IST0155'],
};

const REPLACEABLE = new Set(['HTTP_FILTER', 'NETWORK_FILTER', 'LISTENER_FILTER', 'VIRTUAL_HOST']);
const MERGE_ONLY = new Set(['ROUTE_CONFIGURATION']);

interface Patch {
  ef: Resource;
  index: number;
  applyTo: string;
  operation: string;
  /** The filter the patch is about: `patch.value.name`, else `match.listener.filterChain.filter.name`. */
  target: string;
  proxyVersion: boolean;
}

export function analyze(ctx: AnalysisContext): void {
  const patches: Patch[] = [];
  /** Filter names that some patch pinned to a proxy version targets. */
  const versionedTargets = new Set<string>();
  for (const ef of ctx.list('EnvoyFilter')) {
    recordsIn(asRecord(ef.object['spec'])['configPatches']).forEach((cp, index) => {
      if (!isRecord(cp['patch'])) return;
      const patch = asRecord(cp['patch']);
      const match = asRecord(cp['match']);
      const target =
        stringOrUndefined(asRecord(patch['value'])['name']) ??
        stringOrUndefined(asRecord(asRecord(asRecord(match['listener'])['filterChain'])['filter'])['name']) ??
        '';
      const proxyVersion = (stringOrUndefined(asRecord(match['proxy'])['proxyVersion']) ?? '') !== '';
      patches.push({
        ef,
        index,
        applyTo: stringOrUndefined(cp['applyTo']) ?? '',
        operation: stringOrUndefined(patch['operation']) ?? '',
        target,
        proxyVersion,
      });
      if (proxyVersion && target !== '') versionedTargets.add(target);
    });
  }

  for (const p of patches) {
    const path = ['spec', 'configPatches', p.index, 'patch', 'operation'];
    let relative = false;
    switch (p.operation) {
      case 'ADD':
        if (MERGE_ONLY.has(p.applyTo)) ctx.report('IST0153', p.ef, {}, { path });
        break;
      case 'REMOVE':
        if (MERGE_ONLY.has(p.applyTo)) ctx.report('IST0154', p.ef, {}, { path });
        else relative = true;
        break;
      case 'REPLACE':
        if (!REPLACEABLE.has(p.applyTo)) ctx.report('IST0152', p.ef, {}, { path });
        else relative = true;
        break;
      case 'INSERT_BEFORE':
      case 'INSERT_AFTER':
        relative = true;
        break;
    }
    if (!relative || (numberOrUndefined(asRecord(p.ef.object['spec'])['priority']) ?? 0) !== 0) continue;
    // As istioctl: IST0151 for every relative patch without a priority, IST0155 as well when a proxy
    // version is involved.
    ctx.report('IST0151', p.ef, {}, { path });
    const versioned = p.proxyVersion || (p.target !== '' && versionedTargets.has(p.target));
    if (versioned) ctx.report('IST0155', p.ef, {}, { path });
  }
}
