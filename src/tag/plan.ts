/**
 * What `mesh tag set|generate|remove` would do, decided from a snapshot of the cluster's webhook
 * configurations (pure). collect.ts takes the snapshot and carries the plan out.
 */
import { FindingsError, UsageError } from '../errors.js';
import type { KubeObject } from '../model/k8s.js';
import {
  DEFAULT_TAG,
  DEFAULT_VALIDATOR,
  MWC,
  VWC,
  buildTagObjects,
  injectorEndpoint,
  injectorsFor,
  installedRevisions,
  namespacesUsing,
  oldDefaultWebhooks,
  revisionInjectors,
  revisionOf,
  tagOf,
  tagWebhookName,
} from './build.js';

export interface TagSnapshot {
  /** Every MutatingWebhookConfiguration. */
  mutating: KubeObject[];
  /** Every ValidatingWebhookConfiguration. */
  validating: KubeObject[];
}

export interface SetRequest {
  tag: string;
  revision: string;
  istioNamespace: string;
  overwrite: boolean;
  /** generate: no check against the tag's live webhooks (nothing is written). */
  generate?: boolean;
  autoInjectNamespaces?: boolean;
}

export interface SetPlan {
  /** The tag's objects, to create or to replace (live is the object they replace). */
  objects: { desired: KubeObject; live?: KubeObject }[];
  /** The old default's webhook configurations to switch off (tag default). */
  deactivate: KubeObject[];
  /** The revision the tag pointed to before, if it existed. */
  previous?: string;
  /** Pods that more than one webhook would inject once the plan is applied (should be none). */
  overlaps: string[];
}

function names(objs: readonly KubeObject[]): string {
  return objs.map((o) => o.metadata.name ?? '').join(', ');
}

/** The revision's injector, or a UsageError naming the installed revisions. */
export function pickInjector(snap: TagSnapshot, revision: string, istioNamespace: string): KubeObject {
  const injectors = revisionInjectors(snap.mutating, revision);
  if (injectors.length === 0) {
    const revs = installedRevisions(snap.mutating);
    throw new UsageError(
      `--revision: no control-plane revision "${revision}" is installed (no ${MWC} labelled istio.io/rev=${revision}); installed revisions: ${revs.length > 0 ? revs.join(', ') : 'none'}`,
    );
  }
  if (injectors.length === 1) return injectors[0]!;
  const here = injectors.filter((i) => injectorEndpoint(i).serviceNamespace === istioNamespace);
  if (here.length === 1) return here[0]!;
  throw new UsageError(
    `--revision: revision "${revision}" has ${injectors.length} injectors (${names(injectors)}); pass -i with the namespace of the one to use`,
  );
}

