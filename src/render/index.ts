/**
 * The render engine: install profile + `-f` overlays + `--set` → the ordered Kubernetes objects of
 * an Istio control plane. Pure and synchronous: callers read files and stdin and pass text in.
 * `manifest generate`, `install --dry-run` and `install` all call `render()`.
 */
import { InputError } from '../errors.js';
import { type ComponentName, type IstioOperator, LABELS } from '../model/install.js';
import { parsePath } from './path.js';
import type { KubeObject } from '../model/k8s.js';
import { renderBase } from './components/base.js';
import { CNI_NAME, renderCni } from './components/cni.js';
import { renderGateway } from './components/gateway.js';
import { renderPilot } from './components/pilot.js';
import { renderZtunnel } from './components/ztunnel.js';
import { type RenderContext, buildContext } from './context.js';
import { applyK8s } from './k8s-settings.js';
import { sortForApply } from './order.js';
import { type RenderInput, composeSpec } from './spec.js';

export type { RenderInput, SourceText } from './spec.js';
export { composeSpec, parseIstioOperator, validateIstioOperator } from './spec.js';
export { sortForApply, kindRank } from './order.js';
export { toYaml } from './yaml.js';
export { parsePath, formatPath, typedValue } from './path.js';
export { COMPONENT_NAMES, type ComponentName, LABELS } from '../model/install.js';

export interface ComponentRender {
  component: ComponentName;
  /** Objects of this component, in apply order. */
  objects: KubeObject[];
}

export interface RenderResult {
  /** Every object, in apply order: CRDs, namespaces, RBAC, config, workloads, services, webhooks. */
  objects: KubeObject[];
  /** Enabled components in install order (Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel). */
  components: ComponentRender[];
  /** Namespace objects for the namespaces the install uses (not part of any component). */
  namespaces: KubeObject[];
  /** The merged, validated IstioOperator. */
  iop: IstioOperator;
  profile: string;
  /** '' for the default revision. */
  revision: string;
  /** The control-plane namespace. */
  namespace: string;
  /** Non-fatal notes, e.g. replicaCount ignored while autoscaling is on. */
  warnings: string[];
}

const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'default']);

export function render(input: RenderInput): RenderResult {
  const composed = composeSpec(input);
  try {
    return renderComposed(composed.iop, composed.profile);
  } catch (err) {
    // A k8s overlay that does not apply names its path; say which -f file or --set wrote it.
    const m = err instanceof InputError ? /^(components\.\S*?\.k8s\.overlays\[\d+\])(\S*?)(?: \(([^)]*)\))?: (.*)$/s.exec(err.message) : null;
    if (m === null) throw err;
    let segments;
    try {
      segments = parsePath(m[1]!);
    } catch {
      throw err;
    }
    const blamed = composed.blame(segments, m[4]!, `${m[1]}${m[2]}${m[3] !== undefined ? ` (${m[3]})` : ''}`);
    throw blamed.message.startsWith(m[1]!) ? err : blamed;
  }
}

