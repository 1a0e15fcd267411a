import type { Command } from 'commander';
import { ClusterError } from '../../errors.js';
import { describeRef, refOf } from '../../kube/client.js';
import { renderData, renderTable } from '../../output/format.js';
import { toYaml } from '../../render/yaml.js';
import { type TagRow, tagRows } from '../../tag/build.js';
import { applyRemovePlan, applySetPlan, missingService, readTagSnapshot, readUsage } from '../../tag/collect.js';
import { planRemove, planSet } from '../../tag/plan.js';
import { type CliContext, kubeClient, progress } from '../context.js';
import {
  type TagGenerateFlags,
  type TagListFlags,
  type TagRemoveFlags,
  type TagSetFlags,
  validateTagCommon,
  validateTagName,
  tagSkipsConfirmation,
  validateTagSet,
} from '../options/tag.js';
import { confirm } from './install-prompt.js';

export async function tagSetAction(ctx: CliContext, cmd: Command, name: string, flags: TagSetFlags): Promise<void> {
  const { tag, revision } = validateTagSet(name, flags);
  const kube = await kubeClient(ctx, cmd);
  const out = await progress(ctx);
  const snap = await readTagSnapshot(kube);
  const plan = planSet(snap, {
    tag,
    revision,
    istioNamespace: flags.istioNamespace,
    overwrite: flags.overwrite === true,
    autoInjectNamespaces: flags.autoInjectNamespaces === true,
  });
  const missing = await missingService(kube, plan.objects[0]!.desired);
  if (missing !== undefined) throw new ClusterError(`refusing to point tag "${tag}" to revision ${revision}: ${missing} (is the revision fully installed?)`);
  for (const o of plan.overlaps) out.warn(o);
  if (flags.dryRun === true) {
    for (const { desired, live } of plan.objects) ctx.stdout.write(`${live === undefined ? 'create' : 'replace'} ${describeRef(refOf(desired))}\n`);
    for (const d of plan.deactivate) ctx.stdout.write(`switch off ${describeRef(refOf(d))}\n`);
    out.info(
      `Dry run: tag "${tag}" would point to revision ${revision}${plan.previous !== undefined && plan.previous !== revision ? ` (now ${plan.previous})` : ''}; nothing was changed.`,
    );
    return;
  }
  if (plan.overlaps.length > 0 && !tagSkipsConfirmation(flags)) {
    await confirm(ctx, `Tag "${tag}" would leave pods that two webhooks inject (above).`, `set tag "${tag}"`);
  }
  await applySetPlan(plan, { kube, onStep: (t) => out.info(t) });
  const moved =
    plan.previous !== undefined && plan.previous !== revision
      ? ` (was ${plan.previous}; restart the pods of its namespaces to move them: mesh rollout-restart)`
      : '';
  out.info(`✔ Tag "${tag}" points to revision ${revision}${moved}`);
  if (plan.previous === undefined) {
    out.info(
      tag === 'default'
        ? '  Namespaces labelled istio-injection=enabled (or istio.io/rev=default) are injected by it.'
        : `  Label a namespace to use it: kubectl label namespace NAMESPACE istio.io/rev=${tag}`,
    );
  }
}

export async function tagGenerateAction(ctx: CliContext, cmd: Command, name: string, flags: TagGenerateFlags): Promise<void> {
  const { tag, revision } = validateTagSet(name, flags);
  const kube = await kubeClient(ctx, cmd);
  const snap = await readTagSnapshot(kube);
  const plan = planSet(snap, {
    tag,
    revision,
    istioNamespace: flags.istioNamespace,
    overwrite: true,
    generate: true,
    autoInjectNamespaces: flags.autoInjectNamespaces === true,
  });
  const objects = plan.objects.map((o) => o.desired);
  if (flags.output === 'json') ctx.stdout.write(renderData('json', { apiVersion: 'v1', kind: 'List', items: objects }));
  else ctx.stdout.write(toYaml(objects));
}

export async function tagListAction(ctx: CliContext, cmd: Command, flags: TagListFlags): Promise<void> {
  validateTagCommon(flags);
  const kube = await kubeClient(ctx, cmd);
  const [snap, usage] = await Promise.all([readTagSnapshot(kube), readUsage(kube)]);
  const rows = tagRows({ webhookConfigs: snap.mutating, namespaces: usage.namespaces, pods: usage.pods });
  if (flags.output === 'json' || flags.output === 'yaml') {
    ctx.stdout.write(renderData(flags.output, { tags: rows }));
    return;
  }
  if (rows.length === 0) {
    ctx.stderr.write('No revision tags found (mesh tag set TAG -r REVISION creates one).\n');
    return;
  }
  ctx.stdout.write(tagListText(rows));
}

export function tagListText(rows: readonly TagRow[]): string {
  return renderTable(rows, [
    { header: 'TAG', value: (r) => r.tag },
    { header: 'REVISION', value: (r) => (r.dangling ? `${r.revision} (not installed)` : r.revision) },
    { header: 'NAMESPACES', value: (r) => (r.namespaces.length > 0 ? r.namespaces.join(',') : '-') },
    { header: 'PODS', value: (r) => String(r.pods) },
  ]);
}

export async function tagRemoveAction(ctx: CliContext, cmd: Command, name: string, flags: TagRemoveFlags): Promise<void> {
  validateTagName(name);
  validateTagCommon(flags);
  const kube = await kubeClient(ctx, cmd);
  const out = await progress(ctx);
  const [snap, usage] = await Promise.all([readTagSnapshot(kube), readUsage(kube)]);
  const plan = planRemove(snap, usage.namespaces, { tag: name, force: flags.force === true });
  if (plan.namespaces.length > 0) out.warn(`Namespaces still using tag "${name}" get no sidecar for new pods: ${plan.namespaces.join(', ')}`);
  if (flags.dryRun === true) {
    for (const o of plan.objects) ctx.stdout.write(`delete ${describeRef(refOf(o))}\n`);
    out.info(`Dry run: tag "${name}" would be removed; nothing was changed.`);
    return;
  }
  await applyRemovePlan(plan, { kube, onStep: (t) => out.info(t) });
  out.info(`✔ Tag "${name}" removed`);
}
