// Misleading messages of issue 12: each bad flag is one line naming the flag, exit 64, before any request.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ANALYZERS } from '../../../src/analyze/analyzers/index.js';
import { ANALYZE_FORMATS } from '../../../src/analyze/format.js';
import { KIND_IDS } from '../../../src/analyze/kinds.js';
import { validateAnalyzeOptions } from '../../../src/cli/options/analyze.js';
import { validateRolloutRestart } from '../../../src/cli/options/rollout-restart.js';
import { exitCodeOf } from '../../../src/errors.js';
import { labelSelectorSyntaxError } from '../../../src/model/label-selector.js';

const CATALOG = { analyzers: ANALYZERS, formats: ANALYZE_FORMATS, kinds: KIND_IDS };
const usage = (re: RegExp) => (e: unknown) => exitCodeOf(e) === 64 && re.test((e as Error).message);

test('analyze --use-kube=maybe is a bad value of the flag, not a missing file; -k PATH still takes a path', () => {
  const flags = { output: 'log', outputThreshold: 'Info', failureThreshold: 'Error', istioNamespace: 'istio-system' } as never;
  assert.throws(
    () => validateAnalyzeOptions([], { ...(flags as object), useKube: 'maybe' } as never, CATALOG, ['node', 'mesh', 'analyze', '--use-kube=maybe']),
    usage(/^--use-kube: "maybe" is not true or false$/),
  );
  const o = validateAnalyzeOptions([], { ...(flags as object), useKube: 'manifests/' } as never, CATALOG, ['node', 'mesh', 'analyze', '-k', 'manifests/']);
  assert.deepEqual(o.files, ['manifests/']);
});

test('label selectors are checked as kubectl parses them', () => {
  for (const ok of ['app=web', 'app==web', 'tier!=db', 'app', '!app', 'app in (a,b)', 'app notin (a)', 'example.com/team=a,x', 'n>1', 'v=']) {
    assert.equal(labelSelectorSyntaxError(ok), undefined, ok);
  }
  for (const bad of ['===', 'a in (b', 'a,,b', ',a', 'a b', 'UPPER.com/x=y', 'a=b c', 'a=(b)']) {
    assert.notEqual(labelSelectorSyntaxError(bad), undefined, bad);
  }
  const rr = { kind: 'deployment', concurrency: '1', pause: '0s', output: 'table', istioNamespace: 'istio-system' };
  assert.throws(() => validateRolloutRestart({ ...rr, selector: '===' }, () => 'default'), usage(/^-l\/--selector "===": not a label selector: /));
  assert.equal(validateRolloutRestart({ ...rr, selector: 'app=web' }, () => 'default').labelSelector, 'app=web');
});

