import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type InstallFlags, addInstallOptions } from '../options/install.js';
import { type UninstallFlags, addUninstallOptions } from '../options/uninstall.js';
import { type VerifyInstallFlags, addVerifyInstallOptions } from '../options/verify-install.js';

export function registerInstall(program: Command, ctx: CliContext): void {
  addInstallOptions(
    program
      .command('install')
      .alias('apply')
      .description('install or upgrade an Istio control plane: apply the rendered profile in dependency order and wait until it is ready'),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 installed (or already up to date) and ready; 1 a cluster error, a component not ready in time,\n' +
        'or the confirmation was declined; 64 bad flags, or no terminal to confirm on and no -y; 65 a bad -f file.\n',
    )
    .action(async (flags: InstallFlags, cmd: Command) => {
      const { installAction } = await import('../actions/install.js');
      await installAction(ctx, cmd, flags);
    });

  addUninstallOptions(
    program
      .command('uninstall')
      .description('remove an Istio control plane: a revision (-r), the one an IstioOperator file describes (-f), or everything (--purge)'),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 removed, or nothing to remove; 1 a cluster error or the confirmation was declined; 64 bad flags or no terminal\n' +
        'to confirm on and no -y; 79 proxies still use the revision (move them first, or --force).\n',
    )
    .action(async (flags: UninstallFlags, cmd: Command) => {
      const { uninstallAction } = await import('../actions/uninstall.js');
      await uninstallAction(ctx, cmd, flags);
    });

  addVerifyInstallOptions(
    program
      .command('verify-install')
      .description('compare the rendered control plane with the cluster: per component what is missing, differs (fields mesh manages) or is not ready'),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 everything matches and is ready; 79 something is missing, differs, is not ready or is left over; 1 a cluster error; 64/65 bad flags/files.\n',
    )
    .action(async (flags: VerifyInstallFlags, cmd: Command) => {
      const { verifyInstallAction } = await import('../actions/verify-install.js');
      await verifyInstallAction(ctx, cmd, flags);
    });
}
