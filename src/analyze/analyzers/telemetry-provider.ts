/**
 * IST0157: a Telemetry `accessLogging` entry names no provider while meshConfig has no
 * `defaultProviders.accessLogging` to fall back on, so the entry is ignored. Entries that only
 * disable logging (`disabled: true`) need no provider.
 */
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asArray, asRecord, recordsIn } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'telemetry.ProviderAnalyzer',
  description: 'Checks that Telemetry access logging has a provider, or that meshConfig sets a default one',
  inputs: ['Telemetry'],
  codes: ['IST0157'],
};

export function analyze(ctx: AnalysisContext): void {
  const defaults = asRecord(ctx.settings.meshConfig['defaultProviders']);
  if (asArray(defaults['accessLogging']).length > 0) return;
  for (const t of ctx.list('Telemetry')) {
    recordsIn(asRecord(t.object['spec'])['accessLogging']).forEach((entry, i) => {
      if (entry['disabled'] === true) return;
      if (asArray(entry['providers']).length > 0) return;
      ctx.report('IST0157', t, { name: t.name, namespace: t.namespace }, { path: ['spec', 'accessLogging', i] });
    });
  }
}
