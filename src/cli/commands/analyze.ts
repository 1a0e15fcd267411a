import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function registerAnalyze(program: Command, _ctx: CliContext): void {
  program
    .command('analyze [files...]')
    .description('find mistakes in mesh configuration, in files and/or a live cluster')
    .action(async () => {
      throw new MeshError('analyze is not implemented yet');
    });
}
