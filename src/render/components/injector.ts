/**
 * The injector ConfigMap `istio-sidecar-injector[-<rev>]` that istiod's sidecar injector and its
 * gateway deployment controller read: `config` (policy, selectors, default templates and the
 * templates themselves) and `values` (what `.Values` is inside the templates).
 *
 * Both keys hold what Istio 1.31's istiod chart renders for the same install inputs; the templates
 * are mesh's own (src/render/components/injection/), proven equal by output in
 * test/parity/injection.parity.test.ts. docs/injection.md lists the deliberate differences.
 */
import { emitDocument } from '../yaml.js';
import type { Json, JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';
import { istiodInjectorChartDefaults } from '../chart-defaults.js';
import type { RenderContext } from '../context.js';
import { asObject, isObject } from '../merge.js';
import { INJECTION_TEMPLATES } from './injection/index.js';
import type { Labels } from './shared.js';

/**
 * Merges like Sprig's mustMergeOverwrite (mergo with override), which the istiod chart uses to lay
 * the user's values over its defaults: maps merge key by key; lists, scalars and null replace.
 */
function helmMerge(base: Json | undefined, over: Json | undefined): Json | undefined {
  if (over === undefined) return base === undefined ? undefined : structuredClone(base);
  if (!isObject(base) || !isObject(over)) return structuredClone(over);
  const out: JsonObject = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = helmMerge(out[k], v)!;
  return out;
}

/** Sorts map keys recursively, as Go's JSON encoder (toPrettyJson) writes them. */
function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k]!)]),
  );
}

/**
 * The values the injection templates read (`.Values` inside the templates) and istiod parses:
 * the istiod chart's defaults under the operator's `values` (profile, -f, --set,
 * unvalidatedValues), with `pilot.*` lifted to the top as the chart does, then picked down to
 * `global`, `sidecarInjectorWebhook`, `revision`, `pilot.{cni,env}` and
 * `gateways.{securityContext,seccompProfile}`.
 */
export function injectorValues(ctx: RenderContext): JsonObject {
  const spec = ctx.iop.spec ?? {};
  let user = helmMerge(spec.values ?? {}, spec.unvalidatedValues ?? {}) as JsonObject;
  // istioctl's translations: spec.hub/tag → global.hub/tag, spec.revision → revision.
  user = helmMerge(user, {
    global: { hub: ctx.values.str('global.hub'), tag: ctx.values.str('global.tag'), istioNamespace: ctx.values.str('global.istioNamespace') },
    revision: ctx.revision,
    // CNI is in use when its component is on (istioctl) or values.pilot.cni.enabled says an existing
    // CNI is installed (Helm); see docs/injection.md.
    pilot: { cni: { enabled: ctx.values.bool('pilot.cni.enabled') } },
  }) as JsonObject;
  let v = helmMerge(istiodInjectorChartDefaults(), user) as JsonObject;
  // The chart copies everything under `.pilot` to the top level (its "descope legacy" step).
  v = helmMerge(v, asObject(v['pilot'])) as JsonObject;
  const gateways = asObject(v['gateways']);
  const out: JsonObject = {
    global: asObject(v['global']),
    sidecarInjectorWebhook: asObject(v['sidecarInjectorWebhook']),
    revision: v['revision'] ?? '',
    pilot: { cni: asObject(v['cni']), env: asObject(v['env']) },
    gateways: {
      ...(gateways['securityContext'] !== undefined ? { securityContext: gateways['securityContext'] } : {}),
      ...(gateways['seccompProfile'] !== undefined ? { seccompProfile: gateways['seccompProfile'] } : {}),
    },
  };
  return sortKeys(out) as JsonObject;
}

/** The `config` key: what istiod's injector reads besides the values. */
export function injectorConfig(values: JsonObject): JsonObject {
  const siw = asObject(values['sidecarInjectorWebhook']);
  const list = (k: string): Json[] => (Array.isArray(siw[k]) ? siw[k] : []);
  const proxy = asObject(asObject(values['global'])['proxy']);
  const custom = asObject(siw['templates']);
  const annotations = asObject(siw['injectedAnnotations']);
  return {
    defaultTemplates: list('defaultTemplates').length > 0 ? list('defaultTemplates') : ['sidecar'],
    policy: proxy['autoInject'] ?? null,
    alwaysInjectSelector: list('alwaysInjectSelector'),
    neverInjectSelector: list('neverInjectSelector'),
    injectedAnnotations: Object.keys(annotations).length > 0 ? annotations : null,
    // An istiod too old for this ConfigMap fails on this unknown function, loudly.
    template: '{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}',
    // values.sidecarInjectorWebhook.templates adds templates, or replaces one of the same name.
    templates: { ...INJECTION_TEMPLATES, ...custom },
  };
}

export function injectorConfigMap(ctx: RenderContext, ns: string, labels: Labels): KubeObject {
  const values = injectorValues(ctx);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `istio-sidecar-injector${ctx.revSuffix}`, namespace: ns, labels: labels({ release: 'istio' }) },
    data: {
      config: emitDocument(injectorConfig(values)),
      values: JSON.stringify(values, null, 2),
    },
  };
}
