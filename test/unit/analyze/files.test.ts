import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readSources } from '../../../src/analyze/io/files.js';

const FIXTURE = 'test/fixtures/analyze/bookinfo-broken.yaml';

/** A directory laid out as the kubelet mounts a ConfigMap: every entry a symlink through ..data. */
function configMapMount(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-cm-mount-'));
  const stamp = '..2026_12_01_22_00_00.123456789';
  mkdirSync(join(dir, stamp));
  copyFileSync(FIXTURE, join(dir, stamp, 'bookinfo.yaml'));
  symlinkSync(stamp, join(dir, '..data'));
  symlinkSync(join('..data', 'bookinfo.yaml'), join(dir, 'bookinfo.yaml'));
  return dir;
}

test('a mounted ConfigMap (every entry a symlink through ..data) is read, each file once', async () => {
  const dir = configMapMount();
  const r = await readSources([dir], Readable.from([]));
  assert.deepEqual(
    r.sources.map((s) => s.file),
    [join(dir, 'bookinfo.yaml')],
  );
  assert.match(r.sources[0]!.text, /kind: VirtualService/);
  assert.deepEqual(r.notes, []);
});

test('symlinked directories are followed, loops read once, dangling links noted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-links-'));
  mkdirSync(join(dir, 'real'));
  copyFileSync(FIXTURE, join(dir, 'real', 'a.yaml'));
  symlinkSync('real', join(dir, 'linked'));
  symlinkSync('..', join(dir, 'real', 'up'));
  symlinkSync('missing.yaml', join(dir, 'gone.yaml'));
  const r = await readSources([dir], Readable.from([]));
  assert.deepEqual(
    r.sources.map((s) => s.file),
    [join(dir, 'linked', 'a.yaml')],
  );
  assert.deepEqual(r.notes, [`${join(dir, 'gone.yaml')}: a symlink to nothing; skipped`]);
});

test('a directory with nothing to read is said so, not analysed as clean in silence', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-empty-'));
  const r = await readSources([dir], Readable.from([]));
  assert.deepEqual(r.notes, [`${dir}: no .yaml, .yml or .json files in this directory`]);
});

test('mesh analyze DIR on a mounted ConfigMap finds what is in it', () => {
  const dir = configMapMount();
  const r = spawnSync(process.execPath, ['bin/mesh', 'analyze', '--use-kube=false', dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent' },
  });
  assert.equal(r.status, 79, r.stderr);
  assert.match(r.stdout, /IST0101/);
});
