import { type Command, Option } from 'commander';
import { collect, outputOption } from '../flags.js';

export interface ProfileListFlags {
  output: string;
}

export interface ProfileDumpFlags {
  configPath?: string;
  output: string;
  filename?: string[];
  set?: string[];
}

export function addProfileListOptions(cmd: Command): Command {
  return cmd.addOption(outputOption());
}

export function addProfileDumpOptions(cmd: Command): Command {
  return cmd
    .option('--config-path <path>', 'print only this subtree of spec, e.g. components.pilot or values.global')
    .option('-f, --filename <file>', 'IstioOperator overlay file laid over the profile (repeatable, - for stdin)', collect)
    .option('-s, --set <path=value>', 'override one field (repeatable), as for manifest generate', collect)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'));
}

export interface ProfileDiffFlags {
  output: string;
}

export function addProfileDiffOptions(cmd: Command): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'));
}
