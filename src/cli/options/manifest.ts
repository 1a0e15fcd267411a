import { type Command, Option } from 'commander';
import { type RenderFlags, addRenderOptions } from './render.js';

export interface ManifestGenerateFlags extends RenderFlags {
  output?: string;
}

export interface ManifestDiffFlags {
  ignore?: string;
  output: string;
}

export function addManifestGenerateOptions(cmd: Command): Command {
  return addRenderOptions(cmd).addOption(
    new Option('-o, --output <file|dir>', 'write to a file, or one file per component into a directory (a path ending in / or an existing directory); unlike other commands, -o here is a path, not a format'),
  );
}

export function addManifestDiffOptions(cmd: Command): Command {
  return cmd
    .option('--ignore <paths>', 'comma-separated field paths to ignore, e.g. metadata.labels,spec.replicas')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'));
}
