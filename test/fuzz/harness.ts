/**
 * The in-process CLI for the fuzz suite: the real commander program (src/cli/program.ts) and the
 * real error reporter (src/cli/report.ts), with stdout/stderr/stdin injected, so one case costs a
 * function call instead of a process. A smaller number of `bin/mesh` subprocess runs (see
 * cli.fuzz.test.ts) prove the same outcomes end to end, through src/cli/main.ts.
 */
import { Readable, Writable } from 'node:stream';
import type { CliContext } from '../../src/cli/context.js';
import { createProgram } from '../../src/cli/program.js';
import { reportError } from '../../src/cli/report.js';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** What threw, when anything did (for the failure message). */
  error?: unknown;
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    cb();
  }
}

/** Runs `mesh <argv>` in this process. */
export async function runMesh(argv: readonly string[], options: { cwd: string; stdin?: string | Buffer; env?: Record<string, string> }): Promise<Outcome> {
  const stdout = new Sink();
  const stderr = new Sink();
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [typeof options.stdin === 'string' ? Buffer.from(options.stdin) : options.stdin]),
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    now: () => new Date(0),
  };
  const program = createProgram(ctx);
  let code = 0;
  let error: unknown;
  try {
    await program.parseAsync(['node', 'mesh', ...argv]);
  } catch (err) {
    error = err;
    code = reportError(err, { stderr: ctx.stderr, color: false, verbose: false });
  }
  return { code, stdout: stdout.text, stderr: stderr.text, ...(error !== undefined ? { error } : {}) };
}

export interface Expectation {
  /** Exit codes this case may end with. */
  codes: readonly number[];
  /** For 64/65: the error line must contain one of these (the file, flag or path it is about). */
  names?: readonly string[];
}

const MAX_LINE = 400;
const MAX_DETAIL_LINES = 21;

/**
 * The robustness contract: no crash (exit 1 or an exception that is not one of mesh's typed
 * errors), no stack trace, and a bad input is one `Error:` line naming the file, path or flag,
 * printable (no control characters) and short (no large echo of the input), with at most the
 * bounded indented detail lines after it. Returns a description of the violation, or undefined.
 */
export function violation(o: Outcome, e: Expectation): string | undefined {
  const why = (s: string): string =>
    `${s}\n--- exit ${o.code}; stderr:\n${o.stderr.slice(0, 2000)}${o.error instanceof Error && !('exitCode' in o.error) ? `\n--- stack:\n${o.error.stack}` : ''}`;
  if (!e.codes.includes(o.code)) return why(`exit code ${o.code}, expected one of ${e.codes.join(', ')}`);
  if (/^\s+at .+[:(]\d+/m.test(o.stderr) || o.stderr.includes('--verbose for details')) return why('a stack trace or an unexpected error');
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(o.stderr)) return why('a control character in stderr');
  const lines = o.stderr.split('\n').filter((l) => l !== '');
  const long = lines.find((l) => l.length > MAX_LINE);
  if (long !== undefined) return why(`a stderr line of ${long.length} characters (at most ${MAX_LINE})`);
  if (o.code === 64 || o.code === 65) {
    const errors = lines.filter((l) => l.startsWith('Error: '));
    if (errors.length !== 1) return why(`${errors.length} "Error:" lines, expected 1`);
    const at = lines.indexOf(errors[0]!);
    const after = lines.slice(at + 1);
    if (after.some((l) => !l.startsWith('  '))) return why('a line after the error that is not an indented detail');
    if (after.length > MAX_DETAIL_LINES) return why(`${after.length} detail lines`);
    if (e.names && !e.names.some((n) => errors[0]!.includes(n))) return why(`the error line names none of ${e.names.join(', ')}`);
  }
  if (o.stdout.includes('IST0001')) return why(`an analyzer failed (IST0001): ${o.stdout.slice(0, 1000)}`);
  return undefined;
}
