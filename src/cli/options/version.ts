import type { Command } from 'commander';
import { outputOption } from '../flags.js';

export interface VersionFlags {
  remote?: boolean;
  output: string;
}

export function addVersionOptions(cmd: Command): Command {
  return cmd
    .option('--remote', 'also show control-plane and data-plane versions found in the cluster')
    .addOption(outputOption(['short', 'json', 'yaml'], 'short'));
}
