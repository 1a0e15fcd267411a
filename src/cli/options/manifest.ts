import { type Command, Option } from 'commander';
import { UsageError, excerpt } from '../../errors.js';
import { type RenderFlags, addRenderOptions } from './render.js';

export interface ManifestGenerateFlags extends RenderFlags {
  /** -o PATH: a file, or a directory when it ends in / or exists (deprecated: -o is a format elsewhere). */
  output?: string;
  outputFile?: string;
  outputDir?: string;
}

/** Where manifest generate writes: stdout, one file, one file per component in a directory, or -o's guess. */
export type ManifestTarget = { kind: 'stdout' } | { kind: 'file' | 'dir' | 'path'; path: string; /** the flag as given, for messages */ flag: string };

export interface ManifestGenerateOptions {
  target: ManifestTarget;
  /** A note for stderr when a deprecated flag was used. */
  deprecation?: string;
}

export interface ManifestDiffFlags {
  ignore?: string;
  output: string;
}

export function addManifestGenerateOptions(cmd: Command): Command {
  return addRenderOptions(cmd)
    .option('--output-file <file>', 'write the manifest to FILE instead of stdout')
    .option(
      '--output-dir <dir>',
      'write one file per component (00-namespaces.yaml, 01-base.yaml, …) into DIR, removing the files an earlier run wrote there and this one does not',
    )
    .addOption(
      new Option(
        '-o, --output <file|dir>',
        'deprecated, use --output-file or --output-dir: a path (a directory when it ends in / or exists), not a format as on the other commands',
      ),
    );
}

/** The output flags of manifest generate: at most one of -o, --output-file, --output-dir (exit 64 naming both). */
export function validateManifestGenerate(flags: ManifestGenerateFlags): ManifestGenerateOptions {
  const given: [string, string][] = [];
  if (flags.output !== undefined) given.push(['-o', flags.output]);
  if (flags.outputFile !== undefined) given.push(['--output-file', flags.outputFile]);
  if (flags.outputDir !== undefined) given.push(['--output-dir', flags.outputDir]);
  if (given.length > 1) {
    throw new UsageError(
      `${given.map(([f]) => f).join(' and ')}: give only one (--output-file FILE for one manifest, --output-dir DIR for one file per component)`,
    );
  }
  for (const [flag, path] of given) if (path === '') throw new UsageError(`${flag}: the path is empty`);
  if (flags.outputFile !== undefined) return { target: { kind: 'file', path: flags.outputFile, flag: `--output-file ${excerpt(flags.outputFile, 200)}` } };
  if (flags.outputDir !== undefined) return { target: { kind: 'dir', path: flags.outputDir, flag: `--output-dir ${excerpt(flags.outputDir, 200)}` } };
  if (flags.output !== undefined) {
    return {
      target: { kind: 'path', path: flags.output, flag: `-o ${excerpt(flags.output, 200)}` },
      deprecation:
        '-o on manifest generate is deprecated (on the other commands -o is an output format): use --output-file FILE or --output-dir DIR; -o PATH still works',
    };
  }
  return { target: { kind: 'stdout' } };
}

export function addManifestDiffOptions(cmd: Command): Command {
  return cmd
    .option('--ignore <paths>', 'comma-separated field paths to ignore, e.g. metadata.labels,spec.replicas')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'));
}
