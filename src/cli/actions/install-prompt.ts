/**
 * The confirmation prompt: `… Proceed? (y/N)`, on stderr (stdout is for data, e.g. a plan piped
 * elsewhere, and must not carry a question), answered on stdin.
 */
import { createInterface } from 'node:readline';
import { DeclinedError, InterruptedError, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';

/**
 * Asks until the answer is y/yes/n/no (case-insensitive); an empty answer is no. Throws a
 * UsageError without asking when stdin is not a terminal (a pipe would hang or answer by
 * accident), and a DeclinedError "Cancelled." (exit 1) when declined or stdin ends. Ctrl-C at the
 * prompt is an interruption (exit 130) on every command: with no handler of its own the CLI's
 * SIGINT handler ends the process; a command that handles SIGINT itself (rollout-restart, upgrade)
 * passes its signal, which ends the prompt with an InterruptedError.
 */
export async function confirm(ctx: Pick<CliContext, 'stdin' | 'stderr' | 'stdinIsTTY'>, question: string, what: string, signal?: AbortSignal): Promise<void> {
  if (!ctx.stdinIsTTY) {
    throw new UsageError(`refusing to ${what} without confirmation: stdin is not a terminal; pass -y (--skip-confirmation) to proceed`);
  }
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      ctx.stderr.write('\n'); // the error starts on its own line, after the ^C the terminal echoed
      reject(new InterruptedError('interrupted at the confirmation prompt; nothing was changed'));
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      ctx.stderr.write(`${question} Proceed? (y/N) `);
      const next = await Promise.race([lines.next(), aborted]);
      if (next.done) throw new DeclinedError('Cancelled.');
      const answer = String(next.value).trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return;
      if (answer === '' || answer === 'n' || answer === 'no') throw new DeclinedError('Cancelled.');
    }
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    rl.close();
  }
}
