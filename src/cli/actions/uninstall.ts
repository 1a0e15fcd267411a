import type { Command } from 'commander';
import { executeUninstall, inUseRefusal, planUninstall, proxiesWhere, tagRefusal } from '../../apply/uninstall.js';
import { objectKey, revisionLabelValue, slashName } from '../../apply/labels.js';
import { readInstallRecords } from '../../apply/record.js';
import { renderData } from '../../output/format.js';
import type { KubeClient } from '../../kube/client.js';
import { type UninstallFlags, type UninstallOptions, validateUninstallFlags } from '../options/uninstall.js';
import type { Progress } from '../../output/progress.js';
import { type CliContext, kubeClient, progress } from '../context.js';
import { confirm } from './install-prompt.js';
import { renderInstall, renderRecord } from './install-render.js';
import { interruptible } from './install-signal.js';

export async function uninstallAction(ctx: CliContext, cmd: Command, flags: UninstallFlags): Promise<void> {
  const opts = validateUninstallFlags(flags);
  const out = await progress(ctx);
  for (const w of opts.warnings) out.warn(w);
  let revision: string | undefined;
  let namespace: string | undefined;
  if (opts.revisionFrom === 'flag') revision = flags.revision === 'default' ? undefined : flags.revision;
  if (opts.revisionFrom === 'file') {
    const r = await renderInstall(ctx, { ...(flags.filename ? { filename: flags.filename } : {}), ...(flags.set ? { set: flags.set } : {}) });
    revision = r.revision;
    namespace = r.namespace;
  }
  await runUninstall(ctx, await kubeClient(ctx, cmd), flags, {
    opts,
    out,
    ...(revision !== undefined ? { revision } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  });
}

/** The uninstall itself, once flags are checked and the revision is known: plan, print, confirm, remove. */
export async function runUninstall(
  ctx: CliContext,
  kube: KubeClient,
  flags: UninstallFlags,
  target: { opts: UninstallOptions; out: Progress; revision?: string; namespace?: string },
): Promise<void> {
  const { opts, out, revision, namespace } = target;
  const wantedByOthers = opts.purge ? new Map<string, string>() : await renderedByOtherRevisions(kube, revisionLabelValue(revision));
  const plan = await planUninstall(kube, {
    purge: opts.purge,
    force: opts.force,
    wantedByOthers,
    ...(revision !== undefined ? { revision } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  });
  const rev = revision ?? 'default';
  const what = opts.purge ? 'all Istio control planes and the Istio CRDs' : `the control plane of revision "${rev}"`;

  if (plan.objects.length === 0 && opts.dryRun && (flags.output === 'json' || flags.output === 'yaml')) {
    ctx.stdout.write(
      renderData(flags.output, {
        revision: opts.purge ? null : rev,
        purge: opts.purge,
        objects: [],
        proxies: plan.proxies,
        namespaces: plan.namespaces,
        gateways: [],
        kept: plan.kept,
        tags: plan.tags,
      }),
    );
  }
  if (plan.objects.length === 0) {
    out.info(
      opts.purge
        ? 'Nothing to remove: no Istio control plane and no Istio CRDs found.'
        : `Nothing to remove for revision "${rev}": no objects of it found (mesh version --remote lists the installed revisions).`,
    );
    return;
  }
  const keptBy = new Map<string, string[]>();
  for (const k of plan.kept) keptBy.set(k.revision, [...(keptBy.get(k.revision) ?? []), k.object]);
  for (const [r, names] of keptBy) {
    out.info(
      `Keeping ${names.length === 1 ? names[0] : `${names.length} objects`} that revision ${r} renders too${names.length === 1 ? '' : `: ${names.join(', ')}`} (mesh install -r ${r} --take-over makes ${names.length === 1 ? 'it' : 'them'} that revision's)`,
    );
  }
  if (plan.namespaces.length > 0) {
    out.warn(
      `Namespaces still pointing to ${opts.purge ? 'Istio' : `revision ${rev}`} (their new pods get no sidecar once it is gone): ${plan.namespaces.join(', ')}`,
    );
  }
  if (plan.tags.length > 0) {
    const list = plan.tags.map((t) => `${t.tag} (${t.objects.join(', ')})`).join('; ');
    if (opts.purge || opts.force) out.warn(`Revision tags pointing to ${opts.purge ? 'Istio' : `revision ${rev}`} are removed with it: ${list}`);
    else out.warn(`Revision tags still point to revision ${rev}: ${list}`);
    const refusal = tagRefusal(plan, { ...opts, revision: rev });
    if (refusal !== undefined) throw refusal;
  }
  if (plan.proxies.length > 0) {
    const target = opts.purge ? 'Istio' : `revision ${rev}`;
    out.warn(`There are still ${proxiesWhere(plan.proxies)} using ${target}:`);
    for (const p of plan.proxies.slice(0, 30)) out.info(`  ${p}`);
    if (plan.proxies.length > 30) out.info(`  … and ${plan.proxies.length - 30} more`);
    out.info('  They stop receiving configuration; restart them onto another revision (mesh rollout-restart) or remove their sidecars.');
    const refusal = inUseRefusal(plan, { ...opts, revision: rev });
    if (refusal !== undefined) throw refusal;
  }
  if (plan.gateways.length > 0) {
    out.warn(`These gateways will be removed, with the traffic they serve: ${plan.gateways.join(', ')}`);
  }
  if (opts.dryRun) {
    if (flags.output === 'json' || flags.output === 'yaml') {
      ctx.stdout.write(
        renderData(flags.output, {
          revision: opts.purge ? null : rev,
          purge: opts.purge,
          objects: plan.objects.map(slashName),
          proxies: plan.proxies,
          namespaces: plan.namespaces,
          gateways: plan.gateways,
          kept: plan.kept,
          tags: plan.tags,
        }),
      );
    } else for (const o of plan.objects) ctx.stdout.write(`${slashName(o)}\n`);
    out.info(`Dry run: ${plan.objects.length} objects of ${what} would be removed; nothing was removed.`);
    if (plan.proxies.length > 0 && !opts.force && !opts.purge) out.info('  (with proxies still using it, uninstall refuses unless --force is given)');
    return;
  }
  out.info(`${plan.objects.length} objects of ${what} will be removed.`);
  if (!opts.skipConfirmation)
    await confirm(ctx, `This will remove ${what} from the cluster of context "${kube.info().context}" (${kube.info().server}).`, 'uninstall');
  const step = out.start(`Removing ${what}`);
  await interruptible(out, async (signal) => {
    try {
      await executeUninstall(plan, {
        kube,
        signal,
        onDeleted: (name, existed) => existed && step.update(`Removed ${name}`),
        onWaiting: (left) => step.update(`Waiting for ${left.length === 1 ? left[0] : `${left.length} objects`} to be gone`),
      });
    } catch (err) {
      step.fail(`Removing ${what} failed`);
      throw err;
    }
  });
  step.succeed(`Removed ${plan.objects.length} objects`);
  out.info('✔ Uninstall complete');
}

/** What the other installed revisions render (objectKey → revision), from their install records. */
export async function renderedByOtherRevisions(kube: KubeClient, revision: string): Promise<Map<string, string>> {
  const wanted = new Map<string, string>();
  for (const record of await readInstallRecords(kube)) {
    if (record.revision === revision) continue;
    try {
      for (const o of renderRecord(record).objects) if (!wanted.has(objectKey(o))) wanted.set(objectKey(o), record.revision);
    } catch {
      // A record this mesh cannot render (edited, or from another version): it protects nothing.
    }
  }
  return wanted;
}