test('--profile "" names the flag and the profiles, not "is a directory"', () => {
  for (const args of [
    ['--profile', ''],
    ['--set', 'profile='],
  ]) {
    const r = spawnSync(process.execPath, ['bin/mesh', 'manifest', 'generate', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 64, r.stderr);
    assert.match(r.stderr, /^Error: (--profile|--set profile=): the profile name is empty; use one of ambient, default, demo, .*, or a profile file\n$/);
  }
});

test('mesh help CMD shows that command; an unknown one is exit 64 with a suggestion', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['bin/mesh', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  let r = run(['help', 'nosuch']);
  assert.equal(r.status, 64);
  assert.match(r.stderr, /^Error: help: unknown command "nosuch"; commands: version, manifest, /);
  assert.doesNotMatch(r.stderr, /__complete/, 'hidden commands are not offered');
  r = run(['help', 'instal']);
  assert.equal(r.status, 64);
  assert.match(r.stderr, /\(did you mean "install"\?\)/);
  r = run(['help', 'manifest', 'generate']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: mesh manifest generate /);
});

test('-y is --skip-confirmation and --yes on every command that asks (install, uninstall, upgrade, tag set, rollout-restart)', async () => {
  const { validateInstallFlags } = await import('../../../src/cli/options/install.js');
  const { validateUninstallFlags } = await import('../../../src/cli/options/uninstall.js');
  const { validateUpgradeFlags } = await import('../../../src/cli/options/upgrade.js');
  const { tagSkipsConfirmation } = await import('../../../src/cli/options/tag.js');
  const { skipsConfirmation } = await import('../../../src/cli/options/rollout-restart.js');
  const { createProgram } = await import('../../../src/cli/program.js');
  const upgrade = { revision: 'new', istioNamespace: 'istio-system', readinessTimeout: '5m', concurrency: '1', output: 'table' };
  const skips: Record<string, (flags: Record<string, unknown>) => boolean> = {
    install: (f) => validateInstallFlags({ readinessTimeout: '5m', ...f }).skipConfirmation,
    uninstall: (f) => validateUninstallFlags({ revision: 'canary', ...f }).skipConfirmation,
    upgrade: (f) => validateUpgradeFlags({ ...upgrade, ...f }).skipConfirmation,
    'tag set': (f) => tagSkipsConfirmation(f as never),
    'rollout-restart': (f) => skipsConfirmation(f),
  };
  for (const [name, skip] of Object.entries(skips)) {
    for (const spelling of [[], ['-y'], ['--yes'], ['--skip-confirmation']]) {
      // Each spelling as commander parses it on that command, then through the command's own check.
      let cmd = createProgram({} as never) as import('commander').Command;
      for (const word of name.split(' ')) cmd = cmd.commands.find((c) => c.name() === word)!;
      cmd.parseOptions(spelling);
      assert.equal(skip(cmd.opts()), spelling.length > 0, `${name} ${spelling.join(' ')}`);
    }
  }
});

test('declining a prompt is the same error everywhere: DeclinedError, exit 1', async () => {
  const { PassThrough } = await import('node:stream');
  const { confirm } = await import('../../../src/cli/actions/install-prompt.js');
  const { DeclinedError } = await import('../../../src/errors.js');
  const stdin = new PassThrough();
  stdin.end('n\n');
  await assert.rejects(
    confirm({ stdin, stderr: new PassThrough(), stdinIsTTY: true }, 'Q', 'install'),
    (e: unknown) => e instanceof DeclinedError && exitCodeOf(e) === 1,
  );
  const src = (await import('node:fs')).readFileSync('src/cli/actions/rollout-restart.ts', 'utf8');
  assert.match(src, /if \(result\.declined\) throw new DeclinedError\(/);
});

test('Ctrl-C at a confirmation prompt is an interruption (exit 130) on every command, whichever handles SIGINT', async () => {
  const { PassThrough } = await import('node:stream');
  const { confirm } = await import('../../../src/cli/actions/install-prompt.js');
  const { InterruptedError } = await import('../../../src/errors.js');
  // A command with its own SIGINT handler (rollout-restart, upgrade) passes its signal: the prompt
  // ends at once, although no line was typed.
  const ac = new AbortController();
  const asked = confirm({ stdin: new PassThrough(), stderr: new PassThrough(), stdinIsTTY: true }, 'Q', 'restart', ac.signal);
  setTimeout(() => ac.abort(), 10);
  await assert.rejects(asked, (e: unknown) => e instanceof InterruptedError && exitCodeOf(e) === 130 && /nothing was changed/.test((e as Error).message));
  // One prompt for all: no command reads its own answer (rollout-restart had its own, where Ctrl-C was "Cancelled", exit 1).
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = 'src/cli/actions';
  for (const f of readdirSync(dir)) {
    const src = readFileSync(`${dir}/${f}`, 'utf8');
    if (f !== 'install-prompt.ts') assert.doesNotMatch(src, /createInterface|node:readline/, `${f} prompts through confirm()`);
  }
  for (const f of ['rollout-restart.ts', 'upgrade.ts']) {
    assert.match(readFileSync(`${dir}/${f}`, 'utf8'), /await confirm\([\s\S]*?, (ac\.)?signal\);/, `${f} passes its signal to the prompt`);
  }
});

test('a -f/--file that is not there is exit 64 naming the flag given, on every command (proxy-config said 65, and --file for --endpoints-file)', () => {
  const cases: [string[], RegExp][] = [
    [['manifest', 'generate', '-f', 'missing.yaml'], /^Error: -f missing\.yaml: no such file$/],
    [['proxy-config', 'cluster', '-f', 'missing.json'], /^Error: --file missing\.json: no such file$/],
    [['proxy-config', 'endpoint', '--endpoints-file', 'missing.json'], /^Error: --endpoints-file missing\.json: no such file$/],
  ];
  for (const [args, re] of cases) {
    const r = spawnSync(process.execPath, ['bin/mesh', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent' } });
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), re);
  }
  const r = spawnSync(process.execPath, ['bin/mesh', 'proxy-config', 'endpoint', '--endpoints-file', 'package.json'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.notEqual(r.status, 64, 'a readable file is not a usage error');
});

test('proxy-config -f with a file that is not JSON (binary, a secret) names the file, exit 65, without its bytes', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'mesh-notjson-'));
  const cases: [string, string | Buffer][] = [
    ['shadow', 'root:$6$salt$secrethash:20228:0:99999:7:::\n'],
    ['bin.json', Buffer.from([8, 2, 64, 0xef, 0xbf, 0xbd, 5, 27, 0x5b, 0x32, 0x4a, 0xff, 0xfe])],
  ];
  for (const [name, content] of cases) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const r = spawnSync(process.execPath, ['bin/mesh', 'proxy-config', 'cluster', '-f', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 65, r.stderr);
    assert.match(r.stderr, new RegExp(`^Error: --file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON \\(Unexpected token '.*'\\)\n$`));
    assert.doesNotMatch(r.stderr, /salt|secrethash|\\x02|\u001b/);
  }
});

test('version --remote against an unreachable server prints the client version first, then fails (exit 1)', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const kc = join(mkdtempSync(join(tmpdir(), 'mesh-ver-')), 'kc.yaml');
  writeFileSync(
    kc,
    'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n',
  );
  const r = spawnSync(process.execPath, ['bin/mesh', 'version', '--remote', '--kubeconfig', kc, '--request-timeout', '5s'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^client version: \S+\nistio version: 1\.31\.\d+\n$/);
  assert.match(r.stderr, /^Error: .*cannot reach the API server/m);
});
