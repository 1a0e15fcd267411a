#!/usr/bin/env node
// CRD parity: mesh's 15 Istio CustomResourceDefinitions against the ones the real istioctl renders.
//
//   node scripts/parity/crds.mjs            print the report (exit 1 when a field path or rule is missing)
//   import { crdParity } from './crds.mjs'  the same as data, for scripts/parity/run.mjs and the parity test
//
// crdParity({ istioctlPath?, meshRender? }) → { lines: string[], summary }
//   istioctlPath  the istioctl to ask (default: $MESH_ISTIOCTL, else `scripts/istio/istio.sh paths`)
//   meshRender    async () => manifest YAML (string) or objects; default: `node bin/mesh manifest
//                 generate --set profile=default` (needs `npm run build`)
// Both sides render the default profile; only the CustomResourceDefinitions are compared. Per CRD and
// served version it compares:
//   - field paths (`spec.http[].route[].destination.host`, `{}` for map values) with type, format,
//     enum and x-kubernetes-preserve-unknown-fields: Istio's paths that mesh lacks (the API server would
//     prune them from users' objects), paths whose type differs, and paths only mesh declares;
//   - CEL rules (x-kubernetes-validations): how many each side has and, per schema node, which of
//     Istio's rules have no mesh rule at the same node (structural: the rule text is not compared here;
//     test/parity/crds.parity.test.ts evaluates both sides' rules on the same objects), and mesh's rules
//     at nodes where Istio has fewer;
//   - other constraints (bounds, patterns, required, oneOf, list types, …) per path, reported, not failed on.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Istio rules mesh leaves out on purpose (matched by CRD, node and rule text), each with its reason;
 * docs/istio-schemas.md lists them too. The report shows them as "allowed" instead of "no rule".
 */
export const CEL_ALLOW_LIST = [
  {
    crd: 'gateways.networking.istio.io',
    node: 'spec.servers[].tls',
    rule: '(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1',
    reason:
      'Istio carries this expression twice on the node (its second copy is labelled "credentialName or tlsCertificates" ' +
      'but tests credentialNames); mesh has it once. The effect is the same.',
  },
  {
    crd: 'sidecars.networking.istio.io',
    node: 'spec.ingress[].tls',
    rule: '(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1',
    reason: 'as for Gateway servers[].tls: a duplicate of another rule on the same node',
  },
];

/** The istioctl scripts/istio/istio.sh points at (MESH_ISTIOCTL overrides). */
export function defaultIstioctlPath() {
  if (process.env.MESH_ISTIOCTL) return process.env.MESH_ISTIOCTL;
  const r = spawnSync('bash', [join(repoRoot, 'scripts/istio/istio.sh'), 'paths'], { encoding: 'utf8' });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('ISTIOCTL='));
  return line ? line.slice('ISTIOCTL='.length) : '';
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
    cwd: repoRoot,
    env: { ...process.env, HOME: process.env.HOME ?? '/tmp' },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
  return r.stdout;
}

/** The CustomResourceDefinitions of a manifest (YAML text or objects), by name. */
export function crdsOf(manifest) {
  const objects = typeof manifest === 'string' ? parseAllDocuments(manifest).map((d) => d.toJS()) : manifest;
  const out = new Map();
  for (const o of objects) if (o && o.kind === 'CustomResourceDefinition') out.set(o.metadata.name, o);
  return out;
}

/** Istio's CRDs as the real istioctl renders them (default profile). */
export function istioCrdsFromIstioctl(istioctlPath = defaultIstioctlPath()) {
  if (!istioctlPath || !existsSync(istioctlPath)) throw new Error(`istioctl not built (scripts/istio/istio.sh build): ${istioctlPath || 'no path'}`);
  return crdsOf(run(istioctlPath, ['manifest', 'generate', '--set', 'profile=default', '--kubeconfig', '/nonexistent']));
}

/** mesh's CRDs as `mesh manifest generate` renders them. */
export function meshCrdsFromCli() {
  return crdsOf(run(process.execPath, [join(repoRoot, 'bin/mesh'), 'manifest', 'generate', '--set', 'profile=default']));
}

/**
 * Every field path of a schema with what the API server keeps of it: Map(path → { type, format, enum,
 * preserve, nullable, intOrString }). The root is ''; list items add `[]`, map values `{}`.
 */
export function schemaPaths(root) {
  const out = new Map();
  const walk = (node, path) => {
    if (!node || typeof node !== 'object') return;
    if (path !== '') {
      out.set(path, {
        type: node.type ?? (node['x-kubernetes-int-or-string'] ? 'int-or-string' : ''),
        format: node.format ?? '',
        enum: node.enum ? [...node.enum].map(String).sort() : undefined,
        preserve: node['x-kubernetes-preserve-unknown-fields'] === true,
        nullable: node.nullable === true,
      });
    }
    for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${k}` : k);
    if (node.items) walk(node.items, `${path}[]`);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`);
  };
  walk(root, '');
  return out;
}

