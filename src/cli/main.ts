import { type CliContext, colorOn } from './context.js';
import { ExitCode } from '../errors.js';
import { createProgram } from './program.js';
import { reportError } from './report.js';

const ctx: CliContext = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  stdinIsTTY: process.stdin.isTTY === true,
  now: () => new Date(),
};

// Writing to a closed pipe (`mesh ... | head`) is not an error worth a stack trace, and it must not
// change the outcome: the command runs to its end and exits with its own code (79 for findings).
// Later writes to the closed stdout are dropped.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

// Ctrl-C where no step handles it (rendering, reading the cluster, planning: before anything
// changes): one line and exit 130, as everywhere. Steps that change the cluster add their own
// handler, which then decides (install, uninstall, rollout-restart).
process.on('SIGINT', function onSigint() {
  if (process.listeners('SIGINT').some((l) => l !== onSigint)) return;
  ctx.stderr.write('\nError: interrupted\n');
  process.exit(ExitCode.Interrupted);
});

const program = createProgram(ctx);
const verbose = process.argv.includes('--verbose');
// No top-level await: the bundle is a CommonJS script (loaded with a code cache, src/cli/boot.ts).
void run();

async function run(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    process.exitCode = report(err);
  }
  // The command is over: nothing it no longer waits for (a port-forward handshake the API server never
  // answers, after proxy-status --timeout) may keep the process alive. Exit once output is flushed.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit();
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    stream.write('', () => resolve());
  });
}

function report(err: unknown): number {
  return reportError(err, { stderr: ctx.stderr, color: colorOn(ctx, 'stderr'), verbose });
}
