/**
 * IST0130 / IST0131: rules and matches of a VirtualService that can never apply. Routes are tried in
 * order: a second rule without any match can never be reached (only the last rule may be a catch-all),
 * a match identical to one of an earlier rule never applies (IST0131), and a rule all of whose matches
 * repeat earlier ones is unreachable (IST0130). Matches are compared ignoring their `name`.
 */
import type { AnalysisContext, AnalyzerMeta, Resource } from '../types.js';
import { asRecord, isRecord, recordsIn, stringOrUndefined } from '../../util/narrow.js';

export const meta: AnalyzerMeta = {
  name: 'virtualservice.UnreachableRulesAnalyzer',
  description: 'Checks VirtualService rules and matches that can never apply',
  inputs: ['VirtualService'],
  codes: ['IST0130', 'IST0131'],
};

/** A canonical text of a value: object keys sorted, so equal matches compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .filter((k) => k !== 'name')
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function label(o: Readonly<Record<string, unknown>>, index: number): string {
  const name = stringOrUndefined(o['name']);
  return name !== undefined && name !== '' ? `"${name}"` : `#${index}`;
}

function check(ctx: AnalysisContext, vs: Resource, section: 'http' | 'tcp' | 'tls'): void {
  const rules = recordsIn(asRecord(vs.object['spec'])[section]);
  const seen = new Map<string, number>();
  let catchAll = -1;
  rules.forEach((rule, i) => {
    const matches = Array.isArray(rule['match']) ? (rule['match'] as unknown[]) : [];
    const path = ['spec', section, i];
    if (matches.length === 0) {
      if (catchAll >= 0) ctx.report('IST0130', vs, { ruleno: label(rule, i), reason: 'only the last rule can have no matches' }, { path });
      catchAll = i;
      return;
    }
    let duplicates = 0;
    matches.forEach((m, j) => {
      const key = canonical(m);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        duplicates++;
        ctx.report(
          'IST0131',
          vs,
          { ruleno: label(rule, i), matchno: label(asRecord(m), j), dupno: label(rules[earlier]!, earlier) },
          { path: [...path, 'match', j] },
        );
      } else {
        seen.set(key, i);
      }
    });
    if (duplicates === matches.length) ctx.report('IST0130', vs, { ruleno: label(rule, i), reason: 'all matches used by prior rules' }, { path });
  });
}

export function analyze(ctx: AnalysisContext): void {
  for (const vs of ctx.list('VirtualService')) for (const section of ['http', 'tcp', 'tls'] as const) check(ctx, vs, section);
}
