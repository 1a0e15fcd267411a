/**
 * The merged IstioOperator → what the component builders read: effective values (chart defaults,
 * then the operator's `values`, then the translations istioctl makes: hub/tag/revision/meshConfig),
 * namespaces, image references and the labels every object carries.
 */
import { DEFAULT_HUB, ISTIO_VERSION } from '../model/release.js';
import { type ComponentName, type ComponentSpec, type GatewaySpec, type IstioOperator, type JsonObject, LABELS } from '../model/install.js';
import { chartDefaults } from './chart-defaults.js';
import { asObject, isObject, overlay } from './merge.js';
import { Values } from './values.js';

export interface GatewayInstance {
  kind: 'ingress' | 'egress';
  name: string;
  namespace: string;
  spec: GatewaySpec;
  /** Chart values for this gateway: values.gateways.istio-{ingress,egress}gateway, adjusted. */
  values: Values;
}

export interface RenderContext {
  iop: IstioOperator;
  values: Values;
  /** '' for the default revision. */
  revision: string;
  /** Value of the `istio.io/rev` label. */
  revLabel: string;
  /** The control-plane namespace. */
  namespace: string;
  profile: string;
  owner: string;
  /** `istiod` or `istiod-<rev>`. */
  istiodName: string;
  /** `-<rev>` or ''. */
  revSuffix: string;
  component(name: 'base' | 'pilot' | 'cni' | 'ztunnel'): { enabled: boolean; namespace: string; spec: ComponentSpec };
  gateways: GatewayInstance[];
  image(opts: { component?: ComponentSpec; valuesPrefix?: string; name: string }): string;
  labels(component: ComponentName, extra?: Record<string, string>): Record<string, string>;
}

