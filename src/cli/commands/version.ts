import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type VersionFlags, addVersionOptions } from '../options/version.js';

export function registerVersion(program: Command, ctx: CliContext): void {
  addVersionOptions(
    program.command('version').description('print the mesh version, the Istio version it installs, and (with a cluster) the versions running there'),
  ).action(async (opts: VersionFlags, cmd: Command) => {
    const { versionAction } = await import('../actions/version.js');
    await versionAction(ctx, cmd, opts);
  });
}
