import type { Command } from 'commander';
import { displayName } from '../../apply/components.js';
import { executeInstall } from '../../apply/execute.js';
import { slashName } from '../../apply/labels.js';
import { type InstallPlan, type ServerCheck, countActions, hasChanges, planInstall, versionChange } from '../../apply/plan.js';
import { InputError } from '../../errors.js';
import { ISTIO_VERSION } from '../../model/release.js';
import { renderData, renderTable } from '../../output/format.js';
import { type InstallFlags, validateInstallFlags } from '../options/install.js';
import { type CliContext, kubeClient, progress } from '../context.js';
import { confirm } from './install-prompt.js';
import { recordFor, renderInstall } from './install-render.js';
import { interruptible, sleep } from './install-signal.js';

export async function installAction(ctx: CliContext, cmd: Command, flags: InstallFlags): Promise<void> {
  const opts = validateInstallFlags(flags);
  const rendered = await renderInstall(ctx, flags);
  if (opts.dryRun === 'client') {
    // The same printer as `mesh manifest generate`.
    const { toYaml } = await import('../../render/index.js');
    ctx.stdout.write(flags.output === 'json' ? renderData('json', rendered.objects) : toYaml(rendered.objects));
    return;
  }
  const kube = await kubeClient(ctx, cmd);
  const out = await progress(ctx);
  const record = recordFor(rendered, { files: flags.filename ?? [], sets: flags.set ?? [] });
  const plan = await planInstall(kube, [...rendered.objects, record], {
    revision: rendered.revision,
    version: ISTIO_VERSION,
    namespace: rendered.namespace,
    takeOver: flags.takeOver === true,
  });

  if (opts.dryRun === 'server') {
    ctx.stdout.write(flags.output === 'json' || flags.output === 'yaml' ? renderData(flags.output, planData(plan)) : planTable(plan));
    rejectInvalid(plan, out);
    for (const line of otherRevisionLines(plan)) out.info(line);
    out.info(`${planSummary(plan)} (dry run: nothing was changed)`);
    const notChecked = plan.objects.filter((p) => p.serverCheck?.result === 'not-checked').length;
    if (notChecked > 0)
      out.info(
        `${notChecked} new object${notChecked === 1 ? ' was' : 's were'} not sent to the API server: ${notChecked === 1 ? 'its' : 'their'} CRD or namespace comes with this install.`,
      );
    return;
  }

  rejectInvalid(plan, out);
  for (const w of versionWarnings(plan)) out.warn(w);
  for (const line of otherRevisionLines(plan)) out.info(line);
  const changing = hasChanges(plan);
  if (!changing) {
    out.info(`No changes: the ${plan.objects.length} rendered objects already match the cluster.`);
  } else {
    out.info(planSummary(plan));
    for (const line of pruneLines(plan)) out.info(line);
    if (!opts.skipConfirmation) await confirm(ctx, installQuestion(rendered.profile, kube.info()), 'install');
  }
  await interruptible(out, async (signal) => {
    await executeInstall(plan, { kube, progress: out, now: () => ctx.now().getTime(), sleep, signal }, { readinessTimeoutMs: opts.readinessTimeoutMs });
  });
  out.info(changing ? '✔ Installation complete' : '✔ Installation complete (nothing changed)');
}

export function versionWarnings(plan: InstallPlan): string[] {
  if (plan.existingVersion === undefined) return [];
  const change = versionChange(plan.existingVersion, plan.targetVersion);
  if (change === 'same') return [];
  const rev = plan.revision === 'default' ? 'the default revision' : `revision "${plan.revision}"`;
  return [
    `Istio is being ${change === 'upgrade' ? 'upgraded' : 'downgraded'} from ${plan.existingVersion} to ${plan.targetVersion} in place (${rev}).`,
    `This replaces the running control plane; to move workloads over gradually, install the new version beside it with a revision (mesh install -r ${plan.targetVersion.replace(/\./g, '-')}) and switch namespaces with istio.io/rev.`,
  ];
}

/** What this install leaves to another revision, and how to move it. */
export function otherRevisionLines(plan: InstallPlan): string[] {
  if (plan.otherRevision.length === 0) return [];
  const byOwner = new Map<string, string[]>();
  for (const o of plan.otherRevision) byOwner.set(o.owner, [...(byOwner.get(o.owner) ?? []), slashName(o.object)]);
  return [
    ...[...byOwner].map(([owner, names]) => `Left to revision ${owner}, which installed ${names.length === 1 ? 'it' : 'them'}: ${names.join(', ')}`),
    `  (not changed and not taken over by revision ${plan.revision}; --take-over moves ${plan.otherRevision.length === 1 ? 'it' : 'them'} to this revision)`,
  ];
}

