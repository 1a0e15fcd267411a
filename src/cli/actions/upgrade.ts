import type { Command } from 'commander';
import { chooseRecord, readInstallRecords } from '../../apply/record.js';
import { ClusterError } from '../../errors.js';
import type { KubeClient } from '../../kube/client.js';
import { renderData, renderTable } from '../../output/format.js';
import { type PlannedStep, type UpgradeDeps, type UpgradeResult, runUpgrade } from '../../upgrade/run.js';
import { type CliContext, kubeClient, progress } from '../context.js';
import { type UpgradeFlags, validateUpgradeFlags } from '../options/upgrade.js';
import { confirm } from './install-prompt.js';
import { recordFor, renderRecord } from './install-render.js';
import { renderedByOtherRevisions } from './uninstall.js';
import { interruptible, sleep } from './install-signal.js';

const STATUS_TEXT: Record<PlannedStep['status'], string> = {
  planned: 'PLANNED',
  pending: 'PENDING',
  running: 'RUNNING',
  done: 'DONE',
  failed: 'FAILED',
  skipped: 'SKIPPED',
};

export async function upgradeAction(ctx: CliContext, cmd: Command, flags: UpgradeFlags): Promise<void> {
  const { options, selector, skipConfirmation } = validateUpgradeFlags(flags);
  const kube = await kubeClient(ctx, cmd);
  const out = await progress(ctx);
  if (selector !== undefined) {
    const names = (await kube.list('v1', 'Namespace', { labelSelector: selector })).map((n) => n.metadata.name ?? '').sort();
    if (names.length === 0) throw new ClusterError(`-l/--selector ${selector}: no namespace has these labels`);
    options.namespaces = names;
  }
  // The prompt ends with the signal: Ctrl-C there is an interruption (130), as on every command.
  const deps = (signal: AbortSignal): UpgradeDeps => ({
    kube,
    now: ctx.now,
    progress: out,
    sleep,
    render: (base, revision) => renderFromRecord(kube, base, revision),
    renderedByOthers: (revision) => renderedByOtherRevisions(kube, revision),
    ...(skipConfirmation
      ? {}
      : {
          confirm: async (plan: PlannedStep[], summary: string) => {
            ctx.stderr.write(stepsTable(plan));
            await confirm(ctx, `This will ${summary} in the cluster of context "${kube.info().context}" (${kube.info().server}).`, 'upgrade', signal);
          },
        }),
  });
  const result = await interruptible(out, (signal) => runUpgrade(options, deps(signal), signal));
  print(ctx, flags.output, result);
  out.info(result.message);
}

function print(ctx: CliContext, format: string, r: UpgradeResult): void {
  if (format === 'json' || format === 'yaml') {
    ctx.stdout.write(renderData(format, { from: r.from, to: r.to, outcome: r.outcome, message: r.message, steps: r.steps }));
  } else ctx.stdout.write(stepsTable(r.steps));
}

export function stepsTable(steps: readonly PlannedStep[]): string {
  return renderTable(steps, [
    { header: 'STEP', value: (s) => s.id },
    { header: 'STATUS', value: (s) => STATUS_TEXT[s.status] },
    { header: 'DETAIL', value: (s) => s.detail },
  ]);
}

/** The objects of `revision`, rendered from the install record of `base` (the same install, another revision), with its own record. */
async function renderFromRecord(
  kube: KubeClient,
  base: string,
  revision: string,
): Promise<{ objects: ReturnType<typeof renderRecord>['objects']; namespace: string }> {
  const records = await readInstallRecords(kube);
  const choice = chooseRecord(records, base);
  if (choice.found === undefined) {
    throw new ClusterError(
      `cannot render revision ${revision}: ${choice.reason} (mesh upgrade renders the new revision from the install record that mesh install leaves for ${base}; a control plane installed otherwise cannot be upgraded by mesh yet)`,
    );
  }
  const record = choice.found;
  const rendered = renderRecord(record, revision);
  const recordObject = recordFor(rendered, record);
  return { objects: [...rendered.objects, recordObject], namespace: rendered.namespace };
}
