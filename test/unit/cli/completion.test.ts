import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { type CompletionLookups, complete } from '../../../src/cli/completion.js';
import type { CliContext } from '../../../src/cli/context.js';
import { createProgram } from '../../../src/cli/program.js';

const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const ctx = {
  stdout: sink,
  stderr: sink,
  env: {},
  cwd: process.cwd(),
  stdoutIsTTY: false,
  stderrIsTTY: false,
  stdinIsTTY: false,
  now: () => new Date(),
} as unknown as CliContext;
const asked: string[] = [];
const lookups: CompletionLookups = {
  namespaces: async () => (asked.push('namespaces'), ['bookinfo', 'default', 'istio-system']),
  proxies: async (ns) => (
    asked.push(`proxies ${ns ?? '*'}`),
    ['reviews-1.bookinfo', 'ratings-1.bookinfo', 'gw-1.istio-system'].filter((p) => ns === undefined || p.endsWith(`.${ns}`))
  ),
  revisions: async () => ['default', 'canary'],
  profiles: () => ['default', 'demo', 'minimal'],
  analyzers: () => ['gateway.SecretAnalyzer', 'schema.ValidationAnalyzer'],
  codes: () => ['IST0101', 'IST0102'],
};
const c = (...words: string[]): Promise<string[]> => complete(createProgram(ctx), words, lookups);

test('commands, subcommands and flags from the program itself; hidden commands stay hidden', async () => {
  const top = await c('');
  for (const name of ['install', 'analyze', 'proxy-status', 'proxy-config', 'completion', 'rollout-restart']) assert.ok(top.includes(name), name);
  assert.ok(!top.includes('__complete'));
  assert.deepEqual(await c('pro'), ['profile', 'proxy-config', 'proxy-status']);
  assert.deepEqual(await c('manifest', ''), ['diff', 'generate']);
  assert.ok((await c('rollout-restart', '--')).includes('--include-ondelete'));
  assert.ok((await c('rollout-restart', '--')).includes('--kubeconfig'), 'global flags too');
});

test('flag values: choices, profiles, analyzers and codes, namespaces and revisions from the cluster', async () => {
  assert.deepEqual(await c('ps', '-o', ''), ['json', 'table', 'yaml']);
  assert.deepEqual(await c('install', '--profile', 'de'), ['default', 'demo']);
  assert.deepEqual(await c('install', '--profile=m'), ['--profile=minimal']);
  assert.deepEqual(await c('analyze', '--analyzer', 'g'), ['gateway.SecretAnalyzer']);
  assert.deepEqual(await c('analyze', '--suppress', 'IST0101'), ['IST0101=']);
  assert.deepEqual(await c('rollout-restart', '-n', 'b'), ['bookinfo']);
  assert.deepEqual(await c('uninstall', '-r', ''), ['canary', 'default']);
  assert.deepEqual(await c('analyze', '-r', 'c'), ['canary']);
  assert.deepEqual(await c('analyze', '--revision=d'), ['--revision=default']);
  assert.deepEqual(await c('analyze', '--sel'), ['--selector']);
  assert.deepEqual(await c('analyze', '-l', ''), [], 'a label selector has no candidates');
});

test('positionals: proxies for ps and proxy-config (in -n), proxy-config types, shells, profiles', async () => {
  asked.length = 0;
  assert.deepEqual(await c('ps', ''), ['gw-1.istio-system', 'ratings-1.bookinfo', 'reviews-1.bookinfo']);
  assert.deepEqual(await c('pc', 'cluster', '-n', 'bookinfo', 're'), ['reviews-1.bookinfo']);
  assert.deepEqual(asked, ['proxies *', 'proxies bookinfo']);
  assert.deepEqual(await c('proxy-config', 'r'), ['route']);
  assert.deepEqual(await c('completion', ''), ['bash', 'fish', 'powershell', 'zsh']);
  assert.deepEqual(await c('profile', 'diff', 'default', 'd'), ['default', 'demo']);
});

test('a lookup that fails (no cluster) gives no candidates, not an error', async () => {
  const failing: CompletionLookups = { ...lookups, namespaces: () => Promise.reject(new Error('no kubeconfig')) };
  assert.deepEqual(await complete(createProgram(ctx), ['ps', '-n', ''], failing), []);
});

test('the bash script completes through mesh __complete', { skip: spawnSync('bash', ['--version']).status !== 0 && 'no bash' }, () => {
  const repo = resolve(import.meta.dirname, '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'mesh-complete-'));
  writeFileSync(join(dir, 'mesh'), `#!/bin/sh\nexec "${process.execPath}" "${join(repo, 'bin/mesh')}" "$@"\n`);
  chmodSync(join(dir, 'mesh'), 0o755);
  const script = 'source <(mesh completion bash); COMP_WORDS=(mesh install --pro); COMP_CWORD=2; _mesh_complete; printf "%s\\n" "${COMPREPLY[@]}"';
  const r = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, KUBECONFIG: join(dir, 'none') },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '--profile\n');
});

test('mesh __complete passes a typed `--` through (commander drops it as the end of options): `mesh install --<TAB>` lists flags', () => {
  const run = (...words: string[]) =>
    spawnSync(process.execPath, ['bin/mesh', '__complete', ...words], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } });
  for (const cmd of ['install', 'rollout-restart']) {
    const r = run(cmd, '--');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.includes('--kubeconfig') && lines.includes('--dry-run'), `${cmd} --: ${r.stdout}`);
    assert.ok(
      lines.every((l) => l.startsWith('--')),
      `${cmd} --: ${r.stdout}`,
    );
  }
  assert.equal(run('install', '--pro').stdout, '--profile\n');
  assert.equal(run('install', '--profile', 'dem').stdout, 'demo\n');
});
