import { readFileSync, readdirSync } from 'node:fs';
import { type RenderInput, type RenderResult, render } from '../../../src/render/index.js';
import type { KubeObject } from '../../../src/model/k8s.js';

export const PROFILES: Record<string, string> = Object.fromEntries(
  readdirSync('profiles')
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => [f.slice(0, -5), readFileSync(`profiles/${f}`, 'utf8')]),
);

export function r(input: Omit<RenderInput, 'profiles'> = {}): RenderResult {
  return render({ profiles: PROFILES, ...input });
}

export function find(res: RenderResult, kind: string, name: string): KubeObject {
  const o = res.objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in: ${res.objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

export function names(res: RenderResult, kind: string): string[] {
  return res.objects.filter((x) => x.kind === kind).map((x) => x.metadata.name ?? '');
}

/** Dig into a plain object by keys/indexes; throws with the path when something is missing. */
export function dig(o: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = o;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') throw new Error(`missing ${path.join('.')} at ${String(k)}`);
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

export type Container = {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
  ports?: { containerPort: number; name?: string }[];
  resources?: unknown;
};
export function container(o: KubeObject, name: string): Container {
  const cs = dig(o, 'spec', 'template', 'spec', 'containers') as Container[];
  const c = cs.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}
