import type { Command } from 'commander';
import { outputOption } from '../flags.js';
import { type RenderFlags, addRenderOptions } from './render.js';

export interface VerifyInstallFlags extends RenderFlags {
  output: string;
}

export function addVerifyInstallOptions(cmd: Command): Command {
  return addRenderOptions(cmd).addOption(outputOption());
}
