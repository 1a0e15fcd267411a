import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function registerProxyStatus(program: Command, _ctx: CliContext): void {
  program
    .command('proxy-status [pod]')
    .alias('ps')
    .description("each proxy's sync state with the control plane, and which are outdated")
    .action(async () => {
      throw new MeshError('proxy-status is not implemented yet');
    });
}
