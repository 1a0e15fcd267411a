/**
 * Install components: names (the values of the `operator.istio.io/component` label), how they are
 * shown, and the order they go in. Facts follow istioctl: Base → {Pilot, Cni}; Pilot → {Ingress,
 * Egress}; Cni → Ztunnel.
 */
import type { KubeObject } from '../model/k8s.js';

export const COMPONENTS = ['Base', 'Pilot', 'Cni', 'IngressGateways', 'EgressGateways', 'Ztunnel'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export const COMPONENT_LABEL = 'operator.istio.io/component';

const DISPLAY: Record<ComponentName, { name: string; icon: string }> = {
  Base: { name: 'Istio core', icon: '⛵️' },
  Pilot: { name: 'Istiod', icon: '🧠' },
  Cni: { name: 'CNI', icon: '🪢' },
  IngressGateways: { name: 'Ingress gateways', icon: '🛬' },
  EgressGateways: { name: 'Egress gateways', icon: '🛫' },
  Ztunnel: { name: 'Ztunnel', icon: '🔒' },
};

/** Components that must be applied and ready before this one starts. */
export const DEPENDS_ON: Record<ComponentName, readonly ComponentName[]> = {
  Base: [],
  Pilot: ['Base'],
  Cni: ['Base'],
  IngressGateways: ['Pilot'],
  EgressGateways: ['Pilot'],
  Ztunnel: ['Cni'],
};

export function displayName(c: ComponentName): string {
  return DISPLAY[c].name;
}

export function icon(c: ComponentName): string {
  return DISPLAY[c].icon;
}

export function isComponent(s: string): s is ComponentName {
  return (COMPONENTS as readonly string[]).includes(s);
}

/** The component an object belongs to, from its label; objects without one count as Base. */
export function componentOf(obj: KubeObject): ComponentName {
  const c = obj.metadata.labels?.[COMPONENT_LABEL];
  return c !== undefined && isComponent(c) ? c : 'Base';
}

/** Objects grouped by component, in COMPONENTS order, keeping each group's input order. */
export function groupByComponent(objects: readonly KubeObject[]): Map<ComponentName, KubeObject[]> {
  const groups = new Map<ComponentName, KubeObject[]>();
  for (const c of COMPONENTS) groups.set(c, []);
  for (const o of objects) groups.get(componentOf(o))!.push(o);
  for (const c of COMPONENTS) if (groups.get(c)!.length === 0) groups.delete(c);
  return groups;
}

/**
 * Runs one task per component as soon as the components it depends on (among those present) have
 * succeeded. Independent components run in parallel. A component whose dependency failed is not run;
 * its outcome is `skipped` naming the failed dependency.
 */
export async function runInDependencyOrder<T>(
  components: readonly ComponentName[],
  task: (c: ComponentName) => Promise<T>,
): Promise<Map<ComponentName, Outcome<T>>> {
  const present = new Set(components);
  const outcomes = new Map<ComponentName, Outcome<T>>();
  const running = new Map<ComponentName, Promise<Outcome<T>>>();
  const start = (c: ComponentName): Promise<Outcome<T>> => {
    let p = running.get(c);
    if (p) return p;
    p = (async (): Promise<Outcome<T>> => {
      const deps = transitiveDeps(c).filter((d) => present.has(d));
      const depOutcomes = await Promise.all(deps.map((d) => start(d).then((o) => [d, o] as const)));
      const failed = depOutcomes.find(([, o]) => o.status !== 'ok');
      if (failed) return { status: 'skipped', because: failed[0] };
      try {
        return { status: 'ok', value: await task(c) };
      } catch (error) {
        return { status: 'failed', error };
      }
    })();
    running.set(c, p);
    return p;
  };
  const ordered = COMPONENTS.filter((c) => present.has(c));
  const results = await Promise.all(ordered.map((c) => start(c)));
  ordered.forEach((c, i) => outcomes.set(c, results[i]!));
  return outcomes;
}

/** Dependencies, skipping over components that are absent (Ztunnel without Cni still waits for Base). */
function transitiveDeps(c: ComponentName): ComponentName[] {
  const out = new Set<ComponentName>();
  const visit = (x: ComponentName): void => {
    for (const d of DEPENDS_ON[x]) {
      out.add(d);
      visit(d);
    }
  };
  visit(c);
  return [...out];
}

export type Outcome<T> = { status: 'ok'; value: T } | { status: 'failed'; error: unknown } | { status: 'skipped'; because: ComponentName };
