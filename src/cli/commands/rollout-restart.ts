import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type RolloutRestartFlags, addRolloutRestartOptions } from '../options/rollout-restart.js';

export function registerRolloutRestart(program: Command, ctx: CliContext): void {
  addRolloutRestartOptions(
    program.command('rollout-restart').description('restart the workloads of a namespace a few at a time so their sidecars pick up the current proxy'),
  )
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
