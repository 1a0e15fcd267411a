import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISTIO_KIND_SCHEMAS } from '../../../src/model/istio/crds.js';
import { validateIstioObject } from '../../../src/model/istio/validate.js';
import { loadCorpus } from './corpus.js';
import { declaredPaths, usedPaths } from './structural.js';

const corpus = loadCorpus();

test('every corpus document is valid (deprecation warnings aside)', () => {
  for (const { file, index, object } of corpus) {
    const errors = validateIstioObject(object).filter((i) => i.level === 'error');
    assert.deepEqual(errors, [], `${file} document ${index} (${object.kind} ${object.metadata.name})`);
  }
});

test('corpus documents have unique kind/name pairs', () => {
  const keys = corpus.map((d) => `${d.object.kind}/${d.object.metadata.name}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('the corpus uses every field that every schema declares, and every served version', () => {
  const allMissing: string[] = [];
  for (const k of ISTIO_KIND_SCHEMAS) {
    const docs = corpus.filter((d) => d.object.kind === k.kind && d.object.apiVersion.startsWith(`${k.group}/`));
    assert.ok(docs.length > 0, `no corpus document for ${k.kind}`);
    const used = new Set(docs.flatMap((d) => usedPaths(d.object.spec, k.spec)));
    const missing = declaredPaths(k.spec).filter((p) => !used.has(p));
    allMissing.push(...missing.map((p) => `${k.kind} spec.${p}`));
    const versions = new Set(docs.map((d) => d.object.apiVersion.slice(k.group.length + 1)));
    for (const v of k.versions) if (!versions.has(v)) allMissing.push(`${k.kind} version ${v}`);
  }
  assert.deepEqual(allMissing, [], 'fields no corpus document uses');
});

test('deprecated fields in the corpus are reported as warnings', () => {
  const vs = corpus.find((d) => d.object.kind === 'VirtualService' && d.object.metadata.name === 'reviews-full')!;
  const warnings = validateIstioObject(vs.object).filter((i) => i.level === 'warning');
  assert.deepEqual(
    warnings.map((w) => w.path),
    ['spec.http[0].corsPolicy.allowOrigin', 'spec.http[0].fault.delay.percent', 'spec.http[1].mirror_percent', 'spec.http[1].mirrorPercent'],
  );
});
