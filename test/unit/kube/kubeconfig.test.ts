// Loading kubeconfigs as kubectl does (issue 12: `--kubeconfig /dev/null` said "Cannot read properties
// of undefined (reading 'clusters')"; `KUBECONFIG=/missing:/good` failed where kubectl skips the missing entry).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { exitCodeOf } from '../../../src/errors.js';
import { loadKubeConfig } from '../../../src/kube/real.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-kc-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const good = join(dir, 'good.yaml');
writeFileSync(
  good,
  'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: "https://k.example:6443"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n',
);
const missing = join(dir, 'missing.yaml');

test('an empty kubeconfig (/dev/null) is named as empty, exit 65', () => {
  const empty = join(dir, 'empty.yaml');
  writeFileSync(empty, '\n');
  for (const f of [empty, '/dev/null']) {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: f }),
      (e: unknown) =>
        exitCodeOf(e) === 65 &&
        (e as Error).message ===
          `kubeconfig ${f}: the file is empty, not a kubeconfig (expected apiVersion: v1, kind: Config with clusters, users and contexts)`,
    );
  }
});

test('missing entries of a kubeconfig list are skipped; a single missing file is still an error', () => {
  const kc = loadKubeConfig({ kubeconfig: [missing, good].join(delimiter) });
  assert.equal(kc.getCurrentCluster()?.server, 'https://k.example:6443');
  assert.throws(
    () => loadKubeConfig({ kubeconfig: missing }),
    /^ClusterError: cannot load kubeconfig .*missing\.yaml: no such file \(set --kubeconfig or KUBECONFIG, or create ~\/\.kube\/config\)$/,
  );
  // The cause in words, not Node's "ENOENT: no such file or directory, open '…'" repeating the path.
  assert.throws(() => loadKubeConfig({ kubeconfig: tmpdir() }), /^ClusterError: cannot load kubeconfig .*: is a directory$/);
  // $KUBECONFIG reaches the loader the same way: it is the --kubeconfig flag's default.
});

test('$KUBECONFIG is the default of --kubeconfig, so a list there is loaded the same way', async () => {
  const { createProgram } = await import('../../../src/cli/program.js');
  const opt = createProgram({} as never).options.find((o) => o.long === '--kubeconfig');
  assert.equal(opt?.envVar, 'KUBECONFIG');
});

test('a binary or control-character kubeconfig is one line naming the file, exit 65, without its bytes', () => {
  const cases = [
    Buffer.concat([Buffer.from('apiVersion: v1\nclusters: SECRET-TOKEN-1234 \u001b[2J\n'), Buffer.from([0, 1, 2, 0xff, 0xfe])]),
    Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]), // gzip
    Buffer.from('\u001b]0;title\u0007SECRET-TOKEN-1234'),
  ];
  cases.forEach((bytes, i) => {
    const f = join(dir, `binary-${i}`);
    writeFileSync(f, bytes);
    assert.throws(
      () => loadKubeConfig({ kubeconfig: f }),
      (e: unknown) => {
        const m = (e as Error).message;
        assert.equal(exitCodeOf(e), 65, m);
        assert.match(m, new RegExp(`^kubeconfig ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a valid kubeconfig: `));
        assert.doesNotMatch(m, /[\u0000-\u001f\u007f-\u009f]|SECRET/); // no control bytes reach the terminal
        return true;
      },
    );
  });
});

test('a client key that is not a key is one line naming the context, before any connection (exit 65)', async () => {
  const { createKubeClient } = await import('../../../src/kube/real.js');
  const f = join(dir, 'bad-key.yaml');
  const junk = Buffer.from('not a key').toString('base64');
  writeFileSync(
    f,
    `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {client-certificate-data: ${junk}, client-key-data: ${junk}}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n`,
  );
  const kube = createKubeClient({ kubeconfig: f });
  await assert.rejects(
    kube.list('v1', 'Pod', { namespace: 'default' }),
    (e: unknown) =>
      exitCodeOf(e) === 65 &&
      /^the kubeconfig's TLS material for context c \(certificate-authority, client-certificate or client-key\) cannot be used: .+$/.test(
        (e as Error).message,
      ) &&
      !(e as Error).message.includes(junk),
  );
});
