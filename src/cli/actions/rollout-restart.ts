import type { Command } from 'commander';
import { ClusterError, DeclinedError, InterruptedError, UsageError } from '../../errors.js';
import { renderData, renderTable } from '../../output/format.js';
import type { Progress, Step } from '../../output/progress.js';
import { useSpinner } from '../../output/terminal.js';
import { type OutdatedRow, type PlanItem, type RolloutReport, type RolloutRestartOptions, run } from '../../restart/index.js';
import { actionable } from '../../restart/plan.js';
import { PLAN_COLUMNS, REPORT_COLUMNS } from '../../restart/report.js';
import { ELAPSED } from '../../restart/run.js';
import { restartTimestamp } from '../../restart/status.js';
import { formatDuration } from '../../util/duration.js';
import type { Outcome } from '../../restart/types.js';
import { type RolloutRestartFlags, skipsConfirmation, validateRolloutRestart } from '../options/rollout-restart.js';
import { type CliContext, kubeClient, progress } from '../context.js';
import { confirm } from './install-prompt.js';

export { InterruptedError };

/** How to pick up an interrupted or stopped run: the same command with --since its start. */
export function resumeAdvice(sinceMs: number): string {
  return `run the same command again with --since ${restartTimestamp(new Date(sinceMs))} (it skips the workloads restarted since then, by this run, and restarts the rest)`;
}

const workloadName = (i: PlanItem): string => `${i.kind.toLowerCase()}/${i.name}`;

export function planText(plan: readonly PlanItem[], multiNamespace: boolean): string {
  const cols = multiNamespace ? PLAN_COLUMNS : PLAN_COLUMNS.filter((c) => c.header !== 'NAMESPACE');
  const notes = plan.flatMap((i) =>
    i.notes.filter((n, k) => k > 0 || i.action === 'restart' || i.action === 'delete-pods').map((n) => `  ${workloadName(i)}: ${n}`),
  );
  return renderTable(plan, cols) + (notes.length > 0 ? `\n${notes.join('\n')}\n` : '');
}

export function reportText(report: RolloutReport, multiNamespace: boolean): string {
  const cols = multiNamespace ? REPORT_COLUMNS : REPORT_COLUMNS.filter((c) => c.header !== 'NAMESPACE');
  const s = report.summary;
  const parts = Object.entries<number>(s)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return renderTable(report.workloads, cols) + `\n${parts.join(', ') || 'nothing to do'}\n`;
}

/** After an --outdated run: what still runs an old sidecar, one line each, or that nothing does. */
export function stillOutdatedText(rows: readonly OutdatedRow[]): string {
  if (rows.length === 0) return 'No outdated sidecar is left in the selected namespaces.\n';
  const lines = rows.map((r) => `  ${r.namespace}/${r.kind.toLowerCase()}/${r.name}: ${r.reason}`);
  return `Still outdated (${rows.length}):\n${lines.join('\n')}\n`;
}

/** Per-workload progress: one spinner line per workload in flight on a TTY, plain start/end lines otherwise. */
function progressEvents(p: Progress, spinner: boolean, now: () => number) {
  const lines = new Map<PlanItem, { label: string; text: string; started: number }>();
  const steps = new Map<PlanItem, Step>();
  let board: Step | undefined;
  const boardText = (): string => [...lines.values()].map((l) => `${l.label} ${l.text}`).join('\n  ');
  const endLine = (o: Outcome, label: string, started: number): string =>
    `${label} ${o.result === 'restarted' ? o.message : `${o.result}: ${o.message}`} (${formatDuration(now() - started, ELAPSED)})`;
  return {
    started(item: PlanItem, index: number, total: number) {
      const label = `[${index}/${total}] ${workloadName(item)}`;
      lines.set(item, { label, text: item.action === 'delete-pods' ? 'deleting pods' : 'restarting', started: now() });
      if (spinner) {
        if (board) board.update(boardText());
        else board = p.start(boardText());
      } else steps.set(item, p.start(`${label} ${item.action === 'delete-pods' ? `deleting ${item.pods.length} pod(s) one at a time` : 'restarting'}`));
    },
    progress(item: PlanItem, text: string) {
      const l = lines.get(item);
      if (!l) return;
      l.text = text;
      board?.update(boardText());
    },
    finished(o: Outcome) {
      const l = lines.get(o.item);
      if (!l) return;
      lines.delete(o.item);
      const text = endLine(o, l.label, l.started);
      const ok = o.result === 'restarted' || o.result === 'planned';
      if (spinner && board) {
        if (ok) board.succeed(text);
        else board.fail(text);
        board = lines.size > 0 ? p.start(boardText()) : undefined;
      } else {
        const step = steps.get(o.item);
        if (ok) step?.succeed(text);
        else step?.fail(text);
      }
    },
    /** Ctrl-C: end the spinner line so the report starts on a clean line. */
    close() {
      if (board) board.fail(boardText());
      board = undefined;
    },
  };
}

