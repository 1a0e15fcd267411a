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

// No Secret data in analyze's output (issue 11, item 4): the cluster's Secrets are read as metadata
// only, and a Secret file that is broken in the ways users break them is reported by file and line,
// never by quoting its values, in any output format, with --verbose too.
test("analyze reads the cluster's Secrets as metadata only: their data never enters the analysis", async () => {
  const { FakeKubeClient } = await import('../../src/kube/fake.js');
  const { readCluster } = await import('../../src/analyze/io/cluster.js');
  const kube = new FakeKubeClient([
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-cert', namespace: 'istio-system' }, data: { 'tls.key': 'c2VjcmV0LWtleQ==' } },
  ]);
  const snapshot = await readCluster(kube, ['Secret']);
  assert.equal(snapshot.resources.length, 1);
  assert.doesNotMatch(JSON.stringify(snapshot.resources), /c2VjcmV0LWtleQ|tls\.key/);
});

const SECRET_HEAD = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: default\n';
const BROKEN_SECRETS: Record<string, string> = {
  'unterminated quote': 'data:\n  token: "hunterSECRET1\n',
  'tab indentation': 'data:\n\ttoken: hunterSECRET2\n',
  'a mapping on one line': 'data:\n  token: hunterSECRET3: x: y\n',
  'a reserved indicator': 'data:\n  token: @hunterSECRET4\n',
  'an unclosed flow sequence': 'data:\n  token: [hunterSECRET5\n',
  'a repeated key': 'data:\n  token: hunterSECRET6\n  token: hunterSECRET6b\n',
  'data that is not a map': 'data: hunterSECRET7\n',
  'values of the wrong type': 'data:\n  token: {a: hunterSECRET8}\nstringData:\n  k: [hunterSECRET9]\ntype: 5\n',
};

test('a broken Secret file is reported without its values, in every output format and with --verbose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-secret-'));
  const files = Object.entries(BROKEN_SECRETS).map(([name, body], i) => {
    const file = join(dir, `s${i}.yaml`);
    writeFileSync(file, SECRET_HEAD + body);
    return { name, file };
  });
  for (const output of ['json', 'yaml', 'sarif']) {
    for (const { name, file } of files) {
      const r = spawnSync(process.execPath, ['bin/mesh', 'analyze', '--verbose', '--use-kube=false', '-o', output, file], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', KUBECONFIG: join(dir, 'none') },
      });
      assert.ok(r.status === 0 || r.status === 65, `${name} (-o ${output}): exit ${r.status}\n${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /hunterSECRET/, `${name} (-o ${output}) printed a Secret value`);
    }
  }
});