/** The CEL rules of a schema: [{ path, rule, message }] (path '' is the root object). */
export function schemaRules(root) {
  const out = [];
  const walk = (node, path) => {
    if (!node || typeof node !== 'object') return;
    for (const r of node['x-kubernetes-validations'] ?? []) out.push({ path, rule: r.rule, message: r.message ?? '' });
    for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${k}` : k);
    if (node.items) walk(node.items, `${path}[]`);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`);
  };
  walk(root, '');
  return out;
}

/**
 * Whether mesh's declaration of a path keeps what Istio's keeps: same type (Istio's format/enum may be
 * absent on mesh's side only where mesh is stricter, never the reverse), same free-form-ness.
 */
export function compatible(istio, mesh) {
  const problems = [];
  if (istio.type !== mesh.type) problems.push(`type ${mesh.type || 'none'} ≠ ${istio.type || 'none'}`);
  if (istio.format && mesh.format && istio.format !== mesh.format) problems.push(`format ${mesh.format} ≠ ${istio.format}`);
  if (istio.preserve !== mesh.preserve) problems.push(`preserve-unknown-fields ${mesh.preserve} ≠ ${istio.preserve}`);
  if (istio.enum || mesh.enum) {
    const a = JSON.stringify(istio.enum ?? null);
    const b = JSON.stringify(mesh.enum ?? null);
    if (a !== b) problems.push(`enum ${b} ≠ ${a}`);
  }
  return problems;
}

/** Schema keywords besides type/format/enum that constrain values or merging. */
const CONSTRAINTS = [
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'pattern',
  'required',
  'nullable',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'default',
];

