// The README's offline examples run as written: every `mesh manifest generate` and `mesh profile` line
// of its sh blocks (and `cat examples/… | mesh …`), in a scratch directory holding examples/, through a
// `mesh` on PATH that runs the built bin/mesh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const repo = resolve(import.meta.dirname, '../../..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const lines: string[] = [];
let inSh = false;
for (const line of readme.split('\n')) {
  if (/^```sh\s*$/.test(line)) inSh = true;
  else if (line.startsWith('```')) inSh = false;
  else if (inSh && /^(cat examples\/\S+ \| )?mesh (manifest generate|profile) /.test(line)) lines.push(line.replace(/\s+#\s.*$/, '').trim());
}

test('the README has offline examples to run', () => {
  assert.ok(lines.length >= 8, lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('examples/my-iop.yaml')));
});

const dir = mkdtempSync(join(tmpdir(), 'mesh-readme-'));
cpSync(join(repo, 'examples'), join(dir, 'examples'), { recursive: true });
writeFileSync(join(dir, 'mesh'), `#!/bin/sh\nexec "${process.execPath}" "${join(repo, 'bin/mesh')}" "$@"\n`);
chmodSync(join(dir, 'mesh'), 0o755);

for (const line of lines) {
  test(`README: ${line}`, () => {
    const r = spawnSync('bash', ['-c', line], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1', KUBECONFIG: join(dir, 'none') },
      maxBuffer: 64 * 1024 * 1024,
    });
    // `profile diff` exits 1 when the profiles differ, as diff(1) does.
    const ok = line.startsWith('mesh profile diff') ? [0, 1] : [0];
    assert.ok(ok.includes(r.status ?? -1), `exit ${r.status}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^Error:/m);
  });
}

// The README's cluster examples: without a cluster they cannot run, but their flags must parse and
// validate (a usage error, exit 64, is checked before the kubeconfig is read), and an install from
// an example file renders as written (with --dry-run, which talks to no cluster).
const clusterLines: string[] = [];
inSh = false;
for (const line of readme.split('\n')) {
  if (/^```sh\s*$/.test(line)) inSh = true;
  else if (line.startsWith('```')) inSh = false;
  else if (inSh && /^mesh /.test(line) && !/^mesh (manifest generate|profile) /.test(line)) clusterLines.push(line.replace(/\s+#\s.*$/, '').trim());
}

test('the README has cluster examples, and the install from examples/my-overlay.yaml renders as written', () => {
  assert.ok(clusterLines.length >= 30, clusterLines.join('\n'));
  const overlay = clusterLines.find((l) => l.startsWith('mesh install -f examples/my-overlay.yaml'));
  assert.ok(overlay, 'the README installs examples/my-overlay.yaml');
  const r = spawnSync('bash', ['-c', `${overlay} --dry-run`], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1', KUBECONFIG: join(dir, 'none') },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /kind: Deployment\n/);
});

for (const line of clusterLines) {
  test(`README (flags only, no cluster): ${line}`, () => {
    const r = spawnSync('bash', ['-c', line], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1', KUBECONFIG: join(dir, 'none'), HOME: dir },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 30_000,
    });
    // What is missing here is the cluster, or files of the user's own (manifests/, a saved dump): not the example's syntax.
    const environment = /kubeconfig|no such file|nothing to analyze/.test(r.stderr);
    assert.ok(r.status !== 64 || environment, `exit ${r.status}\n${r.stderr}`);
  });
}