/** The plan of `mesh tag set` (and, with generate, of `mesh tag generate`). */
export function planSet(snap: TagSnapshot, req: SetRequest): SetPlan {
  const { tag, revision, istioNamespace } = req;
  const injector = pickInjector(snap, revision, istioNamespace);
  if (tag !== DEFAULT_TAG && installedRevisions(snap.mutating).includes(tag)) {
    throw new UsageError(
      `TAG: "${tag}" is the name of an installed revision; a tag of that name would select the same namespaces as the revision's own injector (pods injected twice); choose another name`,
    );
  }
  const existing = snap.mutating.filter((w) => tagOf(w) === tag);
  let previous: string | undefined;
  let name = tagWebhookName(tag, istioNamespace);
  if (!req.generate) {
    if (existing.length > 1) {
      throw new UsageError(
        `tag "${tag}" has ${existing.length} webhook configurations (${names(existing)}); remove the extra ones first (mesh tag remove ${tag}, then set it again)`,
      );
    }
    const current = existing[0];
    if (current !== undefined) {
      previous = revisionOf(current);
      if (previous !== revision && !req.overwrite) {
        throw new UsageError(`tag "${tag}" already points to revision ${previous ?? '(none)'}; pass --overwrite to point it to ${revision}`);
      }
      name = current.metadata.name ?? name;
    }
    const squatter = snap.mutating.find((w) => w.metadata.name === name && tagOf(w) !== tag);
    if (squatter !== undefined) {
      throw new UsageError(`${MWC} ${name} exists and is not tag "${tag}" (its istio.io/tag is ${tagOf(squatter) ?? 'unset'}); refusing to replace it`);
    }
  }
  const liveValidator = snap.validating.find((v) => v.metadata.name === DEFAULT_VALIDATOR);
  // istiod switches its validator to Fail once it has proven itself; that is kept only while the validator stays on that istiod.
  const carry = liveValidator !== undefined && revisionOf(liveValidator) === revision ? { liveValidator } : {};
  const built = buildTagObjects({
    tag,
    revision,
    injector,
    istioNamespace,
    name,
    ...carry,
    ...(req.autoInjectNamespaces === true ? { autoInjectNamespaces: true } : {}),
  });
  const objects: SetPlan['objects'] = [];
  const liveOf = (o: KubeObject): KubeObject | undefined =>
    (o.kind === MWC ? snap.mutating : snap.validating).find((l) => l.metadata.name === o.metadata.name && l.kind === o.kind);
  for (const desired of [built.webhook, ...(built.validator ? [built.validator] : [])]) {
    const live = req.generate ? undefined : liveOf(desired);
    objects.push(live !== undefined ? { desired, live } : { desired });
  }
  const deactivate = tag === DEFAULT_TAG && !req.generate ? oldDefaultWebhooks([...snap.mutating, ...snap.validating]) : [];
  const after = projected(snap, objects, deactivate);
  const overlaps: string[] = [];
  const probes: { what: string; ns: Record<string, string>; pod: Record<string, string> }[] = [
    { what: `a pod in a namespace labelled istio.io/rev=${tag}`, ns: { 'istio.io/rev': tag }, pod: {} },
    { what: `a pod labelled istio.io/rev=${tag}`, ns: {}, pod: { 'istio.io/rev': tag } },
  ];
  if (tag === DEFAULT_TAG) {
    probes.push(
      { what: 'a pod in a namespace labelled istio-injection=enabled', ns: { 'istio-injection': 'enabled' }, pod: {} },
      { what: 'a pod labelled sidecar.istio.io/inject=true', ns: {}, pod: { 'sidecar.istio.io/inject': 'true' } },
    );
  }
  for (const p of probes) {
    const hits = injectorsFor(after, p.ns, p.pod);
    if (hits.length > 1) overlaps.push(`${p.what} would be injected by ${hits.length} webhooks: ${hits.join(', ')}`);
  }
  return { objects, deactivate, ...(previous !== undefined ? { previous } : {}), overlaps };
}

/** The mutating webhook configurations as they would be once the plan is applied. */
function projected(snap: TagSnapshot, objects: SetPlan['objects'], deactivate: readonly KubeObject[]): KubeObject[] {
  const off = new Set(deactivate.filter((d) => d.kind === MWC).map((d) => d.metadata.name));
  const replaced = new Set(objects.filter((o) => o.desired.kind === MWC).map((o) => o.desired.metadata.name));
  return [
    ...snap.mutating.filter((m) => !off.has(m.metadata.name) && !replaced.has(m.metadata.name)),
    ...objects.filter((o) => o.desired.kind === MWC).map((o) => o.desired),
  ];
}

export interface RemovePlan {
  /** The webhook configurations of the tag (mutating; for default also its validator). */
  objects: KubeObject[];
  /** Namespaces still using the tag. */
  namespaces: string[];
}

/** The plan of `mesh tag remove`: a UsageError for an unknown tag, a FindingsError (79) while namespaces use it, unless forced. */
export function planRemove(snap: TagSnapshot, namespaces: readonly KubeObject[], req: { tag: string; force: boolean }): RemovePlan {
  const mutating = snap.mutating.filter((w) => tagOf(w) === req.tag);
  if (mutating.length === 0) {
    const tags = [...new Set(snap.mutating.map(tagOf).filter((t): t is string => t !== undefined))].sort();
    throw new UsageError(`TAG: no revision tag "${req.tag}" (no ${MWC} labelled istio.io/tag=${req.tag}); tags: ${tags.length > 0 ? tags.join(', ') : 'none'}`);
  }
  const validating = snap.validating.filter((v) => v.kind === VWC && tagOf(v) === req.tag);
  const using = namespacesUsing(req.tag, namespaces);
  if (using.length > 0 && !req.force) {
    throw new FindingsError(
      `refusing to remove tag "${req.tag}" while ${using.length} namespace${using.length === 1 ? '' : 's'} still use${using.length === 1 ? 's' : ''} it (${using.join(', ')}): their new pods would get no sidecar; relabel them, or pass --force`,
    );
  }
  return { objects: [...mutating, ...validating], namespaces: using };
}
