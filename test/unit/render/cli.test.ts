/** The render commands through the built CLI (`npm run build` first): exit codes, files, stdin. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { exitCodeOf } from '../../../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'mesh-render-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const mesh = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['bin/mesh', ...args], { encoding: 'utf8', input: input ?? '', env: { ...process.env, NO_COLOR: '1' } });
const kinds = (yaml: string) => parseAllDocuments(yaml).map((d) => `${String(d.get('kind'))}/${String(d.getIn(['metadata', 'name']))}`);

test('manifest generate --profile demo prints the demo control plane as YAML', () => {
  const r = mesh(['manifest', 'generate', '--profile', 'demo']);
  assert.equal(r.status, 0, r.stderr);
  const k = kinds(r.stdout);
  for (const want of [
    'Deployment/istiod',
    'Deployment/istio-ingressgateway',
    'Deployment/istio-egressgateway',
    'MutatingWebhookConfiguration/istio-sidecar-injector',
    'ConfigMap/istio',
  ]) {
    assert.ok(k.includes(want), want);
  }
  assert.match(r.stdout, /image: registry\.istio\.io\/release\/pilot:1\.31\.1/);
});

test('manifest generate: -f - reads stdin; --set wins over it; -r makes a revision', () => {
  const r = mesh(
    ['manifest', 'generate', '-f', '-', '--set', 'components.ingressGateways[0].enabled=false', '-r', 'canary'],
    'spec:\n  profile: minimal\n  values:\n    pilot:\n      traceSampling: 3\n',
  );
  assert.equal(r.status, 0, r.stderr);
  const k = kinds(r.stdout);
  assert.ok(k.includes('Deployment/istiod-canary'));
  assert.ok(!k.some((x) => x.includes('ingressgateway')));
  assert.match(r.stdout, /name: PILOT_TRACE_SAMPLING\n\s+value: "3"/);
});

test('manifest generate: bad flags exit 64 naming the flag; bad files exit 65 naming the file', () => {
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(bad, 'spec:\n  components:\n    pilot:\n      k8s:\n        replicaCont: 2\n');
  let r = mesh(['manifest', 'generate', '-f', bad]);
  assert.equal(r.status, 65);
  assert.match(
    r.stderr,
    /bad\.yaml: unknown field "spec\.components\.pilot\.k8s\.replicaCont" \(did you mean "spec\.components\.pilot\.k8s\.replicaCount"\?\)/,
  );
  r = mesh(['manifest', 'generate', '--set', 'values.global.proxyy.x=1']);
  assert.equal(r.status, 64);
  assert.match(r.stderr, /--set values\.global\.proxyy\.x=1: unknown field/);
  r = mesh(['manifest', 'generate', '-r', 'Bad.Rev']);
  assert.equal(r.status, 64);
  assert.match(r.stderr, /-r\/--revision Bad\.Rev: invalid revision/);
  r = mesh(['manifest', 'generate', '-f', join(tmp, 'missing.yaml')]);
  assert.equal(r.status, 64);
  assert.match(r.stderr, /-f .*missing\.yaml: no such file/);
  r = mesh(['manifest', 'generate', '--profile', 'demoo']);
  assert.equal(r.status, 64);
  assert.match(r.stderr, /unknown profile "demoo" \(did you mean "demo"\?\)/);
});

test('manifest generate --output-file FILE writes the manifest; --output-dir DIR writes one numbered file per component', () => {
  const file = join(tmp, 'out.yaml');
  let r = mesh(['manifest', 'generate', '--output-file', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Wrote \d+ objects to .*out\.yaml\n$/);
  assert.ok(kinds(readFileSync(file, 'utf8')).includes('Deployment/istiod'));
  const dir = join(tmp, 'dir'); // no trailing slash: --output-dir says it is a directory
  r = mesh(['manifest', 'generate', '--profile', 'demo', '--output-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /deprecated/);
  assert.deepEqual(readdirSync(dir).sort(), [
    '.mesh-generated',
    '00-namespaces.yaml',
    '01-base.yaml',
    '02-pilot.yaml',
    '03-ingressgateways.yaml',
    '04-egressgateways.yaml',
  ]);
  assert.deepEqual(
    kinds(readFileSync(join(dir, '04-egressgateways.yaml'), 'utf8')).filter((k) => k.startsWith('Deployment')),
    ['Deployment/istio-egressgateway'],
  );
});

test('manifest generate -o PATH still writes a file or a directory, with one deprecation note on stderr naming the new flags', () => {
  const file = join(tmp, 'old.yaml');
  let r = mesh(['manifest', 'generate', '-o', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const notes = r.stderr.split('\n').filter((l) => l.startsWith('Note:'));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(notes[0]!, /^Note: -o on manifest generate is deprecated .*--output-file FILE or --output-dir DIR/);
  assert.ok(kinds(readFileSync(file, 'utf8')).includes('Deployment/istiod'));
  const dir = join(tmp, 'old-dir') + '/';
  r = mesh(['manifest', 'generate', '--profile', 'minimal', '-o', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^Note: -o on manifest generate is deprecated/);
  assert.deepEqual(readdirSync(dir).sort(), ['.mesh-generated', '00-namespaces.yaml', '01-base.yaml', '02-pilot.yaml']);
});

test('manifest generate: -o, --output-file and --output-dir are one choice (exit 64 naming both); a file is not a directory', () => {
  for (const [args, re] of [
    [['-o', 'a.yaml', '--output-file', 'b.yaml'], /^Error: -o and --output-file: give only one /],
    [['-o', 'out/', '--output-dir', 'out'], /^Error: -o and --output-dir: give only one /],
    [['--output-file', 'a.yaml', '--output-dir', 'out'], /^Error: --output-file and --output-dir: give only one /],
    [['--output-file', tmp], /^Error: --output-file .*: is a directory; use --output-dir /],
    [['--output-dir', join(tmp, 'out.yaml')], /^Error: --output-dir .*out\.yaml: is a file, not a directory; use --output-file /],
    [['--output-file', ''], /^Error: --output-file: the path is empty$/],
    [
      ['--output-file', join(tmp, 'nodir', 'x.yaml')],
      /^Error: --output-file .*x\.yaml: the directory .*nodir does not exist \(a file is written only into an existing directory\)$/,
    ],
    [['--output-dir', join(tmp, 'out.yaml', 'sub')], /^Error: --output-dir .*sub: a part of the path is a file, not a directory$/],
  ] as [string[], RegExp][]) {
    const r = mesh(['manifest', 'generate', ...args]);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(re.source, 'm'), args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('validateManifestGenerate: where to write, and the note for -o', async () => {
  const { validateManifestGenerate } = await import('../../../src/cli/options/manifest.js');
  assert.deepEqual(validateManifestGenerate({}), { target: { kind: 'stdout' } });
  assert.deepEqual(validateManifestGenerate({ outputFile: 'a.yaml' }), { target: { kind: 'file', path: 'a.yaml', flag: '--output-file a.yaml' } });
  assert.deepEqual(validateManifestGenerate({ outputDir: 'out' }), { target: { kind: 'dir', path: 'out', flag: '--output-dir out' } });
  const old = validateManifestGenerate({ output: 'out/' });
  assert.deepEqual(old.target, { kind: 'path', path: 'out/', flag: '-o out/' });
  assert.match(old.deprecation ?? '', /--output-file FILE or --output-dir DIR/);
  assert.throws(
    () => validateManifestGenerate({ output: 'a', outputDir: 'b' }),
    (e: unknown) => exitCodeOf(e) === 64 && /^-o and --output-dir: /.test((e as Error).message),
  );
});

test('manifest generate --output-dir DIR removes the files an earlier run wrote and this one does not, and refuses manifests it did not write (issue 12)', () => {
  const dir = join(tmp, 'stale') + '/';
  let r = mesh(['manifest', 'generate', '--profile', 'ambient', '--output-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readdirSync(dir).includes('03-cni.yaml'));
  r = mesh(['manifest', 'generate', '--profile', 'demo', '--output-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), [
    '.mesh-generated',
    '00-namespaces.yaml',
    '01-base.yaml',
    '02-pilot.yaml',
    '03-ingressgateways.yaml',
    '04-egressgateways.yaml',
  ]);
  assert.match(r.stderr, /Removed 2 files an earlier mesh manifest generate wrote there and this one does not: 03-cni\.yaml, 04-ztunnel\.yaml/);
  writeFileSync(join(dir, 'mine.yaml'), 'kind: ConfigMap\n');
  r = mesh(['manifest', 'generate', '--profile', 'minimal', '--output-dir', dir]);
  assert.equal(r.status, 64, r.stderr);
  assert.match(
    r.stderr,
    /^Error: --output-dir .*stale\/: the directory holds manifests mesh did not write \(mine\.yaml\), which kubectl apply -f would apply too; use an empty or new directory$/m,
  );
  assert.ok(readdirSync(dir).includes('04-egressgateways.yaml'), 'nothing was changed');
  // -o DIR shares the same cleanup
  r = mesh(['manifest', 'generate', '--profile', 'minimal', '-o', dir]);
  assert.equal(r.status, 64, r.stderr);
  assert.match(r.stderr, /^Error: -o .*stale\/: the directory holds manifests mesh did not write/m);
});

test('planOutputDir: without an index only mesh-named files count as mesh-written', async () => {
  const { planOutputDir } = await import('../../../src/render/output-dir.js');
  assert.deepEqual(planOutputDir(['01-base.yaml', '03-cni.yaml', 'README.md', 'x.json'], undefined, ['01-base.yaml']), {
    remove: ['03-cni.yaml'],
    foreign: ['x.json'],
  });
  assert.deepEqual(planOutputDir(['01-base.yaml', '03-cni.yaml'], ['01-base.yaml'], ['01-base.yaml']), { remove: [], foreign: ['03-cni.yaml'] });
});

test('manifest diff: object by object, field by field; exit 0 same, 1 different', () => {
  const a = join(tmp, 'a.yaml');
  const b = join(tmp, 'b.yaml');
  writeFileSync(a, mesh(['manifest', 'generate']).stdout);
  writeFileSync(b, mesh(['manifest', 'generate', '--set', 'values.pilot.autoscaleEnabled=false', '--set', 'components.pilot.k8s.replicaCount=2']).stdout);
  let r = mesh(['manifest', 'diff', a, a]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /No differences \(\d+ objects\)\./);
  r = mesh(['manifest', 'diff', a, b]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /~ Deployment istio-system\/istiod: /);
  assert.match(r.stdout, /spec\.replicas: added 2/);
  assert.match(r.stdout, /- HorizontalPodAutoscaler istio-system\/istiod: only in .*a\.yaml/);
  assert.match(r.stdout, /\+ PodDisruptionBudget istio-system\/istiod: only in .*b\.yaml/);
  r = mesh(['manifest', 'diff', a, b, '-o', 'json']);
  const d = JSON.parse(r.stdout) as { same: boolean; objects: { key: string; status: string }[] };
  assert.equal(d.same, false);
  assert.deepEqual(d.objects.find((o) => o.key === 'HorizontalPodAutoscaler istio-system/istiod')?.status, 'removed');
  writeFileSync(join(tmp, 'broken.yaml'), 'kind: [\n');
  assert.equal(mesh(['manifest', 'diff', a, join(tmp, 'broken.yaml')]).status, 65);
});

test('profile list, dump --config-path, diff', () => {
  let r = mesh(['profile', 'list', '-o', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const names = (JSON.parse(r.stdout) as { name: string }[]).map((p) => p.name);
  for (const p of ['ambient', 'default', 'demo', 'empty', 'minimal', 'preview', 'remote', 'stable']) assert.ok(names.includes(p), p);
  r = mesh(['profile', 'dump', 'demo', '--config-path', 'components.egressGateways']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '- name: istio-egressgateway\n  enabled: true\n');
  r = mesh(['profile', 'dump', 'demo', '--config-path', 'components.pilott']);
  assert.equal(r.status, 64);
  assert.match(r.stderr, /did you mean "components\.pilot"\?/);
  r = mesh(
    ['profile', 'dump', 'minimal', '-f', '-', '--set', 'values.pilot.traceSampling=2', '--config-path', 'values.pilot'],
    'spec:\n  values:\n    pilot:\n      autoscaleMin: 2\n',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'autoscaleMin: 2\ntraceSampling: 2\n');
  r = mesh(['profile', 'diff', 'default', 'minimal']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /spec\.components\.ingressGateways\[name:istio-ingressgateway\]\.enabled: true → false/);
  r = mesh(['profile', 'diff', 'default', 'default']);
  assert.equal(r.status, 0);
});

test('install --dry-run prints the same objects as manifest generate and talks to no cluster', () => {
  const r = mesh(['install', '--profile', 'minimal', '--dry-run', '--kubeconfig', join(tmp, 'no-such-kubeconfig')]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(kinds(r.stdout), kinds(mesh(['manifest', 'generate', '--profile', 'minimal']).stdout));
});

test('a profile given as a file path (by --profile or spec.profile in a -f file)', () => {
  const prof = join(tmp, 'my-profile.yaml');
  writeFileSync(
    prof,
    'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  components:\n    ingressGateways:\n      - name: istio-ingressgateway\n        enabled: false\n',
  );
  let r = mesh(['manifest', 'generate', '--profile', prof]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!kinds(r.stdout).includes('Deployment/istio-ingressgateway'));
  assert.ok(kinds(r.stdout).includes('Deployment/istiod'));
  const overlay = join(tmp, 'overlay.yaml');
  writeFileSync(overlay, `spec:\n  profile: ${prof}\n`);
  r = mesh(['manifest', 'generate', '-f', overlay]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!kinds(r.stdout).includes('Deployment/istio-ingressgateway'));
  writeFileSync(prof, 'spec:\n  bogus: 1\n');
  r = mesh(['manifest', 'generate', '--profile', prof]);
  assert.equal(r.status, 65);
  assert.match(r.stderr, /my-profile\.yaml: unknown field "spec\.bogus"/);
});

test('manifest generate -o json is refused (64): -o is a path here, and a format name is almost surely a slip', () => {
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/mesh'), 'manifest', 'generate', '-o', 'json'], {
    encoding: 'utf8',
    cwd: tmp,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 64, r.stderr);
  assert.match(
    r.stderr,
    /^Error: -o json: on manifest generate -o names a file or directory to write \(the manifests are YAML\); to write a file named json, say --output-file json$/m,
  );
  assert.ok(!readdirSync(tmp).includes('json'));
  const ok = spawnSync(process.execPath, [join(process.cwd(), 'bin/mesh'), 'manifest', 'generate', '-o', './json'], { encoding: 'utf8', cwd: tmp });
  assert.equal(ok.status, 0, ok.stderr);
});
