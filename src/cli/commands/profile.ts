import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import {
  type ProfileDiffFlags,
  type ProfileDumpFlags,
  type ProfileListFlags,
  addProfileDiffOptions,
  addProfileDumpOptions,
  addProfileListOptions,
} from '../options/profile.js';

export function registerProfile(program: Command, ctx: CliContext): void {
  const profile = program.command('profile').description('list, show and compare install profiles');
  addProfileListOptions(profile.command('list').description('list the built-in install profiles')).action(async (opts: ProfileListFlags) => {
    const { profileListAction } = await import('../actions/profile.js');
    profileListAction(ctx, opts);
  });
  addProfileDumpOptions(
    profile.command('dump [profile]').description('print a profile merged over default, as an IstioOperator (default: the default profile)'),
  ).action(async (name: string | undefined, opts: ProfileDumpFlags) => {
    const { profileDumpAction } = await import('../actions/profile.js');
    await profileDumpAction(ctx, name ?? 'default', opts);
  });
  addProfileDiffOptions(
    profile.command('diff <a> <b>').description('show the differences between two profiles, field by field (exit 0 when equal, 1 when they differ)'),
  ).action(async (a: string, b: string, opts: ProfileDiffFlags) => {
    const { profileDiffAction } = await import('../actions/profile.js');
    profileDiffAction(ctx, a, b, opts.output);
  });
}
