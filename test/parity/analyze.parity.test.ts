// Differential test of `mesh analyze` against the real `istioctl analyze`, files only
// (`--use-kube=false -A -o json` on both): every analyzer fixture case, and generated meshes with
// injected mistakes (test/parity/analyze-corpus.ts; MESH_ANALYZE_PARITY_MESHES sets how many, 200 by
// default, seeds 1..N, 25 meshes to a file).
//
// Files only, istioctl skips every analyzer that reads a Kubernetes kind (Service, Pod, Namespace…);
// mesh is run with the analyzers istioctl ran (read from its debug log), so the comparison is like
// for like. Findings are compared on code, level, resource and message text. A difference fails
// unless DEVIATIONS below names it, with the reason; docs/analyzers/parity.md lists the same ones.
// Lines (`reference`) are compared too, and printed, but not judged: istioctl points at other
// fields for some codes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { generateMesh } from './analyze-corpus.js';
import {
  DEVIATIONS,
  type Deviation,
  diffFindings,
  fixtureCases,
  istioctlAnalyze,
  meshAnalyze,
  meshAnalyzersFor,
  unexplained,
  withNamespaces,
} from './analyze-oracle.js';
import { oracleSkip } from './oracle.js';

describe('mesh analyze agrees with istioctl analyze (files only)', { skip: oracleSkip || undefined }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mesh-analyze-parity-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const used = new Set<Deviation>();

  test('every analyzer fixture case', async () => {
    const problems: string[] = [];
    let cases = 0;
    let findings = 0;
    for (const c of fixtureCases()) {
      const file = join(tmp, `case-${cases++}.yaml`);
      writeFileSync(file, withNamespaces(c.objects));
      let meshConfigFile: string | undefined;
      if (c.meshConfig) writeFileSync((meshConfigFile = file.replace(/\.yaml$/, '.mesh.yaml')), stringify(c.meshConfig));
      const ist = istioctlAnalyze([file], meshConfigFile ? { meshConfigFile } : {});
      findings += ist.findings.length;
      const mesh = await meshAnalyze([file], { analyzers: meshAnalyzersFor(ist.executed), ...(meshConfigFile ? { meshConfigFile } : {}) });
      for (const p of unexplained(ist.findings, mesh, used)) problems.push(`${c.file} "${c.name}": ${p}`);
    }
    assert.ok(cases > 150 && findings > 100, `only ${cases} cases with ${findings} istioctl findings`);
    assert.deepEqual(problems, [], `differences with istioctl that docs/analyzers/parity.md does not explain:\n${problems.join('\n')}`);
  });

  test('generated meshes with injected mistakes', async () => {
    const n = Number(process.env['MESH_ANALYZE_PARITY_MESHES'] ?? 200);
    const batch = 25;
    const problems: string[] = [];
    let findings = 0;
    let lines = 0;
    for (let first = 1; first <= n; first += batch) {
      const meshes = Array.from({ length: Math.min(batch, n - first + 1) }, (_, i) => generateMesh(first + i));
      const file = join(tmp, `meshes-${first}.yaml`);
      writeFileSync(file, meshes.map((m) => m.yaml).join('---\n'));
      const ist = istioctlAnalyze([file]);
      findings += ist.findings.length;
      const mesh = await meshAnalyze([file], { analyzers: meshAnalyzersFor(ist.executed) });
      lines += diffFindings(ist.findings, mesh).lines.length;
      for (const p of unexplained(ist.findings, mesh, used)) problems.push(`seeds ${first}..${first + meshes.length - 1}: ${p}`);
    }
    if (lines > 0) process.stderr.write(`analyze parity: ${lines} findings point at another line than istioctl's (not judged)\n`);
    assert.ok(findings >= n, `the generated meshes gave istioctl only ${findings} findings: the mistakes are not being injected`);
    assert.deepEqual(problems, [], `differences with istioctl on generated meshes:\n${problems.join('\n')}`);
  });

  test('every listed deviation still happens (none is stale)', () => {
    // istioctl's IST0177 pick varies between runs: on a run where it picks mesh's, that pair is unused.
    const stale = DEVIATIONS.filter((d) => !used.has(d) && d.live !== true && !d.match.source.startsWith('^IST0177')).map(
      (d) => `${d.side} ${d.match}: ${d.why}`,
    );
    assert.deepEqual(stale, []);
  });
});
