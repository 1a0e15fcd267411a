// Differential test of the injector ConfigMap: for each install variant, Istio's own
// `istio-sidecar-injector[-rev]` (keys config, values) and `istio[-rev]` (key mesh) from
// `istioctl manifest generate`, and mesh's from `mesh manifest generate`, are fed to the real
// `istioctl kube-inject` over a table of workloads; the injected objects must be equal.
//
// Every row runs three ways: Istio's files, mesh's files, and mesh's config + mesh with Istio's
// values, so a message tells a template difference from a values difference. Differences that
// are deliberate are listed in DELIBERATE below and in docs/injection.md, each with its reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { istioctl, istioctlPath, oracleSkip, repoRoot } from './oracle.js';

const HUB = 'registry.istio.io/release';
const TAG = '1.31.1';
const FIXTURES = join(repoRoot, 'test/parity/fixtures/injection');

interface Variant {
  name: string;
  profile: string;
  revision?: string;
  /** --set flags given to both (IstioOperator paths). */
  set?: string[];
  /** Also run every row with ENABLE_NATIVE_SIDECARS=true (kube-inject honours the env var). */
  nativeEnv?: boolean;
  /**
   * Give both sides Istio's `mesh` key: for variants where mesh's `istio` ConfigMap (rendered
   * elsewhere, under its own parity work) is known to differ, so this test still checks the
   * injector ConfigMap. The difference is named in `why`.
   */
  istioMesh?: { why: string };
}

const VARIANTS: Variant[] = [
  { name: 'default', profile: 'default', nativeEnv: true },
  // components.cni.enabled is what turns CNI on in the injector (istioctl copies it to
  // values.pilot.cni.enabled; values.istio_cni.enabled has no effect on the injector).
  { name: 'cni', profile: 'default', set: ['components.cni.enabled=true'] },
  { name: 'canary', profile: 'default', revision: 'canary' },
  { name: 'demo', profile: 'demo' },
  // openshift: CNI through multus (the k8s.v1.cni.cncf.io/networks annotation).
  { name: 'openshift', profile: 'openshift' },
  {
    name: 'ambient',
    profile: 'ambient',
  },
  {
    name: 'values',
    profile: 'default',
    set: [
      'values.global.logAsJson=true',
      'values.global.proxy.holdApplicationUntilProxyStarts=true',
      'values.global.proxy.includeOutboundPorts=8443,9443',
      'values.global.imagePullPolicy=Always',
      'values.global.network=net1',
      'values.global.meshID=mesh1',
      'values.global.multiCluster.clusterName=c1',
      'values.global.proxy.privileged=true',
      'values.global.proxy.excludeOutboundPorts=25,587',
      'values.global.proxy.excludeInboundPorts=9000,9001',
      // config fields: policy, selectors, injectedAnnotations
      'values.global.proxy.autoInject=disabled',
      'values.sidecarInjectorWebhook.injectedAnnotations.team=payments',
      'values.sidecarInjectorWebhook.neverInjectSelector[0].matchLabels.skip=yes',
    ],
  },
];

/**
 * A deliberate difference: rows (variant/fixture, '*' for any) whose objects may differ at `path`
 * (a field path prefix as printed by the diff), and why.
 */
interface Deliberate {
  variant: string;
  fixture: string;
  path: string;
  reason: string;
}
const DELIBERATE: Deliberate[] = [
  {
    variant: 'openshift',
    fixture: 'values',
    path: 'values.pilot.cni.seLinuxOptions',
    reason:
      "mesh's openshift profile carries the CNI chart's platform settings in values.cni, which the istiod chart also publishes as pilot.cni; no template reads it",
  },
];

type J = unknown;

