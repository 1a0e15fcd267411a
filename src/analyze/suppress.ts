/**
 * Suppressions: `--suppress "CODE=Kind ns/name"` (globs with `*` on either side of `=`, repeatable)
 * and the `galley.istio.io/analyze-suppress` annotation (comma-separated codes, or `*`).
 */
import { messageType } from './messages.js';
import type { Message, Resource } from './types.js';

export const SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

export interface Suppression {
  /** As the user wrote it. */
  text: string;
  code: string;
  resource: string;
  matches(m: Message): boolean;
}

export class SuppressionSyntaxError extends Error {}

/** Parses one `--suppress` value. Throws SuppressionSyntaxError when it is not `CODE=RESOURCE`. */
export function parseSuppression(text: string): Suppression {
  const eq = text.indexOf('=');
  const code = eq < 0 ? '' : text.slice(0, eq).trim();
  const resource = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (code === '' || resource === '') {
    throw new SuppressionSyntaxError(`"${text}" is not CODE=RESOURCE (e.g. "IST0101=VirtualService default/reviews", "IST0118=Service kube-system/*")`);
  }
  const codeRe = glob(code.toUpperCase());
  const resourceRe = glob(resource);
  return {
    text,
    code,
    resource,
    matches: (m) => codeRe.test(m.code) && resourceRe.test(friendly(m)),
  };
}

/** Codes in a suppression that name no catalog entry (worth a warning: probably a typo). */
export function unknownSuppressionCode(s: Suppression): boolean {
  return !s.code.includes('*') && messageType(s.code.toUpperCase()) === undefined;
}

function friendly(m: Message): string {
  const r = m.resource;
  return r.namespace === '' ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

function glob(pattern: string): RegExp {
  const re = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`);
}

export function suppressedByAnnotation(resource: Resource, code: string): boolean {
  const v = resource.object.metadata?.annotations?.[SUPPRESS_ANNOTATION];
  if (typeof v !== 'string' || v === '') return false;
  return v.split(',').some((c) => {
    const t = c.trim();
    return t === '*' || t.toUpperCase() === code;
  });
}
