import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion <shell>')
    .description('print a shell completion script (bash, zsh, fish or powershell); e.g. source <(mesh completion bash)')
    .action(async (shell: string) => {
      const { completionAction } = await import('../actions/completion.js');
      completionAction(ctx, shell);
    });
  // What the completion scripts call: the candidates for the last word, one per line.
  program
    .command('__complete [words...]', { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async (words: string[] | undefined, _opts: unknown, cmd: Command) => {
      const { completeAction } = await import('../actions/completion.js');
      const { completionWords } = await import('../completion.js');
      await completeAction(ctx, cmd, completionWords(process.argv) ?? words ?? []);
    });
}
