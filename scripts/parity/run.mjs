// Render parity table: `mesh manifest generate` against the real `istioctl manifest generate`.
//   node scripts/parity/run.mjs                 one line per case
//   node scripts/parity/run.mjs --verbose       and every differing field path
//   node scripts/parity/run.mjs demo values     only these cases, with their field paths
//   --json                                      the results as JSON
// Exits 1 when a difference is not on the allow-list (scripts/parity/allow.mjs) or mesh's RBAC is broader.
// istioctl: MESH_ISTIOCTL, or the one scripts/istio/istio.sh builds (MESH_ISTIO_CACHE). mesh: bin/mesh
// (run `npm run build` first; `npm run parity` does). How it compares: scripts/parity/compare.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CASES, allowed, compareManifests, renderCase } from './compare.mjs';
import { ALLOW } from './allow.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose') || argv.includes('-v');
const json = argv.includes('--json');
const selected = argv.filter((a) => !a.startsWith('-'));

function istioctlPath() {
  if (process.env.MESH_ISTIOCTL) return process.env.MESH_ISTIOCTL;
  const r = spawnSync('bash', [join(repo, 'scripts/istio/istio.sh'), 'paths'], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('ISTIOCTL='));
  return line ? line.slice('ISTIOCTL='.length) : '';
}

const istioctl = istioctlPath();
if (!existsSync(istioctl)) {
  console.error(`istioctl not found (${istioctl || 'no path'}): build it with scripts/istio/istio.sh build, or set MESH_ISTIO_CACHE / MESH_ISTIOCTL`);
  process.exit(2);
}
const unknown = selected.filter((s) => !CASES.some((c) => c.name === s));
if (unknown.length > 0) {
  console.error(`unknown case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.name).join(', ')}`);
  process.exit(64);
}
const cases = selected.length > 0 ? CASES.filter((c) => selected.includes(c.name)) : CASES;
const showPaths = verbose || selected.length > 0;

const results = [];
for (const c of cases) {
  const r = await renderCase(c, { istioctl, mesh: [process.execPath, join(repo, 'bin/mesh')], cwd: repo });
  results.push({ case: c.name, ...compareManifests(r.istioctl, r.mesh) });
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(
  `${pad('case', 21)}${lpad('equal', 6)}${lpad('differ', 7)}${lpad('only-istioctl', 14)}${lpad('only-mesh', 10)}${lpad('fields', 8)}${lpad('differ', 8)}${lpad('allowed', 8)}`,
);
const total = { equal: 0, differing: 0, onlyI: 0, onlyM: 0, fields: 0, diffs: 0, allowed: 0 };
for (const r of results) {
  const diffs = r.differing.reduce((n, d) => n + d.diffs.length, 0);
  const ok = r.differing.reduce((n, d) => n + d.diffs.filter((x) => allowed(ALLOW, r.case, d.key, x.path)).length, 0);
  total.equal += r.equal.length;
  total.differing += r.differing.length;
  total.onlyI += r.onlyIstioctl.length;
  total.onlyM += r.onlyMesh.length;
  total.fields += r.fields;
  total.diffs += diffs;
  total.allowed += ok;
  console.log(
    `${pad(r.case, 21)}${lpad(r.equal.length, 6)}${lpad(r.differing.length, 7)}${lpad(r.onlyIstioctl.length, 14)}${lpad(r.onlyMesh.length, 10)}${lpad(r.fields, 8)}${lpad(diffs, 8)}${lpad(ok, 8)}`,
  );
}
console.log(
  `${pad('total', 21)}${lpad(total.equal, 6)}${lpad(total.differing, 7)}${lpad(total.onlyI, 14)}${lpad(total.onlyM, 10)}${lpad(total.fields, 8)}${lpad(total.diffs, 8)}${lpad(total.allowed, 8)}`,
);
console.log(
  "(objects: equal, differing, only in istioctl, only in mesh; fields: leaf fields of istioctl's objects, differing, of those on the allow-list; CRDs excluded)",
);

const unexplained =
  total.diffs - total.allowed + total.onlyI + results.reduce((n, r) => n + r.onlyMesh.filter((k) => !allowed(ALLOW, r.case, k, '')).length, 0);
console.log(
  unexplained === 0
    ? 'Every difference is on the allow-list (scripts/parity/allow.mjs).'
    : `${unexplained} difference(s) not on the allow-list (run with --verbose or a case name).`,
);
const broader = results.flatMap((r) => r.rbacBroader.map((g) => `${r.case}: ${g}`));
console.log(broader.length === 0 ? 'RBAC: mesh grants nothing istioctl does not.' : `RBAC broader than istioctl:\n  ${broader.join('\n  ')}`);

if (showPaths) {
  for (const r of results) {
    console.log(`\n== ${r.case}`);
    for (const k of r.onlyIstioctl) console.log(`  - ${k}: only in istioctl`);
    for (const k of r.onlyMesh) console.log(`  + ${k}: only in mesh${allowed(ALLOW, r.case, k, '') ? ' (allowed)' : ''}`);
    for (const d of r.differing) {
      console.log(`  ~ ${d.key}: ${d.diffs.length} field(s)`);
      for (const x of d.diffs) {
        const a = allowed(ALLOW, r.case, d.key, x.path);
        const show = (v) => (v === undefined ? '∅' : JSON.stringify(v).slice(0, 160));
        console.log(`      ${x.path}: istioctl ${show(x.istioctl)} | mesh ${show(x.mesh)}${a ? `  (allowed: ${a.reason})` : ''}`);
      }
    }
  }
}

process.exitCode = unexplained === 0 && broader.length === 0 ? 0 : 1;

const crds = join(repo, 'scripts/parity/crds.mjs');
if (existsSync(crds)) {
  const mod = await import(pathToFileURL(crds).href);
  if (typeof mod.crdParity === 'function') {
    const { lines } = await mod.crdParity();
    console.log('\nCRDs (scripts/parity/crds.mjs):');
    for (const l of lines) console.log(l);
  }
}
