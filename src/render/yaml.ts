/** Rendered objects as a multi-document YAML stream (deterministic: keys keep insertion order). */
import { stringify } from 'yaml';
import type { KubeObject } from '../model/k8s.js';

export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