export function buildContext(iop: IstioOperator, profile: string): RenderContext {
  const spec = iop.spec ?? {};
  const comps = spec.components ?? {};
  // The first of these that moves away from istio-system wins (the default profile sets all three).
  const userIstioNs = isObject(spec.values?.['global']) ? spec.values['global']['istioNamespace'] : undefined;
  const namespace =
    [spec.namespace, iop.metadata?.namespace, typeof userIstioNs === 'string' ? userIstioNs : undefined].find(
      (n) => n !== undefined && n !== '' && n !== 'istio-system',
    ) ?? 'istio-system';
  const revision = spec.revision ?? '';

  let v = overlay(chartDefaults(), spec.values ?? {}) as JsonObject;
  const global = v['global'] as JsonObject;
  global['hub'] = spec.hub ?? (typeof global['hub'] === 'string' && global['hub'] !== '' ? global['hub'] : DEFAULT_HUB);
  global['tag'] = spec.tag ?? (typeof global['tag'] === 'string' && global['tag'] !== '' ? global['tag'] : ISTIO_VERSION);
  global['istioNamespace'] = namespace;
  v['revision'] = revision;
  v['meshConfig'] = overlay(asObject(v['meshConfig']), spec.meshConfig ?? {}) as JsonObject;
  if (spec.compatibilityVersion !== undefined) v['compatibilityVersion'] = spec.compatibilityVersion;
  (v['pilot'] as JsonObject)['enabled'] = comps.pilot?.enabled ?? true;
  const pilotCni = (v['pilot'] as JsonObject)['cni'] as JsonObject;
  pilotCni['enabled'] = comps.cni?.enabled === true || pilotCni['enabled'] === true;
  if (iop.metadata?.name !== undefined) v['ownerName'] = iop.metadata.name;
  // k8s.hpaSpec and replicaCount are copied into values first, so the PDB/HPA rules see them.
  copyScaling(v['pilot'] as JsonObject, comps.pilot);
  // unvalidatedValues: merged last, after validation (custom templates may read them).
  if (spec.unvalidatedValues !== undefined) v = overlay(v, spec.unvalidatedValues) as JsonObject;
  const values = new Values(v);

  const componentNs = (c: ComponentSpec | undefined): string => c?.namespace ?? namespace;
  const gateways: GatewayInstance[] = [];
  for (const [kind, list, valuesKey] of [
    ['ingress', comps.ingressGateways ?? [], 'istio-ingressgateway'],
    ['egress', comps.egressGateways ?? [], 'istio-egressgateway'],
  ] as const) {
    const altEnabled = values.get(`gateways.${valuesKey}.enabled`);
    for (const gw of list) {
      const name = gw.name ?? valuesKey;
      // As istioctl: a listed gateway is on unless `enabled: false`; values.gateways.<default
      // gateway>.enabled=true (the alternative enablement path) turns the list's gateways on.
      const enabled = (gw.enabled ?? true) || altEnabled === true;
      if (!enabled) continue;
      const gv = overlay(values.obj(`gateways.${valuesKey}`), name === valuesKey ? {} : { name }) as JsonObject;
      gv['name'] = name;
      copyScaling(gv, gw);
      if (name !== valuesKey) {
        // A custom gateway selects its own pods: app/istio labels come from `label` (or its name).
        gv['labels'] = { app: name, istio: name.replace(/^istio-/, ''), ...(gw.label ?? {}) };
      } else if (gw.label) {
        gv['labels'] = { ...(gv['labels'] as JsonObject), ...gw.label };
      }
      gateways.push({ kind, name, namespace: componentNs(gw), spec: gw, values: new Values(gv) });
    }
  }

  const revLabel = revision === '' ? 'default' : revision;
  const revSuffix = revision === '' ? '' : `-${revision}`;
  const owner = iop.metadata?.name ?? 'unknown';
  return {
    iop,
    values,
    revision,
    revLabel,
    namespace,
    profile,
    owner,
    istiodName: `istiod${revSuffix}`,
    revSuffix,
    component(name) {
      // A component the merged spec mentions is on unless `enabled: false`; one it does not
      // mention keeps its default (base and pilot on, cni and ztunnel off), as istioctl decides.
      const c = comps[name];
      const enabled = c === undefined ? name === 'base' || name === 'pilot' : (c.enabled ?? true);
      return { enabled, namespace: componentNs(c), spec: c ?? {} };
    },
    gateways,
    image({ component, valuesPrefix, name }) {
      const img = valuesPrefix ? values.str(`${valuesPrefix}.image`, name) : name;
      if (img.includes('/')) return img; // a full image reference wins
      const hub = component?.hub ?? (valuesPrefix && values.str(`${valuesPrefix}.hub`)) ?? '';
      const tag = component?.tag ?? (valuesPrefix && values.str(`${valuesPrefix}.tag`)) ?? '';
      const variant = (valuesPrefix && values.str(`${valuesPrefix}.variant`)) || values.str('global.variant');
      const t = tag || values.str('global.tag');
      return `${hub || values.str('global.hub')}/${img}:${t}${variant ? `-${variant}` : ''}`;
    },
    labels(component, extra = {}) {
      const l: Record<string, string> = {
        ...extra,
        [LABELS.revision]: revLabel,
        [LABELS.component]: component,
        [LABELS.managed]: 'Reconcile',
        [LABELS.version]: ISTIO_VERSION,
        [LABELS.owningResource]: owner,
      };
      if (iop.metadata?.name !== undefined && iop.metadata.namespace !== undefined) l[LABELS.owningResourceNamespace] = iop.metadata.namespace;
      l['app.kubernetes.io/part-of'] = 'istio';
      return l;
    },
  };
}

function copyScaling(target: JsonObject, c: ComponentSpec | undefined): void {
  const k = c?.k8s;
  if (k === undefined) return;
  if (typeof k.hpaSpec?.['minReplicas'] === 'number') target['autoscaleMin'] = k.hpaSpec['minReplicas'];
  if (typeof k.hpaSpec?.['maxReplicas'] === 'number') target['autoscaleMax'] = k.hpaSpec['maxReplicas'];
  if (k.replicaCount !== undefined) target['replicaCount'] = k.replicaCount;
}