function renderComposed(iop: IstioOperator, profile: string): RenderResult {
  const ctx = buildContext(iop, profile);
  const warnings: string[] = [];
  if (iop.spec?.installPackagePath !== undefined) {
    warnings.push('spec.installPackagePath is ignored: mesh renders from its own built-in component definitions, not from chart directories');
  }
  const parts: ComponentRender[] = [];
  const add = (component: ComponentName, objects: KubeObject[]): void => {
    if (objects.length > 0) parts.push({ component, objects });
  };

  add('Base', withK8s(renderBase(ctx), ctx, 'base'));
  add('Pilot', withK8s(renderPilot(ctx), ctx, 'pilot'));
  for (const kind of ['ingress', 'egress'] as const) {
    const objects: KubeObject[] = [];
    ctx.gateways
      .filter((g) => g.kind === kind)
      .forEach((gw) => {
        const rendered = renderGateway(ctx, gw);
        const list = kind === 'ingress' ? 'ingressGateways' : 'egressGateways';
        const index = (iop.spec?.components?.[list] ?? []).indexOf(gw.spec);
        applyK8s(rendered, gw.spec.k8s, {
          where: `components.${list}[${index}].k8s`,
          workloadKind: 'Deployment',
          name: gw.name,
          namespace: gw.namespace,
          container: 'istio-proxy',
        });
        scalingWarning(warnings, `components.${list}[${index}]`, gw.spec.k8s?.replicaCount, gw.values.bool('autoscaleEnabled', true));
        objects.push(...rendered);
      });
    add(kind === 'ingress' ? 'IngressGateways' : 'EgressGateways', objects);
  }
  add('Cni', withK8s(renderCni(ctx), ctx, 'cni'));
  add('Ztunnel', withK8s(renderZtunnel(ctx), ctx, 'ztunnel'));
  const pilotK8s = iop.spec?.components?.pilot?.k8s;
  scalingWarning(warnings, 'components.pilot', pilotK8s?.replicaCount, ctx.values.bool('pilot.autoscaleEnabled', true));

  const components = parts.map((p) => ({ component: p.component, objects: sortForApply(p.objects) }));
  const namespaces = namespaceObjects(ctx, components);
  return {
    objects: sortForApply([...namespaces, ...components.flatMap((c) => c.objects)]),
    components,
    namespaces,
    iop,
    profile,
    revision: ctx.revision,
    namespace: ctx.namespace,
    warnings,
  };
}

function withK8s(objects: KubeObject[], ctx: RenderContext, name: 'base' | 'pilot' | 'cni' | 'ztunnel'): KubeObject[] {
  const c = ctx.component(name);
  if (objects.length === 0 || name === 'base') return objects;
  const target =
    name === 'pilot'
      ? { workloadKind: 'Deployment' as const, name: ctx.istiodName, container: 'discovery' }
      : name === 'cni'
        ? { workloadKind: 'DaemonSet' as const, name: CNI_NAME, container: 'install-cni' }
        : { workloadKind: 'DaemonSet' as const, name: ctx.values.str('ztunnel.resourceName', 'ztunnel'), container: 'istio-proxy' };
  applyK8s(objects, c.spec.k8s, { where: `components.${name}.k8s`, namespace: c.namespace, ...target });
  return objects;
}

function scalingWarning(warnings: string[], where: string, replicaCount: number | undefined, autoscale: boolean): void {
  if (replicaCount !== undefined && autoscale) {
    warnings.push(`${where}.k8s.replicaCount is set while autoscaling is enabled; the HorizontalPodAutoscaler decides the replica count`);
  }
}

function namespaceObjects(ctx: RenderContext, components: ComponentRender[]): KubeObject[] {
  const names = new Set<string>();
  for (const c of components) for (const o of c.objects) if (o.metadata.namespace) names.add(o.metadata.namespace);
  const network = ctx.values.str('global.network');
  return [...names]
    .filter((n) => !SYSTEM_NAMESPACES.has(n))
    .sort()
    .map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, ...(network !== '' && name === ctx.namespace ? { labels: { 'topology.istio.io/network': network } } : {}) },
    }));
}

/** Which components an IstioOperator enables, in install order (without rendering anything). */
export function enabledComponents(iop: IstioOperator, profile = ''): ComponentName[] {
  const ctx = buildContext(iop, profile);
  const out: ComponentName[] = [];
  if (ctx.component('base').enabled) out.push('Base');
  if (ctx.component('pilot').enabled) out.push('Pilot');
  if (ctx.gateways.some((g) => g.kind === 'ingress')) out.push('IngressGateways');
  if (ctx.gateways.some((g) => g.kind === 'egress')) out.push('EgressGateways');
  if (ctx.component('cni').enabled) out.push('Cni');
  if (ctx.component('ztunnel').enabled) out.push('Ztunnel');
  return out;
}

/** The component an object belongs to, from its `operator.istio.io/component` label. */
export function componentOf(o: KubeObject): ComponentName | undefined {
  return o.metadata.labels?.[LABELS.component] as ComponentName | undefined;
}
export { type FieldChange, type ManifestDiff, type ObjectDiff, diffManifests, diffTrees, formatChange, formatDiff, objectKey } from './diff.js';
