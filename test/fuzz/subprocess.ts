/**
 * The built `bin/mesh` as a child process, for a few cases of each target: proves that what the
 * in-process runs check (exit code, one `Error:` line naming the file or flag, no stack trace)
 * holds end to end, through src/cli/main.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Outcome } from './harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export function builtCli(): boolean {
  return existsSync(`${ROOT}dist/cli.js`);
}

export function runBin(argv: readonly string[], options: { cwd: string; stdin?: string | Buffer }): Outcome {
  const r = spawnSync(process.execPath, [`${ROOT}bin/mesh`, ...argv], {
    cwd: options.cwd,
    input: options.stdin ?? '',
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: options.cwd, NO_COLOR: '1' },
    timeout: 60_000,
    maxBuffer: 64 * 2 ** 20,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