/** Per field path, the constraint keywords whose values differ: [`path keyword: istio=… mesh=…`]. */
export function constraintDiffs(istioRoot, meshRoot) {
  const collect = (root) => {
    const out = new Map();
    const walk = (n, p) => {
      if (!n || typeof n !== 'object') return;
      out.set(p, n);
      for (const [k, ch] of Object.entries(n.properties ?? {})) walk(ch, p ? `${p}.${k}` : k);
      if (n.items) walk(n.items, `${p}[]`);
      if (n.additionalProperties && typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${p}{}`);
    };
    walk(root, '');
    return out;
  };
  const a = collect(istioRoot);
  const b = collect(meshRoot);
  const out = [];
  for (const [p, n] of a) {
    const m = b.get(p);
    if (!m) continue;
    for (const k of CONSTRAINTS) {
      const x = JSON.stringify(n[k]);
      const y = JSON.stringify(m[k]);
      if (x !== y) out.push(`${p || '<root>'} ${k}: istio=${x ?? '-'} mesh=${y ?? '-'}`);
    }
  }
  return out;
}

/** Compares two CRD maps (name → CRD). Pure: no processes. */
export function compareCrds(istio, mesh) {
  const lines = [];
  const summary = {
    crds: istio.size,
    missingCrds: [],
    versions: 0,
    istioPaths: 0,
    missingPaths: 0,
    mismatchedPaths: 0,
    extraPaths: 0,
    istioRules: 0,
    meshRules: 0,
    rulesWithoutCounterpart: 0,
    allowedRules: 0,
    meshOnlyRules: 0,
    constraintDiffs: 0,
    perCrd: {},
  };
  for (const [name, icrd] of [...istio].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const mcrd = mesh.get(name);
    if (!mcrd) {
      summary.missingCrds.push(name);
      lines.push(`${name}: MISSING in mesh`);
      continue;
    }
    const per = {
      missingPaths: [],
      mismatchedPaths: [],
      extraPaths: [],
      istioRules: 0,
      meshRules: 0,
      rulesWithoutCounterpart: [],
      allowedRules: [],
      meshOnlyRules: [],
      constraintDiffs: [],
    };
    summary.perCrd[name] = per;
    for (const iv of icrd.spec.versions) {
      const mv = mcrd.spec.versions.find((v) => v.name === iv.name);
      summary.versions++;
      if (!mv) {
        lines.push(`${name} ${iv.name}: version MISSING in mesh`);
        continue;
      }
      const ip = schemaPaths(iv.schema.openAPIV3Schema);
      const mp = schemaPaths(mv.schema.openAPIV3Schema);
      summary.istioPaths += ip.size;
      for (const [p, d] of ip) {
        const m = mp.get(p);
        if (!m) {
          per.missingPaths.push(`${iv.name} ${p}`);
          continue;
        }
        const problems = compatible(d, m);
        if (problems.length > 0) per.mismatchedPaths.push(`${iv.name} ${p}: ${problems.join(', ')}`);
      }
      for (const p of mp.keys()) if (!ip.has(p)) per.extraPaths.push(`${iv.name} ${p}`);
      for (const d of constraintDiffs(iv.schema.openAPIV3Schema, mv.schema.openAPIV3Schema)) per.constraintDiffs.push(`${iv.name} ${d}`);
      const ir = schemaRules(iv.schema.openAPIV3Schema);
      const mr = schemaRules(mv.schema.openAPIV3Schema);
      per.istioRules += ir.length;
      per.meshRules += mr.length;
      // Per node: Istio's rules beyond the number mesh has at the same node have no counterpart.
      const byPath = (rules) => rules.reduce((m, r) => m.set(r.path, [...(m.get(r.path) ?? []), r]), new Map());
      const mByPath = byPath(mr);
      for (const [p, rules] of byPath(ir)) {
        const have = (mByPath.get(p) ?? []).length;
        // Allow-listed rules are matched last, so they are the ones left over.
        const allowed = (r) => CEL_ALLOW_LIST.some((a) => a.crd === name && a.node === p && a.rule === r.rule);
        const ordered = [...rules.filter((r) => !allowed(r)), ...rules.filter(allowed)];
        for (const r of ordered.slice(have)) {
          const text = `${iv.name} ${p || '<root>'}: ${r.rule.replace(/\s+/g, ' ')}`;
          if (allowed(r)) per.allowedRules.push(text);
          else per.rulesWithoutCounterpart.push(text);
        }
      }
      const iByPath = byPath(ir);
      for (const [p, rules] of mByPath) {
        const have = (iByPath.get(p) ?? []).length;
        for (const r of rules.slice(have)) per.meshOnlyRules.push(`${iv.name} ${p || '<root>'}: ${r.rule}`);
      }
    }
    summary.missingPaths += per.missingPaths.length;
    summary.mismatchedPaths += per.mismatchedPaths.length;
    summary.extraPaths += per.extraPaths.length;
    summary.istioRules += per.istioRules;
    summary.meshRules += per.meshRules;
    summary.rulesWithoutCounterpart += per.rulesWithoutCounterpart.length;
    summary.meshOnlyRules += per.meshOnlyRules.length;
    summary.allowedRules += per.allowedRules.length;
    summary.constraintDiffs += per.constraintDiffs.length;
    const ok = per.missingPaths.length === 0 && per.mismatchedPaths.length === 0 && per.rulesWithoutCounterpart.length === 0;
    lines.push(
      `${ok ? 'ok  ' : 'DIFF'} ${name}: ${per.missingPaths.length} paths missing, ${per.mismatchedPaths.length} mismatched, ` +
        `${per.extraPaths.length} only in mesh; CEL rules istio ${per.istioRules} / mesh ${per.meshRules}, ` +
        `${per.rulesWithoutCounterpart.length} without counterpart (+${per.allowedRules.length} allowed), ${per.meshOnlyRules.length} only in mesh; ${per.constraintDiffs.length} constraint differences`,
    );
    for (const p of per.missingPaths) lines.push(`    missing   ${p}`);
    for (const p of per.mismatchedPaths) lines.push(`    mismatch  ${p}`);
    for (const r of per.rulesWithoutCounterpart) lines.push(`    no rule   ${r}`);
    for (const r of per.allowedRules) lines.push(`    allowed   ${r}`);
    for (const r of per.meshOnlyRules) lines.push(`    mesh rule ${r}`);
    for (const d of per.constraintDiffs) lines.push(`    bounds    ${d}`);
  }
  for (const name of mesh.keys()) if (!istio.has(name)) lines.push(`${name}: only in mesh`);
  lines.push(
    `CRDs: ${summary.crds - summary.missingCrds.length}/${summary.crds}; field paths (all versions): ${summary.missingPaths} of ` +
      `${summary.istioPaths} missing, ${summary.mismatchedPaths} mismatched, ${summary.extraPaths} only in mesh; CEL rules: ` +
      `istio ${summary.istioRules}, mesh ${summary.meshRules}, ${summary.rulesWithoutCounterpart} of Istio's without a mesh rule at the same node (+${summary.allowedRules} allow-listed), ${summary.meshOnlyRules} of mesh's without an Istio rule there; ${summary.constraintDiffs} other constraint differences`,
  );
  return { lines, summary };
}

/** Renders both sides and compares them. */
export async function crdParity({ istioctlPath = defaultIstioctlPath(), meshRender } = {}) {
  const istio = istioCrdsFromIstioctl(istioctlPath);
  const mesh = meshRender ? crdsOf(await meshRender()) : meshCrdsFromCli();
  return compareCrds(istio, mesh);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let result;
  try {
    result = await crdParity();
  } catch (e) {
    console.error(`crd parity: ${e.message}`);
    process.exit(2);
  }
  const { lines, summary } = result;
  for (const l of lines) console.log(l);
  process.exit(summary.missingCrds.length + summary.missingPaths + summary.mismatchedPaths + summary.rulesWithoutCounterpart > 0 ? 1 : 0);
}
