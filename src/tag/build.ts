/**
 * Revision tags, pure: the objects of a tag built from its revision's injector webhook, the old
 * default's deactivation, which webhooks would inject a pod, and the rows of `mesh tag list`.
 * Plain data in, plain data out; src/tag/collect.ts reads and writes the cluster.
 *
 * A tag is a MutatingWebhookConfiguration labelled istio.io/tag=<tag> and istio.io/rev=<revision>,
 * whose webhooks select `istio.io/rev=<tag>` and call the revision's istiod (the same clientConfig
 * as the revision's own injector). The tag `default` also takes the selector-less forms
 * (`istio-injection=enabled`, `sidecar.istio.io/inject=true`) and brings the default
 * ValidatingWebhookConfiguration `istiod-default-validator`, which validates Istio config that names
 * no revision.
 */
import { InputError } from '../errors.js';
import type { KubeObject } from '../model/k8s.js';
import { INJECTION_LABEL, REVISION_LABEL, SIDECAR_INJECT, TAG_LABEL, statusRevision } from '../model/injection.js';
import { labelSelectorMatches } from '../model/label-selector.js';
import { asArray, asRecord, isRecord, recordsIn, stringOrUndefined, stringRecord } from '../util/narrow.js';

export { TAG_LABEL } from '../model/injection.js';
export const DEFAULT_TAG = 'default';
export const DEFAULT_VALIDATOR = 'istiod-default-validator';
export const ADMISSION_API = 'admissionregistration.k8s.io/v1';
export const MWC = 'MutatingWebhookConfiguration';
export const VWC = 'ValidatingWebhookConfiguration';
/** The selector that matches no object: how the old default's webhooks are switched off (istioctl's marker label). */
export const NEVER_MATCH = { matchLabels: { 'istio.io/deactivated': 'never-match' } } as const;

const INJECTOR_SUFFIX = 'sidecar-injector.istio.io';
const NOT_OPTED_OUT = { key: SIDECAR_INJECT, operator: 'NotIn', values: ['false'] };

type Json = Record<string, unknown>;

/** The name of a tag's webhook configuration: Istio's chart appends the namespace outside istio-system. */
export function tagWebhookName(tag: string, istioNamespace: string): string {
  return istioNamespace === 'istio-system' ? `istio-revision-tag-${tag}` : `istio-revision-tag-${tag}-${istioNamespace}`;
}

export function tagOf(o: KubeObject): string | undefined {
  return o.metadata.labels?.[TAG_LABEL];
}
export function revisionOf(o: KubeObject): string | undefined {
  return o.metadata.labels?.[REVISION_LABEL];
}

/** A revision's own injector: labelled istio.io/rev=<revision> and not a tag. */
export function revisionInjectors(webhookConfigs: readonly KubeObject[], revision: string): KubeObject[] {
  return webhookConfigs.filter((w) => w.kind === MWC && revisionOf(w) === revision && tagOf(w) === undefined);
}

/** The installed revisions, as their injectors name them (sorted). */
export function installedRevisions(webhookConfigs: readonly KubeObject[]): string[] {
  const revs = new Set<string>();
  for (const w of webhookConfigs) {
    const rev = revisionOf(w);
    if (w.kind === MWC && rev !== undefined && tagOf(w) === undefined) revs.add(rev);
  }
  return [...revs].sort();
}

/** What a tag's webhooks take from the revision's injector. */
export interface InjectorEndpoint {
  clientConfig: Json;
  reinvocationPolicy: string;
  /** The namespace of the istiod Service it calls (undefined for a URL). */
  serviceNamespace?: string;
}

/** The clientConfig of the injector's first `*sidecar-injector.istio.io` webhook; an InputError when it has none. */
export function injectorEndpoint(injector: KubeObject): InjectorEndpoint {
  const hook = recordsIn(injector['webhooks']).find((w) => typeof w['name'] === 'string' && w['name'].endsWith(INJECTOR_SUFFIX));
  if (hook === undefined) {
    throw new InputError(`${MWC} ${injector.metadata.name ?? ''} has no *.${INJECTOR_SUFFIX} webhook: it is not an Istio injector a tag can be built from`);
  }
  const clientConfig = structuredClone(asRecord(hook['clientConfig']));
  const service = isRecord(clientConfig['service']) ? clientConfig['service'] : undefined;
  const serviceNamespace = stringOrUndefined(service?.['namespace']);
  return {
    clientConfig,
    reinvocationPolicy: stringOrUndefined(hook['reinvocationPolicy']) ?? 'Never',
    ...(serviceNamespace !== undefined ? { serviceNamespace } : {}),
  };
}

