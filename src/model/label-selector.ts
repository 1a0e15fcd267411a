/**
 * Kubernetes label selectors (metav1.LabelSelector: matchLabels and matchExpressions), matched the way
 * the API server matches them. Shared by analysis (webhook and injector selectors) and rollout-restart
 * (PodDisruptionBudget selectors).
 */

import { asRecord, isRecord, stringsIn } from '../util/narrow.js';

/**
 * True when `selector` selects `labels`. An absent or empty selector selects everything (the webhook
 * default). A selector the API server would reject (an unknown operator, In/NotIn without values)
 * selects nothing.
 */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isRecord(selector)) return false;
  const matchLabels = asRecord(selector['matchLabels']);
  for (const [k, v] of Object.entries(matchLabels)) if (typeof v !== 'string' || labels[k] !== v) return false;
  for (const e of Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'] : []) {
    const x = asRecord(e);
    const key = typeof x['key'] === 'string' ? x['key'] : '';
    const values = stringsIn(x['values']);
    const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
    switch (x['operator']) {
      case 'In':
        if (values.length === 0 || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (values.length === 0 || (value !== undefined && values.includes(value))) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * The API's string form of a LabelSelector (for `labelSelector=` in list and watch requests):
 * matchLabels as `k=v`, then matchExpressions as `k in (a,b)`, `k notin (a)`, `k`, `!k`, joined by
 * commas. An absent or empty selector gives '' (everything). Expressions the API server would have
 * rejected (an unknown operator, In/NotIn without values) cannot appear on a stored workload and are
 * left out. `sortLabels` puts matchLabels in key order (how Kubernetes prints a label set, and istioctl
 * in its messages); otherwise they keep the object's order.
 */
export function labelSelectorString(selector: unknown, options: { sortLabels?: boolean } = {}): string {
  if (!isRecord(selector)) return '';
  const parts: string[] = [];
  const matchLabels = Object.entries(asRecord(selector['matchLabels']));
  if (options.sortLabels === true) matchLabels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of matchLabels) if (typeof v === 'string') parts.push(`${k}=${v}`);
  for (const e of Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'] : []) {
    const x = asRecord(e);
    const key = typeof x['key'] === 'string' ? x['key'] : '';
    if (key === '') continue;
    const values = stringsIn(x['values']);
    switch (x['operator']) {
      case 'In':
        if (values.length > 0) parts.push(`${key} in (${values.join(',')})`);
        break;
      case 'NotIn':
        if (values.length > 0) parts.push(`${key} notin (${values.join(',')})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
    }
  }
  return parts.join(',');
}

const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const KEY = new RegExp(`^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?${NAME}$`);
const VALUE = new RegExp(`^(?:${NAME})?$`);

/**
 * Why a label selector string (kubectl's -l syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`,
 * `a notin (x)`, `a>1`, `a<1`, comma-separated) is not one, or undefined when it is. Pure, so a bad
 * -l is a usage error before any request.
 */
export function labelSelectorSyntaxError(selector: string): string | undefined {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) return 'unbalanced ")"';
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) return 'unbalanced "("';
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '') return 'an empty requirement (two commas, or a comma at an end)';
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=<>(),]+)\s+(in|notin)\s+\((.*)\)$/.exec(p))) {
      if (!KEY.test(m[1]!)) return `"${m[1]}" is not a label key`;
      const values = m[3]!.split(',').map((v) => v.trim());
      const bad = values.find((v) => !VALUE.test(v));
      if (bad !== undefined) return `"${bad}" is not a label value`;
      continue;
    }
    if ((m = /^!\s*([^\s!=<>(),]+)$/.exec(p)) || (m = /^([^\s!=<>(),]+)$/.exec(p))) {
      if (!KEY.test(m[1]!)) return `"${m[1]}" is not a label key`;
      continue;
    }
    if ((m = /^([^\s!=<>(),]+)\s*(==|=|!=)\s*([^\s!=<>(),]*)$/.exec(p))) {
      if (!KEY.test(m[1]!)) return `"${m[1]}" is not a label key`;
      if (!VALUE.test(m[3]!)) return `"${m[3]}" is not a label value`;
      continue;
    }
    if ((m = /^([^\s!=<>(),]+)\s*(<|>)\s*(-?\d+)$/.exec(p))) {
      if (!KEY.test(m[1]!)) return `"${m[1]}" is not a label key`;
      continue;
    }
    return `"${p}" is not a requirement (use key=value, key!=value, key, !key, key in (a,b) or key notin (a,b))`;
  }
  return undefined;
}

/**
 * True when `labels` satisfy a label selector string (kubectl's -l syntax, as labelSelectorSyntaxError
 * accepts it), matched as the API server matches `labelSelector=`: `k=v`/`k==v` (k present with v),
 * `k!=v` (k absent or another value), `k`, `!k`, `k in (a,b)`, `k notin (a,b)` (true when k is absent),
 * `k>n`/`k<n` (k an integer greater/less than n). '' selects everything. For objects mesh matches itself
 * (a Namespace from a file) the way the server matched those it listed.
 */
export function labelsMatchSelectorString(labels: Readonly<Record<string, string>>, selector: string): boolean {
  const has = (k: string): boolean => Object.hasOwn(labels, k);
  // Split on commas outside parentheses, so `k in (a,b)` stays one term.
  const terms = (selector.match(/(?:[^,(]|\([^)]*\))+/g) ?? []).map((t) => t.trim()).filter((t) => t !== '');
  return terms.every((t) => {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s+(in|notin)\s+\((.*)\)$/.exec(t))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const inSet = has(m[1]!) && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? inSet : !inSet;
    }
    if ((m = /^([^\s!=<>]+)\s*!=\s*(\S*)$/.exec(t))) return !has(m[1]!) || labels[m[1]!] !== m[2];
    if ((m = /^([^\s!=<>]+)\s*==?\s*(\S*)$/.exec(t))) return has(m[1]!) && labels[m[1]!] === m[2];
    if ((m = /^([^\s!=<>]+)\s*([<>])\s*(-?\d+)$/.exec(t))) {
      const v = has(m[1]!) && /^-?\d+$/.test(labels[m[1]!]!) ? Number(labels[m[1]!]) : undefined;
      if (v === undefined) return false;
      return m[2] === '>' ? v > Number(m[3]) : v < Number(m[3]);
    }
    if ((m = /^!\s*(\S+)$/.exec(t))) return !has(m[1]!);
    return has(t);
  });
}