function isObj(v: J): v is Record<string, J> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field-path differences between two parsed values, e.g. `[0].spec.template.spec.containers[1].env[3].value`. */
function diffPaths(a: J, b: J, path = '', out: string[] = []): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffPaths(a[i], b[i], `${path}[${i}]`, out);
  } else if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffPaths(a[k], b[k], `${path}.${k}`, out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${path}: Istio ${JSON.stringify(a)} / mesh ${JSON.stringify(b)}`);
  }
  return out;
}

function docs(text: string): J[] {
  return parseAllDocuments(text).map((d) => d.toJSON() as J);
}

interface Inputs {
  config: string;
  values: string;
  mesh: string;
}

function extract(manifest: string, revision: string, who: string): Inputs {
  const sfx = revision ? `-${revision}` : '';
  let config: string | undefined;
  let values: string | undefined;
  let mesh: string | undefined;
  for (const o of docs(manifest)) {
    if (!isObj(o) || o['kind'] !== 'ConfigMap' || !isObj(o['metadata']) || !isObj(o['data'])) continue;
    const name = o['metadata']['name'];
    if (name === `istio-sidecar-injector${sfx}`) {
      config = String(o['data']['config']);
      values = String(o['data']['values']);
    }
    if (name === `istio${sfx}`) mesh = String(o['data']['mesh']);
  }
  if (config === undefined || values === undefined || mesh === undefined) throw new Error(`${who}: injector or mesh ConfigMap missing`);
  return { config, values, mesh };
}

function istioInputs(v: Variant): Inputs {
  const args = ['manifest', 'generate', '--set', `profile=${v.profile}`, '--set', `hub=${HUB}`, '--set', `tag=${TAG}`];
  for (const s of v.set ?? []) args.push('--set', s);
  if (v.revision) args.push('--revision', v.revision);
  const r = istioctl(args);
  assert.equal(r.code, 0, `istioctl manifest generate: ${r.stderr}`);
  return extract(r.stdout, v.revision ?? '', 'istioctl');
}

function meshInputs(v: Variant): Inputs {
  const args = [join(repoRoot, 'bin/mesh'), 'manifest', 'generate', '--profile', v.profile];
  for (const s of v.set ?? []) args.push('--set', s);
  if (v.revision) args.push('--revision', v.revision);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `mesh manifest generate: ${r.stderr}`);
  return extract(r.stdout, v.revision ?? '', 'mesh');
}

const work = oracleSkip ? '' : mkdtempSync(join(tmpdir(), 'mesh-inject-parity-'));
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function writeInputs(dir: string, i: Inputs): { config: string; values: string; mesh: string } {
  const files = { config: join(work, `${dir}-config`), values: join(work, `${dir}-values`), mesh: join(work, `${dir}-mesh`) };
  writeFileSync(files.config, i.config);
  writeFileSync(files.values, i.values);
  writeFileSync(files.mesh, i.mesh);
  return files;
}

function kubeInject(fixture: string, f: { config: string; values: string; mesh: string }, native: boolean): { ok: boolean; out: J[] | string } {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: process.env['HOME'] ?? '/tmp' };
  if (native) env['ENABLE_NATIVE_SIDECARS'] = 'true';
  else delete env['ENABLE_NATIVE_SIDECARS'];
  const r = spawnSync(
    istioctlPath,
    [
      'kube-inject',
      '--kubeconfig',
      '/nonexistent',
      '-f',
      join(FIXTURES, fixture),
      '--injectConfigFile',
      f.config,
      '--valuesFile',
      f.values,
      '--meshConfigFile',
      f.mesh,
    ],
    { encoding: 'utf8', env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0) return { ok: false, out: `${r.stderr}${r.stdout}`.trim() };
  return { ok: true, out: docs(r.stdout) };
}

const fixtures = oracleSkip
  ? []
  : readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.yaml'))
      .sort();

function allowed(variant: string, fixture: string, line: string): Deliberate | undefined {
  return DELIBERATE.find((d) => (d.variant === '*' || d.variant === variant) && (d.fixture === '*' || d.fixture === fixture) && line.startsWith(d.path));
}

describe('injection parity: mesh injector ConfigMap vs Istio 1.31 through istioctl kube-inject', { skip: oracleSkip || false }, () => {
  for (const v of VARIANTS) {
    describe(`install variant ${v.name}`, () => {
      let istio: Inputs;
      let mesh: Inputs;
      let files: Record<'istio' | 'mesh' | 'istioValues' | 'istioMeshKey', { config: string; values: string; mesh: string }>;

      test('both render the injector and mesh ConfigMaps', () => {
        istio = istioInputs(v);
        mesh = meshInputs(v);
        files = {
          istio: writeInputs(`${v.name}-istio`, istio),
          mesh: writeInputs(`${v.name}-mesh`, v.istioMesh ? { ...mesh, mesh: istio.mesh } : mesh),
          // Each of mesh's keys alone replaced by Istio's: tells which input makes a difference.
          istioValues: writeInputs(`${v.name}-iv`, { ...mesh, values: istio.values, ...(v.istioMesh ? { mesh: istio.mesh } : {}) }),
          istioMeshKey: writeInputs(`${v.name}-im`, { ...mesh, mesh: istio.mesh }),
        };
      });

      test("values key: equal to Istio's once parsed", () => {
        const d = diffPaths(JSON.parse(istio.values), JSON.parse(mesh.values), 'values').filter((l) => !allowed(v.name, 'values', l));
        assert.deepEqual(d, [], `values differ:\n  ${d.join('\n  ')}`);
      });

      test("config key: the same fields as Istio's, and all 8 templates", () => {
        const a = docs(istio.config)[0] as Record<string, J>;
        const b = docs(mesh.config)[0] as Record<string, J>;
        const names = (c: Record<string, J>): string[] => Object.keys(isObj(c['templates']) ? c['templates'] : {}).sort();
        const { templates: _a, ...restA } = a;
        const { templates: _b, ...restB } = b;
        const d = diffPaths(restA, restB, 'config');
        assert.deepEqual(d, [], `config differs:\n  ${d.join('\n  ')}`);
        assert.deepEqual(names(b), names(a));
      });

      for (const native of v.nativeEnv ? [false, true] : [false]) {
        for (const fixture of fixtures) {
          const row = `${fixture}${native ? ' (ENABLE_NATIVE_SIDECARS=true)' : ''}`;
          test(`kube-inject ${row}: equal objects`, () => {
            const want = kubeInject(fixture, files.istio, native);
            assert.ok(want.ok, `Istio's own files fail: ${String(want.out)}`);
            const got = kubeInject(fixture, files.mesh, native);
            assert.ok(got.ok, `mesh's files fail in istioctl kube-inject: ${String(got.out)}`);
            const d = diffPaths(want.out, got.out, '').filter((l) => !allowed(v.name, fixture, l));
            if (d.length === 0) return;
            const equalWith = (f: { config: string; values: string; mesh: string }): boolean => {
              const r = kubeInject(fixture, f, native);
              return r.ok && diffPaths(want.out, r.out, '').filter((l) => !allowed(v.name, fixture, l)).length === 0;
            };
            const cause = equalWith(files.istioValues)
              ? "the VALUES key differs (with Istio's values mesh's ConfigMap gives Istio's output)"
              : !v.istioMesh && equalWith(files.istioMeshKey)
                ? "the MESH config (istio ConfigMap) differs (with Istio's mesh key the output is Istio's)"
                : "the TEMPLATES differ (still different with Istio's values and mesh config)";
            assert.fail(`${v.name} / ${row}: ${cause}\n  ${d.slice(0, 40).join('\n  ')}${d.length > 40 ? `\n  … ${d.length - 40} more` : ''}`);
          });
        }
      }
    });
  }
});

// Read by docs/injection.md's check below: the doc lists exactly the deliberate differences.
test('docs/injection.md lists every deliberate difference of this test', { skip: oracleSkip || false }, () => {
  const doc = readFileSync(join(repoRoot, 'docs/injection.md'), 'utf8');
  for (const d of DELIBERATE) assert.ok(doc.includes(d.path), `docs/injection.md does not mention ${d.path}`);
});
