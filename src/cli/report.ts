import { CommanderError } from 'commander';
import { ExitCode, MeshError, escapeControl, exitCodeOf } from '../errors.js';

export interface ReportOptions {
  stderr: { write(s: string): unknown };
  /** Colour the "Error:" prefix. */
  color: boolean;
  /** --verbose: print the stack trace too. */
  verbose: boolean;
}

/**
 * Prints a command's error on stderr and returns the exit code: one `Error: …` line, then the
 * error's indented detail lines. Never a stack trace unless --verbose. Control characters in the
 * text (a newline in a flag value, an escape sequence or NUL read from a file) are printed escaped,
 * so the line stays one line and cannot drive the terminal.
 */
export function reportError(err: unknown, options: ReportOptions): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version exit 0.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return ExitCode.Ok;
    }
    return ExitCode.Usage;
  }
  const red = options.color ? (s: string) => `\u001b[31m${s}\u001b[39m` : (s: string) => s;
  const message = err instanceof Error ? err.message : String(err);
  options.stderr.write(`${red('Error:')} ${escapeControl(message)}\n`);
  if (err instanceof MeshError) for (const d of err.details) options.stderr.write(`  ${escapeControl(d)}\n`);
  if (options.verbose && err instanceof Error && err.stack) options.stderr.write(err.stack + '\n');
  else if (!(err instanceof MeshError)) options.stderr.write('(run with --verbose for details)\n');
  return exitCodeOf(err);
}
