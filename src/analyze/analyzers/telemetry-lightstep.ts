/**
 * IST0002: a Telemetry's tracing uses a meshConfig extension provider of the deprecated `lightstep`
 * type. Needs the mesh config (from the cluster or --meshConfigFile); without lightstep providers in
 * it there is nothing to report.
 */
import type { AnalysisContext, AnalyzerMeta } from '../types.js';
import { asRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'telemetry.LightstepAnalyzer',
  description: 'Checks that Telemetry tracing does not use a deprecated Lightstep provider',
  inputs: ['Telemetry'],
  codes: ['IST0002'],
};

export function analyze(ctx: AnalysisContext): void {
  const lightstep = new Set<string>();
  for (const p of recordsIn(ctx.settings.meshConfig['extensionProviders'])) {
    const name = stringOrUndefined(p['name']);
    if (name !== undefined && p['lightstep'] !== undefined && p['lightstep'] !== null) lightstep.add(name);
  }
  if (lightstep.size === 0) return;
  for (const t of ctx.list('Telemetry')) {
    recordsIn(asRecord(t.object['spec'])['tracing']).forEach((tracing, i) => {
      recordsIn(tracing['providers']).forEach((p, j) => {
        const name = stringOrUndefined(p['name']);
        if (name === undefined || !lightstep.has(name)) return;
        const detail = `The Lightstep provider ${name} is deprecated, please migrate to OpenTelemetry provider.`;
        ctx.report('IST0002', t, { detail }, { path: ['spec', 'tracing', i, 'providers', j, 'name'] });
      });
    });
  }
}
