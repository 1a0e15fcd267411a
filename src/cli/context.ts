import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { KubeClient } from '../kube/client.js';
import { parseDuration } from './flags.js';
import { type Progress, createProgress } from '../output/progress.js';
import { useColor, useSpinner } from '../output/terminal.js';

/** Everything a command action may touch of the process. Built once in main.ts. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Current time; injected so core code never reads the clock itself. */
  now: () => Date;
}

/** Options every command inherits from the root program. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  verbose?: boolean;
  /** --request-timeout, as given. */
  requestTimeout?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  const g: GlobalOptions = {};
  if (typeof o['kubeconfig'] === 'string') g.kubeconfig = o['kubeconfig'];
  if (typeof o['context'] === 'string') g.context = o['context'];
  if (o['verbose'] === true) g.verbose = true;
  if (typeof o['requestTimeout'] === 'string') g.requestTimeout = o['requestTimeout'];
  return g;
}

/** --request-timeout in ms (validated before any client is made). */
export function requestTimeoutMs(cmd: Command): number {
  const g = globalOptions(cmd);
  return g.requestTimeout === undefined ? 30_000 : parseDuration('--request-timeout', g.requestTimeout);
}

/**
 * Creates the real Kubernetes client lazily, so commands that need no cluster never load it.
 * `signal` aborts every request of the client (e.g. when a command's --timeout passes).
 */
/** The API server's warnings (kubectl's `Warning: …` lines) go to stderr, each text once. */
export async function kubeClient(ctx: CliContext, cmd: Command, options: { signal?: AbortSignal } = {}): Promise<KubeClient> {
  const timeoutMs = requestTimeoutMs(cmd);
  const { createKubeClient } = await import('../kube/real.js');
  const g = globalOptions(cmd);
  return createKubeClient({
    ...(g.kubeconfig !== undefined ? { kubeconfig: g.kubeconfig } : {}),
    ...(g.context !== undefined ? { context: g.context } : {}),
    requestTimeoutMs: timeoutMs,
    onWarning: (text) => ctx.stderr.write(`Warning: ${text}\n`),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
}

export function colorOn(ctx: CliContext, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  return useColor({ isTTY: stream === 'stdout' ? ctx.stdoutIsTTY : ctx.stderrIsTTY, env: ctx.env });
}

/** Progress reporter on stderr: spinners on a TTY, plain lines otherwise. */
export function progress(ctx: CliContext): Promise<Progress> {
  return createProgress({
    stream: ctx.stderr,
    spinner: useSpinner({ isTTY: ctx.stderrIsTTY, env: ctx.env }),
    color: colorOn(ctx, 'stderr'),
  });
}
