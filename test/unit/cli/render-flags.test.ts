// The render flags (-p, -f, -s, -r) come from one builder: manifest generate, install and
// verify-install describe them with the same words.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Command } from 'commander';
import type { CliContext } from '../../../src/cli/context.js';
import { createProgram } from '../../../src/cli/program.js';

function program(): Command {
  const ctx: CliContext = {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: {},
    cwd: process.cwd(),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    now: () => new Date(0),
  };
  return createProgram(ctx);
}

function renderFlagHelp(cmd: Command): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const flag of ['--profile', '--filename', '--set', '--revision']) out[flag] = cmd.options.find((o) => o.long === flag)?.description;
  return out;
}

test('manifest generate, install and verify-install describe -p/-f/-s/-r with the same words', () => {
  const p = program();
  const sub = (path: string[]): Command => {
    let cmd: Command | undefined = p;
    for (const name of path) cmd = cmd?.commands.find((c) => c.name() === name);
    assert.ok(cmd, path.join(' '));
    return cmd;
  };
  const generate = renderFlagHelp(sub(['manifest', 'generate']));
  for (const name of ['install', 'verify-install']) assert.deepEqual(renderFlagHelp(sub([name])), generate, name);
  // Every built-in profile (profiles/*.yaml) is named, and -f says in which order overlays apply.
  const named = new Set((generate['--profile'] ?? '').match(/[a-z][a-z-]*/g));
  for (const f of readdirSync('profiles').filter((f) => f.endsWith('.yaml')))
    assert.ok(named.has(f.replace(/\.yaml$/, '')), `--profile help does not name ${f}`);
  assert.match(generate['--filename'] ?? '', /applied left to right/);
});
