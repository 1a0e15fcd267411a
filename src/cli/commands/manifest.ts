import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { collect } from '../flags.js';

/** The render flags `manifest generate`, `install` and `install --dry-run` share. */
export interface RenderFlags {
  profile?: string;
  filename?: string[];
  set?: string[];
  revision?: string;
}

export function addRenderOptions(cmd: Command): Command {
  return cmd
    .option('-p, --profile <name|file>', 'install profile (default, demo, minimal, empty, remote, preview, stable, ambient, openshift, openshift-ambient) or a profile file')
    .option('-f, --filename <file>', 'IstioOperator overlay file (repeatable, applied left to right; - for stdin)', collect)
    .option('-s, --set <path=value>', 'override one field, e.g. components.pilot.k8s.replicaCount=2 or values.global.logAsJson=true (repeatable)', collect)
    .option('-r, --revision <name>', 'control-plane revision (a DNS-1123 label, e.g. canary or 1-31-1)');
}

export function registerManifest(program: Command, ctx: CliContext): void {
  const manifest = program.command('manifest').description('render and compare install manifests without a cluster');
  addRenderOptions(manifest.command('generate').description('render an install profile into Kubernetes manifests (no cluster needed)'))
    .addOption(new Option('-o, --output <file|dir>', 'write to a file, or one file per component into a directory (a path ending in / or an existing directory); unlike other commands, -o here is a path, not a format'))
    .action(async (opts: RenderFlags & { output?: string }) => {
      const { manifestGenerateAction } = await import('../actions/manifest.js');
      await manifestGenerateAction(ctx, opts);
    });
  manifest
    .command('diff <a> <b>')
    .description('compare two manifest files object by object (exit 0 when equal, 1 when they differ)')
    .option('--ignore <paths>', 'comma-separated field paths to ignore, e.g. metadata.labels,spec.replicas')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .addHelpText('after', '\nExit codes: 0 the manifests are the same; 1 they differ; 64 a missing file; 65 a file that is not valid YAML.\n')
    .action(async (a: string, b: string, opts: { ignore?: string; output: string }) => {
      const { manifestDiffAction } = await import('../actions/manifest-diff.js');
      await manifestDiffAction(ctx, a, b, opts);
    });
}
