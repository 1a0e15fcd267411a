import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type PrecheckFlags, addPrecheckOptions } from '../options/precheck.js';

export function registerPrecheck(program: Command, ctx: CliContext): void {
  addPrecheckOptions(
    program.command('precheck').alias('check').description('check that the cluster is ready to install or upgrade Istio 1.31 (exit 79 when a check fails)'),
  ).action(async (opts: PrecheckFlags, cmd: Command) => {
    const { precheckAction } = await import('../actions/precheck.js');
    await precheckAction(ctx, cmd, opts);
  });
}
