import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function registerRolloutRestart(program: Command, _ctx: CliContext): void {
  program
    .command('rollout-restart')
    .description('restart the workloads of a namespace one at a time so sidecars pick up a new proxy')
    .action(async () => {
      throw new MeshError('rollout-restart is not implemented yet');
    });
}
