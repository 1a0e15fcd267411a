/**
 * Turning a parsed YAML document from a user's file into plain data, safely: aliases are expanded
 * only up to a bound (a "billion laughs" document is refused, not expanded), and every way the
 * conversion can fail (an alias to no anchor, a `<<` merge of a non-map, nesting too deep for the
 * stack) becomes one short line the caller reports against its file, instead of an exception.
 */
import type { Document, ToJSOptions } from 'yaml';
import { excerpt } from './errors.js';

/** The most alias expansions one document may need (the `yaml` library's maxAliasCount). */
export const YAML_ALIAS_LIMIT = 1000;

export type ToJsResult = { ok: true; value: unknown } | { ok: false; message: string };

export function documentToJs(doc: Document.Parsed | Document, options: ToJSOptions = {}): ToJsResult {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: YAML_ALIAS_LIMIT, ...options }) as unknown };
  } catch (err) {
    return { ok: false, message: yamlFailure(err) };
  }
}

/** One line for an exception thrown while reading YAML. */
export function yamlFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError) return 'the YAML is nested too deeply (or its aliases and merge keys refer to themselves)';
  if (message.startsWith('Excessive alias count')) {
    return `the YAML's aliases expand to too many nodes (more than ${YAML_ALIAS_LIMIT} alias expansions); refused, as a YAML bomb ("billion laughs") would be`;
  }
  const unresolved = /^Unresolved alias \(the anchor must be set before the alias\): (.*)$/s.exec(message);
  if (unresolved) return `the alias *${excerpt(unresolved[1] ?? '', 40)} refers to no anchor (&name) before it`;
  return excerpt(message.split('\n')[0] ?? '', 200);
}
