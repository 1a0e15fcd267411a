import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { collect, outputOption } from '../flags.js';

/** The inputs that select what to render: shared by install, verify-install and (with -f) uninstall. */
export interface RenderFlags {
  profile?: string;
  filename?: string[];
  set?: string[];
  revision?: string;
}

export interface InstallFlags extends RenderFlags {
  skipConfirmation?: boolean;
  /** --yes, as rollout-restart spells -y. */
  yes?: boolean;
  /** true when given without a value (commander preset), else the mode. */
  dryRun?: string | boolean;
  readinessTimeout: string;
  takeOver?: boolean;
  /** With --dry-run: table (or YAML manifests for client), json or yaml. */
  output?: string;
}

export interface UninstallFlags {
  revision?: string;
  purge?: boolean;
  filename?: string[];
  set?: string[];
  skipConfirmation?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  /** With --dry-run: the list as text, json or yaml. */
  output?: string;
}

export interface VerifyInstallFlags extends RenderFlags {
  output: string;
}

function renderOptions(cmd: Command): Command {
  return cmd
    .option('-p, --profile <name|file>', 'install profile (default, demo, minimal, empty, remote, preview, stable, ambient) or a profile file')
    .option('-f, --filename <file>', 'IstioOperator overlay file (repeatable, - for stdin)', collect)
    .option('-s, --set <path=value>', 'override one value, e.g. components.pilot.k8s.replicaCount=2 (repeatable)', collect)
    .option('-r, --revision <name>', 'control-plane revision (a DNS-1123 label, e.g. 1-31-1 or canary)');
}

export function registerInstall(program: Command, ctx: CliContext): void {
  renderOptions(
    program
      .command('install')
      .alias('apply')
      .description('install or upgrade an Istio control plane: apply the rendered profile in dependency order and wait until it is ready'),
  )
    .option('-y, --skip-confirmation', 'do not ask for confirmation (required when stdin is not a terminal); --yes works too')
    .addOption(new Option('--yes', 'same as -y/--skip-confirmation').hideHelp())
    .addOption(
      new Option('--dry-run [mode]', 'client: print the rendered manifests; server: show what would change, checked by the API server')
        .choices(['client', 'server'])
        .preset('client'),
    )
    .addOption(new Option('--readiness-timeout <duration>', 'how long to wait for each component to become ready').default('5m'))
    .addOption(new Option('-o, --output <format>', 'with --dry-run: the plan (server) or the manifests (client) as json or yaml').choices(['table', 'json', 'yaml']).default('table'))
    .option('--take-over', 'move objects another revision installed (its gateways, CNI, ztunnel) to this revision; by default they stay with it')
    .addHelpText(
      'after',
      '\nExit codes: 0 installed (or already up to date) and ready; 1 a cluster error, a component not ready in time,\n' +
        'or the confirmation was declined; 64 bad flags, or no terminal to confirm on and no -y; 65 a bad -f file.\n',
    )
    .action(async (flags: InstallFlags, cmd: Command) => {
      const { installAction } = await import('../actions/install.js');
      await installAction(ctx, cmd, flags);
    });

  program
    .command('uninstall')
    .description('remove an Istio control plane: a revision (-r), the one an IstioOperator file describes (-f), or everything (--purge)')
    .option('-r, --revision <name>', 'the control-plane revision to remove (default for the unrevisioned one)')
    .option('--purge', 'remove every Istio control plane and the Istio CRDs (and with them all Istio configuration)')
    .option('-f, --filename <file>', 'IstioOperator file the control plane was installed with (repeatable)', collect)
    .option('-s, --set <path=value>', 'with -f: override one value, as at install', collect)
    .option('-y, --skip-confirmation', 'do not ask for confirmation (required when stdin is not a terminal); --yes works too')
    .addOption(new Option('--yes', 'same as -y/--skip-confirmation').hideHelp())
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--force', 'remove the revision even while proxies still use it (they stop receiving configuration)')
    .addOption(new Option('-o, --output <format>', 'with --dry-run: what would be removed as json or yaml').choices(['text', 'json', 'yaml']).default('text'))
    .addHelpText(
      'after',
      '\nExit codes: 0 removed, or nothing to remove; 1 a cluster error or the confirmation was declined; 64 bad flags or no terminal\n' +
        'to confirm on and no -y; 79 proxies still use the revision (move them first, or --force).\n',
    )
    .action(async (flags: UninstallFlags, cmd: Command) => {
      const { uninstallAction } = await import('../actions/uninstall.js');
      await uninstallAction(ctx, cmd, flags);
    });

  renderOptions(
    program
      .command('verify-install')
      .description('compare the rendered control plane with the cluster: per component what is missing, differs (fields mesh manages) or is not ready'),
  )
    .addOption(outputOption())
    .addHelpText('after', '\nExit codes: 0 everything matches and is ready; 79 something is missing, differs, is not ready or is left over; 1 a cluster error; 64/65 bad flags/files.\n')
    .action(async (flags: VerifyInstallFlags, cmd: Command) => {
      const { verifyInstallAction } = await import('../actions/verify-install.js');
      await verifyInstallAction(ctx, cmd, flags);
    });
}