/** The injector's labels a tag keeps: not `app`, and none an installer owns (operator.istio.io), so no install or uninstall takes the tag for its own. */
function carriedLabels(injector: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(injector.metadata.labels ?? {})) {
    if (k !== 'app' && !k.includes('operator.istio.io') && k !== TAG_LABEL) out[k] = v;
  }
  return out;
}

export interface TagBuildInput {
  tag: string;
  /** The revision the tag points to (istio.io/rev of its injector). */
  revision: string;
  /** The revision's injector MutatingWebhookConfiguration. */
  injector: KubeObject;
  istioNamespace: string;
  /** The live default validator, if any: a `Fail` failurePolicy istiod switched it to is kept. */
  liveValidator?: KubeObject;
  /** Override the webhook configuration's name (to re-point a tag made under another name). */
  name?: string;
  /** Also inject pods of namespaces without any injection label (tag default only; Istio's enableNamespacesByDefault). */
  autoInjectNamespaces?: boolean;
}

export interface TagObjects {
  webhook: KubeObject;
  /** For the tag default: istiod-default-validator. */
  validator?: KubeObject;
}

/** The objects of a revision tag (see the file comment). */
export function buildTagObjects(input: TagBuildInput): TagObjects {
  const { tag, revision, injector, istioNamespace } = input;
  const endpoint = injectorEndpoint(injector);
  if (endpoint.serviceNamespace !== undefined && endpoint.serviceNamespace !== istioNamespace) {
    throw new InputError(
      `revision ${revision}'s injector ${injector.metadata.name ?? ''} calls istiod in namespace ${endpoint.serviceNamespace}, not ${istioNamespace}: pass -i ${endpoint.serviceNamespace}`,
    );
  }
  const hook = (prefix: string, namespaceSelector: Json, objectSelector: Json): Json => ({
    name: `${prefix}${INJECTOR_SUFFIX}`,
    clientConfig: structuredClone(endpoint.clientConfig),
    sideEffects: 'None',
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    failurePolicy: 'Fail',
    reinvocationPolicy: endpoint.reinvocationPolicy,
    admissionReviewVersions: ['v1'],
    namespaceSelector,
    objectSelector,
  });
  const webhooks: Json[] = [
    hook(
      'rev.namespace.',
      {
        matchExpressions: [
          { key: REVISION_LABEL, operator: 'In', values: [tag] },
          { key: INJECTION_LABEL, operator: 'DoesNotExist' },
        ],
      },
      { matchExpressions: [NOT_OPTED_OUT] },
    ),
    hook(
      'rev.object.',
      {
        matchExpressions: [
          { key: REVISION_LABEL, operator: 'DoesNotExist' },
          { key: INJECTION_LABEL, operator: 'DoesNotExist' },
        ],
      },
      { matchExpressions: [NOT_OPTED_OUT, { key: REVISION_LABEL, operator: 'In', values: [tag] }] },
    ),
  ];
  if (tag === DEFAULT_TAG) {
    webhooks.push(
      hook('namespace.', { matchExpressions: [{ key: INJECTION_LABEL, operator: 'In', values: ['enabled'] }] }, { matchExpressions: [NOT_OPTED_OUT] }),
      hook(
        'object.',
        {
          matchExpressions: [
            { key: INJECTION_LABEL, operator: 'DoesNotExist' },
            { key: REVISION_LABEL, operator: 'DoesNotExist' },
          ],
        },
        {
          matchExpressions: [
            { key: SIDECAR_INJECT, operator: 'In', values: ['true'] },
            { key: REVISION_LABEL, operator: 'DoesNotExist' },
          ],
        },
      ),
    );
    if (input.autoInjectNamespaces === true) {
      webhooks.push(
        hook(
          'auto.',
          {
            matchExpressions: [
              { key: INJECTION_LABEL, operator: 'DoesNotExist' },
              { key: REVISION_LABEL, operator: 'DoesNotExist' },
              { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'] },
            ],
          },
          {
            matchExpressions: [
              { key: SIDECAR_INJECT, operator: 'DoesNotExist' },
              { key: REVISION_LABEL, operator: 'DoesNotExist' },
            ],
          },
        ),
      );
    }
  }
  const carried = carriedLabels(injector);
  const annotations = injector.metadata.annotations;
  const webhook: KubeObject = {
    apiVersion: ADMISSION_API,
    kind: MWC,
    metadata: {
      name: input.name ?? tagWebhookName(tag, istioNamespace),
      labels: { ...carried, app: 'sidecar-injector', 'app.kubernetes.io/name': 'istiod', [TAG_LABEL]: tag, [REVISION_LABEL]: revision },
      ...(annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
    },
    webhooks,
  };
  if (tag !== DEFAULT_TAG) return { webhook };
  return { webhook, validator: buildDefaultValidator({ revision, endpoint, labels: carried, ...(input.liveValidator ? { live: input.liveValidator } : {}) }) };
}

function buildDefaultValidator(input: { revision: string; endpoint: InjectorEndpoint; labels: Record<string, string>; live?: KubeObject }): KubeObject {
  const cc = input.endpoint.clientConfig;
  const clientConfig: Json = {};
  const url = stringOrUndefined(cc['url']);
  if (url !== undefined) {
    clientConfig['url'] = withPath(url, '/validate');
  } else {
    const service = asRecord(cc['service']);
    clientConfig['service'] = {
      name: service['name'],
      namespace: service['namespace'],
      path: '/validate',
      // No port, as Istio's chart writes it: the API server's default, 443, is istiod's webhook port.
    };
  }
  if (typeof cc['caBundle'] === 'string' && cc['caBundle'] !== '') clientConfig['caBundle'] = cc['caBundle'];
  // istiod switches its validator to Fail once it has proven it rejects bad config; re-pointing keeps that (as istioctl does).
  const liveFail = recordsIn(input.live?.['webhooks']).some((w) => w['name'] === 'validation.istio.io' && w['failurePolicy'] === 'Fail');
  return {
    apiVersion: ADMISSION_API,
    kind: VWC,
    metadata: {
      name: DEFAULT_VALIDATOR,
      labels: {
        ...input.labels,
        app: 'istiod',
        istio: 'istiod',
        'app.kubernetes.io/name': 'istiod',
        [TAG_LABEL]: DEFAULT_TAG,
        [REVISION_LABEL]: input.revision,
      },
    },
    webhooks: [
      {
        name: 'validation.istio.io',
        clientConfig,
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: ['security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
            apiVersions: ['*'],
            resources: ['*'],
          },
        ],
        failurePolicy: liveFail ? 'Fail' : 'Ignore',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        objectSelector: { matchExpressions: [{ key: REVISION_LABEL, operator: 'DoesNotExist' }] },
      },
    ],
  };
}

function withPath(url: string, path: string): string {
  try {
    const u = new URL(url);
    u.pathname = path;
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * The old default's webhook configurations that `tag set default` switches off, so that exactly one
 * webhook injects (and validates) what names no revision: the injector and validator labelled
 * istio.io/rev=default that are not a tag (the unrevisioned control plane's), not yet switched off.
 */
export function oldDefaultWebhooks(configs: readonly KubeObject[]): KubeObject[] {
  return configs.filter((c) => (c.kind === MWC || c.kind === VWC) && revisionOf(c) === 'default' && tagOf(c) === undefined && !isDeactivated(c));
}

export function isDeactivated(config: KubeObject): boolean {
  const hooks = recordsIn(config['webhooks']);
  return hooks.length > 0 && hooks.every((w) => isNeverMatch(w['namespaceSelector']) && (config.kind === VWC || isNeverMatch(w['objectSelector'])));
}

function isNeverMatch(selector: unknown): boolean {
  return stringRecord(asRecord(selector)['matchLabels'])['istio.io/deactivated'] === 'never-match';
}

/** The webhooks of a configuration with selectors that match nothing (kept, not deleted, so one can switch back). */
export function deactivatedWebhooks(config: KubeObject): Json[] {
  return recordsIn(config['webhooks']).map((w) => ({
    ...structuredClone(w),
    namespaceSelector: structuredClone(NEVER_MATCH),
    objectSelector: structuredClone(NEVER_MATCH),
  }));
}

/**
 * The injection webhooks (`config/webhook`) the API server would call for a new pod with these labels
 * in a namespace with these labels: more than one means two control planes race to inject it.
 */
export function injectorsFor(
  configs: readonly KubeObject[],
  nsLabels: Readonly<Record<string, string>>,
  podLabels: Readonly<Record<string, string>>,
): string[] {
  const out: string[] = [];
  for (const c of configs) {
    if (c.kind !== MWC) continue;
    for (const w of recordsIn(c['webhooks'])) {
      const name = stringOrUndefined(w['name']) ?? '';
      if (!name.endsWith(INJECTOR_SUFFIX) || !createsPods(w)) continue;
      if (labelSelectorMatches(w['namespaceSelector'], nsLabels) && labelSelectorMatches(w['objectSelector'], podLabels))
        out.push(`${c.metadata.name ?? ''}/${name}`);
    }
  }
  return out.sort();
}

function createsPods(w: Json): boolean {
  return recordsIn(w['rules']).some((r) => {
    const ops = asArray(r['operations']);
    const res = asArray(r['resources']);
    return (ops.includes('CREATE') || ops.includes('*')) && (res.includes('pods') || res.includes('*'));
  });
}

export interface TagRow {
  tag: string;
  revision: string;
  /** The MutatingWebhookConfiguration(s) of the tag. */
  webhooks: string[];
  /** Namespaces that use the tag: istio.io/rev=<tag>, and for default also istio-injection=enabled. */
  namespaces: string[];
  /** Pods in those namespaces whose sidecar the tag's revision injected (sidecar.istio.io/status). */
  pods: number;
  /** The revision has no injector of its own any more: the tag points at nothing. */
  dangling: boolean;
}

/** Namespaces that use a tag (sorted). */
export function namespacesUsing(tag: string, namespaces: readonly KubeObject[]): string[] {
  return namespaces
    .filter((n) => {
      const l = n.metadata.labels ?? {};
      if (l[INJECTION_LABEL] === 'disabled') return false;
      if (tag === DEFAULT_TAG && l[INJECTION_LABEL] === 'enabled') return true;
      return l[INJECTION_LABEL] === undefined && l[REVISION_LABEL] === tag;
    })
    .map((n) => n.metadata.name ?? '')
    .sort();
}

/** The rows of `mesh tag list`, sorted by tag. */
export function tagRows(input: { webhookConfigs: readonly KubeObject[]; namespaces: readonly KubeObject[]; pods: readonly KubeObject[] }): TagRow[] {
  const byTag = new Map<string, { revision: string; webhooks: string[] }>();
  for (const w of input.webhookConfigs) {
    const tag = tagOf(w);
    const rev = revisionOf(w);
    if (w.kind !== MWC || tag === undefined || rev === undefined) continue;
    const row = byTag.get(tag) ?? { revision: rev, webhooks: [] };
    row.webhooks.push(w.metadata.name ?? '');
    byTag.set(tag, row);
  }
  const revisions = new Set(installedRevisions(input.webhookConfigs));
  return [...byTag]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tag, r]) => {
      const namespaces = namespacesUsing(tag, input.namespaces);
      const inNs = new Set(namespaces);
      const pods = input.pods.filter(
        (p) => inNs.has(p.metadata.namespace ?? '') && p.metadata.deletionTimestamp === undefined && injectedRevision(p) === r.revision,
      ).length;
      return { tag, revision: r.revision, webhooks: r.webhooks.sort(), namespaces, pods, dangling: !revisions.has(r.revision) };
    });
}

/** The revision that injected a pod's sidecar, from its sidecar.istio.io/status annotation (model/injection.ts). */
export const injectedRevision = statusRevision;