export async function rolloutRestartAction(ctx: CliContext, cmd: Command, flags: RolloutRestartFlags): Promise<void> {
  // Flags first: a bad flag is exit 64 whether or not there is a kubeconfig. The context's
  // namespace (the default for -n) is only known once the client exists.
  validateRolloutRestart(flags, () => 'default');
  const kube = await kubeClient(ctx, cmd);
  const options = validateRolloutRestart(flags, () => kube.info().namespace);
  const multiNamespace = options.namespaces === 'all' || options.namespaces.length > 1;
  const machine = flags.output === 'json' || flags.output === 'yaml';
  const spinner = useSpinner({ isTTY: ctx.stderrIsTTY, env: ctx.env });
  const p = await progress(ctx);
  const events = progressEvents(p, spinner, () => ctx.now().getTime());

  // A resumed run keeps the original start, so resuming twice still skips what the first run did.
  const runSince = options.sinceMs ?? Math.floor(ctx.now().getTime() / 1000) * 1000;
  const ac = new AbortController();
  let prompting = false;
  const onSigint = (): void => {
    if (prompting) {
      // Ctrl-C at the prompt: nothing has started; the prompt ends as interrupted (130), as on install.
      ac.abort();
      return;
    }
    if (ac.signal.aborted) {
      // A second Ctrl-C: stop waiting at once.
      process.off('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    events.close();
    ctx.stderr.write('\nInterrupted: starting no more restarts (Ctrl-C again to quit at once).\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  let result;
  try {
    result = await run(
      options,
      {
        kube,
        now: ctx.now,
        events,
        planned: (plan, warnings) => {
          for (const w of warnings) p.warn(w);
          if (options.dryRun === 'client') return;
          if (plan.length === 0) return;
          ctx.stderr.write(planText(plan, multiNamespace) + '\n');
        },
        confirm: async (plan) => {
          if (skipsConfirmation(flags)) return true;
          const n = actionable(plan).length;
          if (!ctx.stdinIsTTY) {
            throw new UsageError(
              `refusing to restart ${n} workload${n === 1 ? '' : 's'} without confirmation: stdin is not a terminal; pass -y to proceed, or --dry-run to only show the plan`,
            );
          }
          const what = `Restart ${n} workload${n === 1 ? '' : 's'}${options.concurrency > 1 ? `, ${options.concurrency} at a time,` : ''}`;
          prompting = true;
          try {
            await confirm(ctx, `${what} in the cluster of context "${kube.info().context}" (${kube.info().server}).`, 'restart', ac.signal);
            return true;
          } catch (err) {
            if (err instanceof DeclinedError) return false;
            throw err;
          } finally {
            prompting = false;
          }
        },
      },
      ac.signal,
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
  const { report, plan } = result;

  if (result.declined) throw new DeclinedError('Cancelled; nothing was restarted.');
  if (machine) {
    ctx.stdout.write(renderData(flags.output as 'json' | 'yaml', report));
    if (plan.length === 0) ctx.stderr.write(noWorkloads(options));
  } else if (options.dryRun === 'client') {
    if (plan.length === 0) ctx.stderr.write(noWorkloads(options));
    else ctx.stdout.write(planText(plan, multiNamespace));
  } else if (actionable(plan).length === 0) {
    ctx.stderr.write(plan.length === 0 ? noWorkloads(options) : 'Nothing to restart.\n');
    if (plan.length > 0) ctx.stdout.write(reportText(report, multiNamespace));
  } else ctx.stdout.write(reportText(report, multiNamespace));
  if (!machine && report.stillOutdated !== undefined) ctx.stderr.write(stillOutdatedText(report.stillOutdated));

  if (result.interrupted) {
    const inFlight = report.workloads.filter((w) => w.result === 'interrupted').map((w) => `${w.kind.toLowerCase()}/${w.name}`);
    throw new InterruptedError(
      `interrupted: ${report.summary.restarted} restarted, ${inFlight.length} still rolling (${inFlight.join(', ') || 'none'}), ${report.summary['not-started']} not started`,
      { details: [`to resume, ${resumeAdvice(runSince)}`] },
    );
  }
  const failed = report.workloads.filter((w) => w.result === 'failed' || w.result === 'timeout');
  if (failed.length > 0) {
    const first = failed[0]!;
    const notStarted = report.summary['not-started'];
    throw new ClusterError(
      `rollout of ${first.kind.toLowerCase()} ${first.namespace}/${first.name} ${first.result === 'timeout' ? 'did not finish' : 'failed'}: ${first.message}` +
        (failed.length > 1 ? ` (and ${failed.length - 1} more failed)` : ''),
      {
        details: [
          ...first.problems,
          ...(notStarted > 0
            ? [
                `stopped: ${notStarted} workload${notStarted === 1 ? '' : 's'} not restarted; fix the failure, then ${resumeAdvice(runSince)}; or pass --continue-on-error`,
              ]
            : []),
        ],
      },
    );
  }
}

function noWorkloads(o: RolloutRestartOptions): string {
  const where = o.namespaces === 'all' ? 'any namespace' : `namespace ${o.namespaces.join(', ')}`;
  const what =
    o.mode === 'outdated' ? 'with an outdated sidecar' : o.mode === 'injected' ? 'with (or due) an Istio sidecar (use --all for every workload)' : '';
  return `No workloads ${what} in ${where}.\n`.replace('  ', ' ');
}
