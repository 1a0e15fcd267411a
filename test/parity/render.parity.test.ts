// Render parity: `mesh manifest generate` against the real `istioctl manifest generate` for every
// profile and common overrides (scripts/parity/compare.mjs has the cases and the normalisation).
// Every differing field must be on the allow-list (scripts/parity/allow.mjs, reasons in
// docs/render.md), and mesh's RBAC must never grant more than istioctl's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ALLOW } from '../../scripts/parity/allow.mjs';
import { CASES, allowed, compareManifests, renderCase } from '../../scripts/parity/compare.mjs';
import { istioctlPath, oracleSkip, repoRoot } from './oracle.js';

// mesh from source (no build needed), exactly as the CLI runs it.
const mesh = [process.execPath, '--import', 'tsx', join(repoRoot, 'src/cli/main.ts')];

describe('render parity with istioctl manifest generate', { skip: oracleSkip || false }, () => {
  for (const c of CASES) {
    test(`${c.name}: no differences outside the allow-list; RBAC never broader`, async () => {
      const rendered = await renderCase(c, { istioctl: istioctlPath, mesh, cwd: repoRoot });
      const r = compareManifests(rendered.istioctl, rendered.mesh);
      const problems: string[] = [];
      for (const k of r.onlyIstioctl) problems.push(`${k}: only in istioctl`);
      for (const k of r.onlyMesh) if (!allowed(ALLOW, c.name, k, '')) problems.push(`${k}: only in mesh`);
      for (const d of r.differing) {
        for (const x of d.diffs) {
          if (!allowed(ALLOW, c.name, d.key, x.path))
            problems.push(`${d.key} ${x.path}: istioctl ${JSON.stringify(x.istioctl)} | mesh ${JSON.stringify(x.mesh)}`);
        }
      }
      assert.deepEqual(problems, [], `${c.name}: ${problems.length} difference(s) not on the allow-list`);
      assert.deepEqual(r.rbacBroader, [], `${c.name}: mesh grants what istioctl does not`);
    });
  }
});
