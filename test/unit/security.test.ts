// Files that mesh reads as input are data: an exec-credential plugin in one is never run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('a kubeconfig-shaped input file with an exec plugin is analysed as data and its command never runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-exec-'));
  const marker = join(dir, 'ran');
  const file = join(dir, 'config.yaml');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
    users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', `touch ${marker}`] } } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };
  writeFileSync(file, JSON.stringify(config));
  for (const args of [
    ['analyze', '--use-kube=false', file],
    ['manifest', 'generate', '-f', file],
    ['analyze', '--use-kube=false', '--meshConfigFile', file, file],
  ]) {
    spawnSync(process.execPath, ['bin/mesh', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', KUBECONFIG: join(dir, 'none') } });
    assert.equal(existsSync(marker), false, `mesh ${args.join(' ')} ran the plugin`);
  }
});
