/**
 * Deprecated fields that `deprecation.DeprecationAnalyzer` reports as IST0002, as istioctl does. The
 * schema module (src/model/istio) knows these fields are deprecated too; `schema.ValidationAnalyzer`
 * leaves them out of its IST0133 warnings so that each use is reported once, under istioctl's code.
 */
import type { KindId } from '../kinds.js';

/** Per kind, field paths below `spec` in the schema module's notation (`[]` for list items). */
export const REPORTED_AS_IST0002: Readonly<Partial<Record<KindId, readonly string[]>>> = {
  VirtualService: ['http[].fault.delay.percent'],
};

/** `['spec', 'http', 0, 'fault']` → `http[].fault`; undefined for paths outside `spec`. */
export function specPattern(segments: readonly (string | number)[]): string | undefined {
  if (segments[0] !== 'spec') return undefined;
  let out = '';
  for (const s of segments.slice(1)) out += typeof s === 'number' ? '[]' : out === '' ? s : `.${s}`;
  return out;
}

export function reportedAsDeprecated(kind: KindId, segments: readonly (string | number)[]): boolean {
  const pattern = specPattern(segments);
  return pattern !== undefined && (REPORTED_AS_IST0002[kind]?.includes(pattern) ?? false);
}
