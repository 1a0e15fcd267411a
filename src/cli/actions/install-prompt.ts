/**
 * The confirmation prompt: `… Proceed? (y/N)`, on stderr (stdout is for data, e.g. a plan piped
 * elsewhere, and must not carry a question), answered on stdin.
 */
import { createInterface } from 'node:readline';
import { DeclinedError, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';

/**
 * Asks until the answer is y/yes/n/no (case-insensitive); an empty answer is no. Throws a
 * UsageError without asking when stdin is not a terminal (a pipe would hang or answer by
 * accident), and a DeclinedError "Cancelled." (exit 1) when declined or stdin ends.
 */
export async function confirm(ctx: Pick<CliContext, 'stdin' | 'stderr' | 'stdinIsTTY'>, question: string, what: string): Promise<void> {
  if (!ctx.stdinIsTTY) {
    throw new UsageError(`refusing to ${what} without confirmation: stdin is not a terminal; pass -y (--skip-confirmation) to proceed`);
  }
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (;;) {
      ctx.stderr.write(`${question} Proceed? (y/N) `);
      const next = await lines.next();
      if (next.done) throw new DeclinedError('Cancelled.');
      const answer = String(next.value).trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return;
      if (answer === '' || answer === 'n' || answer === 'no') throw new DeclinedError('Cancelled.');
    }
  } finally {
    rl.close();
  }
}
