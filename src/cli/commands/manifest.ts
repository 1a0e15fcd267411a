import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type ManifestDiffFlags, type ManifestGenerateFlags, addManifestDiffOptions, addManifestGenerateOptions } from '../options/manifest.js';

export function registerManifest(program: Command, ctx: CliContext): void {
  const manifest = program.command('manifest').description('render and compare install manifests without a cluster');
  addManifestGenerateOptions(manifest.command('generate').description('render an install profile into Kubernetes manifests (no cluster needed)'))
    .addHelpText(
      'after',
      `
Examples:
  mesh manifest generate --profile demo                          YAML on stdout, ordered for applying
  mesh manifest generate -r canary --output-file canary.yaml     one file
  mesh manifest generate --profile ambient --output-dir out/     one file per component, for kubectl apply -f out/

-o PATH is the older spelling of --output-file/--output-dir (a directory when PATH ends in / or is one); it
still works, with a note on stderr. Give only one of -o, --output-file and --output-dir.

Exit codes: 0 rendered; 64 bad flags (e.g. two output flags, or --output-file naming a directory); 65 a bad -f or profile file.
`,
    )
    .action(async (opts: ManifestGenerateFlags) => {
      const { manifestGenerateAction } = await import('../actions/manifest.js');
      await manifestGenerateAction(ctx, opts);
    });
  addManifestDiffOptions(manifest.command('diff <a> <b>').description('compare two manifest files object by object (exit 0 when equal, 1 when they differ)'))
    .addHelpText('after', '\nExit codes: 0 the manifests are the same; 1 they differ; 64 a missing file; 65 a file that is not valid YAML.\n')
    .action(async (a: string, b: string, opts: ManifestDiffFlags) => {
      const { manifestDiffAction } = await import('../actions/manifest-diff.js');
      await manifestDiffAction(ctx, a, b, opts);
    });
}
