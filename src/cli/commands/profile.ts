import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function registerProfile(program: Command, _ctx: CliContext): void {
  const profile = program.command('profile').description('list, show and compare install profiles');
  profile
    .command('list')
    .description('list the built-in install profiles')
    .action(async () => {
      throw new MeshError('profile list is not implemented yet');
    });
  profile
    .command('dump [profile]')
    .description('print a profile merged over default')
    .option('--config-path <path>', 'print only this subtree, e.g. components.pilot')
    .action(async () => {
      throw new MeshError('profile dump is not implemented yet');
    });
  profile
    .command('diff <a> <b>')
    .description('show the differences between two profiles')
    .action(async () => {
      throw new MeshError('profile diff is not implemented yet');
    });
}
