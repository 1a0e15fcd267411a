import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { outputOption } from '../flags.js';

export function registerVersion(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description('print the mesh version, the Istio version it installs, and (with a cluster) the versions running there')
    .option('--remote', 'also show control-plane and data-plane versions found in the cluster')
    .addOption(outputOption(['short', 'json', 'yaml'], 'short'))
    .action(async (opts: { remote?: boolean; output: string }, cmd: Command) => {
      const { versionAction } = await import('../actions/version.js');
      await versionAction(ctx, cmd, opts);
    });
}
