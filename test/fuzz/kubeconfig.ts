/**
 * Kubeconfig loading (src/kube/real.ts loadKubeConfig) on generated files: it loads, or fails with
 * one of mesh's typed errors in one short printable line naming the file, never the file's bytes.
 * Through the CLI only for files that do not load (a loadable one would make the command connect).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '../../src/errors.js';
import { loadKubeConfig } from '../../src/kube/real.js';
import type { Doc, Generated } from './gen.js';
import { runMesh, violation } from './harness.js';

export const kubeconfigSeed: Doc = {
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'fuzz',
  clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': 'bm90IGEgY2VydA==' } }],
  users: [
    {
      name: 'u',
      user: { token: 'not-a-secret', 'client-certificate-data': 'eA==', exec: { command: 'false', apiVersion: 'client.authentication.k8s.io/v1' } },
    },
  ],
  contexts: [{ name: 'fuzz', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
  preferences: {},
};

/** Loads the file in-process; when that fails, also runs `mesh analyze -k --kubeconfig FILE`. */
export async function kubeconfigCase(g: Generated, dir: string, cli: boolean): Promise<string | undefined> {
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, g.bytes);
  try {
    loadKubeConfig({ kubeconfig: file });
    return undefined;
  } catch (err) {
    if (!(err instanceof MeshError)) return `loadKubeConfig threw ${(err as Error).stack} (${g.how})`;
    const m = err.message;
    if (/[\u0000-\u001f\u007f-\u009f]/.test(m) || m.length > 400 || !m.includes(file))
      return `a kubeconfig error that is not one short printable line naming the file: ${JSON.stringify(m.slice(0, 500))} (${g.how})`;
  }
  if (!cli) return undefined;
  const o = await runMesh(['analyze', '-k', '--kubeconfig', file], { cwd: dir });
  const v = violation(o, { codes: [1, 65], names: [file] });
  if (v === undefined && o.code === 1 && !o.stderr.startsWith('Error: cannot load kubeconfig')) return `exit 1 for a kubeconfig that is bad data: ${o.stderr}`;
  return v === undefined ? undefined : `${v}\n(${g.how})`;
}