/** The confirmation question: what is installed, and into which cluster (the kube context and its server). */
export function installQuestion(profile: string, cluster: { context: string; server: string }): string {
  return `This will install the Istio ${ISTIO_VERSION} profile "${profile}" into the cluster of context "${cluster.context}" (${cluster.server}).`;
}

/** What the install removes, named before the prompt (at most 20 lines). */
export function pruneLines(plan: InstallPlan): string[] {
  if (plan.prune.length === 0) return [];
  const names = plan.prune.map(slashName);
  return [
    `To be removed (this installation's, no longer rendered):`,
    ...names.slice(0, 20).map((n) => `  ${n}`),
    ...(names.length > 20 ? [`  … and ${names.length - 20} more`] : []),
  ];
}

export function planSummary(plan: InstallPlan): string {
  const c = countActions(plan);
  const ns = plan.namespaces.length > 0 ? `${plan.namespaces.length} namespace${plan.namespaces.length === 1 ? '' : 's'} to create, ` : '';
  const left = plan.otherRevision.length > 0 ? `, ${plan.otherRevision.length} left to another revision` : '';
  return `Plan: ${ns}${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged, ${c.prune} to prune${left}.`;
}

/** New objects the API server refused in the plan's dry run: nothing is changed, exit 65. */
function rejectInvalid(plan: InstallPlan, out: { warn(text: string): void }): void {
  const rejected = plan.objects.flatMap((p) => (p.serverCheck?.result === 'rejected' ? [p.serverCheck.error] : []));
  for (const e of rejected.slice(1)) out.warn(e.message);
  if (rejected[0] === undefined) return;
  const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more, above)` : '';
  throw new InputError(
    `the API server rejected ${rejected.length} new object${rejected.length === 1 ? '' : 's'}, nothing was changed${more}: ${rejected[0].message}`,
  );
}

function serverCheckText(c: ServerCheck): string {
  return c.result === 'accepted'
    ? `accepted by the API server (dry run${c.note ? `, ${c.note}` : ''})`
    : c.result === 'rejected'
      ? 'REJECTED by the API server (dry run)'
      : `not checked: ${c.why}`;
}

/** The plan as data (install --dry-run=server -o json|yaml). */
export function planData(plan: InstallPlan): unknown {
  const check = (c: ServerCheck | undefined): unknown =>
    c === undefined ? undefined : c.result === 'rejected' ? { result: c.result, error: c.error.message } : c;
  return {
    revision: plan.revision,
    version: plan.targetVersion,
    summary: countActions(plan),
    namespaces: plan.namespaces,
    objects: plan.objects.map((p) => ({
      action: p.action,
      component: p.component,
      object: slashName(p.object),
      changes: p.changes,
      ...(p.serverCheck !== undefined ? { serverCheck: check(p.serverCheck) } : {}),
    })),
    prune: plan.prune.map(slashName),
    otherRevision: plan.otherRevision.map((o) => ({ component: o.component, object: slashName(o.object), owner: o.owner })),
  };
}

export function planTable(plan: InstallPlan): string {
  const rows: { action: string; component: string; object: string; changes: string }[] = [
    ...plan.namespaces.map((n) => ({ action: 'create', component: '', object: `Namespace/${n}`, changes: '' })),
    ...plan.objects.map((p) => ({
      action: p.action,
      component: displayName(p.component),
      object: slashName(p.object),
      changes: p.serverCheck !== undefined ? serverCheckText(p.serverCheck) : p.changes.join(', '),
    })),
    ...plan.otherRevision.map((o) => ({
      action: 'leave',
      component: displayName(o.component),
      object: slashName(o.object),
      changes: `owned by revision ${o.owner}`,
    })),
    ...plan.prune.map((o) => ({ action: 'prune', component: o.metadata.labels?.['operator.istio.io/component'] ?? '', object: slashName(o), changes: '' })),
  ];
  return renderTable(rows, [
    { header: 'ACTION', value: (r) => r.action },
    { header: 'COMPONENT', value: (r) => r.component },
    { header: 'OBJECT', value: (r) => r.object },
    { header: 'CHANGES', value: (r) => r.changes },
  ]);
}
