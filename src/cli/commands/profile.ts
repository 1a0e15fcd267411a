import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { collect, outputOption } from '../flags.js';

export function registerProfile(program: Command, ctx: CliContext): void {
  const profile = program.command('profile').description('list, show and compare install profiles');
  profile
    .command('list')
    .description('list the built-in install profiles')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const { profileListAction } = await import('../actions/profile.js');
      profileListAction(ctx, opts);
    });
  profile
    .command('dump [profile]')
    .description('print a profile merged over default, as an IstioOperator (default: the default profile)')
    .option('--config-path <path>', 'print only this subtree of spec, e.g. components.pilot or values.global')
    .option('-f, --filename <file>', 'IstioOperator overlay file laid over the profile (repeatable, - for stdin)', collect)
    .option('-s, --set <path=value>', 'override one field (repeatable), as for manifest generate', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (name: string | undefined, opts: { configPath?: string; output: string; filename?: string[]; set?: string[] }) => {
      const { profileDumpAction } = await import('../actions/profile.js');
      await profileDumpAction(ctx, name ?? 'default', opts);
    });
  profile
    .command('diff <a> <b>')
    .description('show the differences between two profiles, field by field (exit 0 when equal, 1 when they differ)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (a: string, b: string, opts: { output: string }) => {
      const { profileDiffAction } = await import('../actions/profile.js');
      profileDiffAction(ctx, a, b, opts.output);
    });
}
