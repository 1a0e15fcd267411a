import type { Command } from 'commander';
import { executeUninstall, planUninstall } from '../../apply/uninstall.js';
import { slashName } from '../../apply/labels.js';
import { type UninstallFlags, validateUninstallFlags } from '../options/uninstall.js';
import { type CliContext, kubeClient, progress } from '../context.js';
import { confirm } from './install-prompt.js';
import { renderInstall } from './install-render.js';
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
  const kube = await kubeClient(ctx, cmd);
  const plan = await planUninstall(kube, { purge: opts.purge, ...(revision !== undefined ? { revision } : {}), ...(namespace !== undefined ? { namespace } : {}) });
  const what = opts.purge ? 'all Istio control planes and the Istio CRDs' : `the control plane of revision "${revision ?? 'default'}"`;

  if (plan.objects.length === 0) {
    out.info(`Nothing to remove: no objects of ${what} found.`);
    out.info('✔ Uninstall complete');
    return;
  }
  if (plan.proxies.length > 0) {
    out.warn(`There are still ${plan.proxies.length} proxies pointing to ${opts.purge ? 'Istio' : `the control plane revision ${revision ?? 'default'}`}:`);
    for (const p of plan.proxies.slice(0, 30)) out.info(`  ${p}`);
    if (plan.proxies.length > 30) out.info(`  … and ${plan.proxies.length - 30} more`);
    out.info('  They stop receiving configuration; restart them onto another revision (mesh rollout-restart) or remove their sidecars.');
  }
  if (plan.gateways.length > 0) {
    out.warn(`These gateways will be removed, with the traffic they serve: ${plan.gateways.join(', ')}`);
  }
  if (opts.dryRun) {
    for (const o of plan.objects) ctx.stdout.write(`${slashName(o)}\n`);
    out.info(`Dry run: ${plan.objects.length} objects of ${what} would be removed; nothing was removed.`);
    return;
  }
  out.info(`${plan.objects.length} objects of ${what} will be removed.`);
  if (!opts.skipConfirmation) await confirm(ctx, `This will remove ${what} from the cluster.`, 'uninstall');
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
