/**
 * verify-install: the rendered objects against the live ones. Per component: objects missing,
 * objects whose mesh-managed fields differ (a server-side apply dry-run would change them), objects
 * not ready, and objects this installation owns that are no longer rendered.
 */
import { type KubeClient, NotServedError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { type ComponentName, COMPONENTS, componentOf } from './components.js';
import { changedPaths } from './diff.js';
import { kubeFailure } from './errors.js';
import { FIELD_MANAGER, carryOverIstiodFields, claimObject, NOT_PRUNED_LABEL, installationSelector, objectKey, slashName, stampOwnerLabels } from './labels.js';
import { isInstallRecord } from './record.js';
import { CONCURRENCY, listOwned } from './plan.js';
import { needsWait, readinessOf, selectorString, workloadProblem } from './readiness.js';
import { mapLimit } from '../util/pool.js';

export type VerifyState = 'ok' | 'missing' | 'differs' | 'unready' | 'extra';

export interface VerifiedObject {
  component: ComponentName;
  object: string;
  state: VerifyState;
  /** Field paths that differ, or why it is not ready. */
  details: string[];
}

export interface VerifyResult {
  ok: boolean;
  objects: VerifiedObject[];
  summary: Record<VerifyState, number>;
  /** Rendered objects another revision owns (e.g. the ingress gateway a canary left to it): not verified here. */
  otherRevision: { object: string; owner: string }[];
}

export async function verifyInstall(
  kube: KubeClient,
  rendered: readonly KubeObject[],
  opts: { revision: string | undefined; version: string; namespace?: string },
): Promise<VerifyResult> {
  const desired = rendered.filter((o) => o.kind !== 'Namespace').map((o) => stampOwnerLabels(o, opts));
  const otherRevision: { object: string; owner: string }[] = [];
  const checked = await mapLimit(desired, CONCURRENCY, async (rendered): Promise<VerifiedObject | undefined> => {
    let o = rendered;
    const component = componentOf(o);
    const object = slashName(o);
    let live: KubeObject | undefined;
    try {
      live = await kube.get({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name ?? '',
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      });
    } catch (err) {
      if (!(err instanceof NotServedError)) throw kubeFailure(err, o);
    }
    if (live === undefined) return { component, object, state: 'missing', details: [] };
    const claim = claimObject(o, live, { revision: opts.revision });
    if (claim.claim === 'other') {
      otherRevision.push({ object, owner: claim.owner });
      return undefined;
    }
    o = claim.object;
    let after: KubeObject;
    try {
      after = await kube.apply(carryOverIstiodFields(o, live), { fieldManager: FIELD_MANAGER, force: true, dryRun: true });
    } catch (err) {
      throw kubeFailure(err, o);
    }
    const changes = changedPaths(live, after);
    if (changes.length > 0) return { component, object, state: 'differs', details: changes };
    if (needsWait(live) && !readinessOf(live).ready) {
      const selector = selectorString((live['spec'] as { selector?: unknown } | undefined)?.selector);
      const pods =
        selector !== undefined && live.metadata.namespace && live.kind !== 'CustomResourceDefinition'
          ? await kube.list('v1', 'Pod', { namespace: live.metadata.namespace, labelSelector: selector }).catch(() => [])
          : [];
      return { component, object, state: 'unready', details: [workloadProblem(live, pods)] };
    }
    return { component, object, state: 'ok', details: [] };
  });
  // As install leaves it: a component another revision owns part of is not this revision's at all.
  const leftComponents = new Map<ComponentName, string>();
  desired.forEach((o, i) => {
    const other = otherRevision.find((x) => x.object === slashName(o));
    if (checked[i] === undefined && other !== undefined) leftComponents.set(componentOf(o), other.owner);
  });
  const objects: VerifiedObject[] = [];
  for (const v of checked) {
    if (v === undefined) continue;
    const owner = leftComponents.get(v.component);
    if (owner !== undefined && v.component !== 'Base') otherRevision.push({ object: v.object, owner });
    else objects.push(v);
  }
  const keep = new Set(desired.map(objectKey));
  const extras = (await listOwned(kube, installationSelector(opts.revision, opts.namespace)))
    .filter((o) => !keep.has(objectKey(o)) && o.metadata.labels?.[NOT_PRUNED_LABEL] !== 'true' && !isInstallRecord(o))
    .map((o): VerifiedObject => ({ component: componentOf(o), object: slashName(o), state: 'extra', details: [] }));
  const all = [...objects, ...extras].sort((a, b) => COMPONENTS.indexOf(a.component) - COMPONENTS.indexOf(b.component) || a.object.localeCompare(b.object));
  const summary: Record<VerifyState, number> = { ok: 0, missing: 0, differs: 0, unready: 0, extra: 0 };
  for (const o of all) summary[o.state]++;
  otherRevision.sort((a, b) => a.object.localeCompare(b.object));
  return { ok: all.every((o) => o.state === 'ok'), objects: all, summary, otherRevision };
}
