/** Kubernetes label selectors (metav1.LabelSelector: matchLabels and matchExpressions), as the API server matches them. */
import { arr, isObj, labelsOf, obj, str, strs } from './data.js';

/**
 * True when `selector` selects `labels`. An absent selector selects everything (the webhook default);
 * so does an empty one. A selector the API server would reject (an unknown operator, In without values)
 * selects nothing.
 */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isObj(selector)) return false;
  const matchLabels = labelsOf(selector['matchLabels']);
  for (const k in matchLabels) if (labels[k] !== matchLabels[k]) return false;
  for (const e of arr(selector['matchExpressions'])) {
    const x = obj(e);
    const key = str(x['key']) ?? '';
    const values = strs(x['values']);
    const has = Object.hasOwn(labels, key);
    switch (str(x['operator'])) {
      case 'In':
        if (values.length === 0 || !has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (values.length === 0 || (has && values.includes(labels[key]!))) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
