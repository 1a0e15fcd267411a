import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { collect, outputOption } from '../flags.js';

export interface RolloutRestartFlags {
  namespace?: string[];
  allNamespaces?: boolean;
  selector?: string;
  kind: string;
  all?: boolean;
  outdated?: boolean;
  concurrency: string;
  pause: string;
  timeout?: string;
  dryRun?: boolean | string;
  yes?: boolean;
  /** --skip-confirmation, as install and uninstall spell -y. */
  skipConfirmation?: boolean;
  output: string;
  allowDowntime?: boolean;
  includeOndelete?: boolean;
  continueOnError?: boolean;
  istioNamespace: string;
  since?: string;
}

export function registerRolloutRestart(program: Command, ctx: CliContext): void {
  program
    .command('rollout-restart')
    .description('restart the workloads of a namespace a few at a time so their sidecars pick up the current proxy')
    .option('-n, --namespace <namespace>', 'namespace to restart in (repeatable; default: the context namespace)', collect)
    .option('-A, --all-namespaces', 'restart in every namespace')
    .option('-l, --selector <selector>', 'only workloads with these labels (e.g. app=reviews,tier!=db)')
    .addOption(new Option('--kind <kinds>', 'comma-separated kinds to restart').default('deployment,statefulset,daemonset'))
    .option('--all', 'every workload, not only those with (or due) an Istio sidecar')
    .option('--outdated', "only workloads with a pod whose sidecar does not match its namespace's control plane")
    .addOption(new Option('--concurrency <n>', 'how many workloads roll at once').default('1'))
    .addOption(new Option('--pause <duration>', 'wait this long after a workload finishes before starting the next (e.g. 30s)').default('0s'))
    .option('--timeout <duration>', "per workload limit on the whole rollout (default: the workload's progress deadline, counted while it makes no progress)")
    .option('--dry-run [mode]', 'show the plan and change nothing (client, the default), or also send the patches as server dry-runs (server)')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal); --skip-confirmation works too')
    .addOption(new Option('--skip-confirmation', 'same as -y/--yes').hideHelp())
    .addOption(outputOption())
    .option('--allow-downtime', 'also restart workloads whose strategy takes every pod down at once (1 replica with maxSurge 0, single-replica StatefulSets, Recreate)')
    .option('--include-ondelete', 'for StatefulSets/DaemonSets with updateStrategy OnDelete, delete their pods one at a time, waiting for each to be ready')
    .option('--continue-on-error', 'go on with the other workloads when a rollout fails or times out')
    .option('--since <time>', 'resume a run that started at this time (RFC 3339, as the interrupted run prints it): skip workloads restarted since')
    .addOption(new Option('-i, --istio-namespace <namespace>', 'namespace of the control plane (injector ConfigMaps)').default('istio-system'))
    .addHelpText(
      'after',
      `
Examples:
  mesh rollout-restart -n shop --dry-run           show what would be restarted, and why
  mesh rollout-restart -n shop --outdated -y       restart only workloads with an old sidecar
  mesh rollout-restart -A --outdated --concurrency 3 --pause 10s

Exit codes: 0 every rollout finished (or nothing to do); 1 a rollout failed or timed out, the cluster could not
be read, or the confirmation was declined; 64 bad flags, or no -y without a terminal; 130 interrupted (Ctrl-C).
`,
    )
    .action(async (flags: RolloutRestartFlags, cmd: Command) => {
      const { rolloutRestartAction } = await import('../actions/rollout-restart.js');
      await rolloutRestartAction(ctx, cmd, flags);
    });
}
