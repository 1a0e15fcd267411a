import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function registerInstall(program: Command, _ctx: CliContext): void {
  program
    .command('install')
    .description('install or upgrade an Istio control plane')
    .action(async () => {
      throw new MeshError('install is not implemented yet');
    });
  program
    .command('uninstall')
    .description('remove an Istio control plane')
    .action(async () => {
      throw new MeshError('uninstall is not implemented yet');
    });
  program
    .command('verify-install')
    .description('compare the rendered control plane with the cluster')
    .action(async () => {
      throw new MeshError('verify-install is not implemented yet');
    });
}
