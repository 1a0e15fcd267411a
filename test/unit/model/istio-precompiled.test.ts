// The build bundles validators compiled ahead of time (src/model/istio/validators-codegen.ts) in
// place of the run-time compiler (validators.ts). Both must check objects alike: this test generates
// the module, loads it, and compares ajv's verdict and errors on the corpus and on broken variants.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { ISTIO_KIND_SCHEMAS, type IstioKindSchema } from '../../../src/model/istio/crds.js';
import { compiledValidator } from '../../../src/model/istio/validators.js';
import { precompiledValidatorsModule } from '../../../src/model/istio/validators-codegen.js';
import { loadCorpus } from './corpus.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'mesh-validators-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const formats = new URL('../../../src/model/istio/formats.ts', import.meta.url).href;
const file = join(dir, 'validators.mjs');
writeFileSync(
  file,
  precompiledValidatorsModule(formats, (spec) => pathToFileURL(require.resolve(spec)).href),
);
const precompiled = (await import(pathToFileURL(file).href)) as { compiledValidator: (k: IstioKindSchema) => ValidateFunction };

/** Broken variants of an object: at every node, one of a wrong type, an unknown field, a bad string. */
function variants(obj: unknown): unknown[] {
  const out: unknown[] = [];
  let n = 0;
  const visit = (node: unknown, replace: (v: unknown) => unknown): void => {
    const kind = n++ % 4;
    if (kind === 0) out.push(replace(typeof node === 'number' ? 'x' : 7));
    else if (kind === 1 && node !== null && typeof node === 'object' && !Array.isArray(node)) out.push(replace({ ...node, bogusField: true }));
    else if (kind === 2) out.push(replace(typeof node === 'string' ? `${node}!!` : null));
    else if (kind === 3) out.push(replace(['x', 1, { a: 'b' }]));
    if (Array.isArray(node)) node.forEach((v, i) => visit(v, (x) => replace(node.map((y, j) => (j === i ? x : y)))));
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) visit(v, (x) => replace({ ...node, [k]: x }));
    }
  };
  const spec = (obj as { spec?: unknown }).spec;
  visit(spec, (x) => ({ ...(obj as object), spec: x }));
  return out;
}

const verdict = (validate: ValidateFunction, obj: unknown): string => {
  const ok = validate(obj);
  return JSON.stringify({ ok, errors: validate.errors ?? null });
};

test('precompiled validators give the same verdict and errors as the run-time compiler', () => {
  const corpus = loadCorpus();
  let compared = 0;
  let failing = 0;
  for (const k of ISTIO_KIND_SCHEMAS) {
    const runtime = compiledValidator(k);
    const ahead = precompiled.compiledValidator(k);
    const docs = corpus.filter((d) => d.object.kind === k.kind && d.object.apiVersion.startsWith(`${k.group}/`));
    assert.ok(docs.length > 0, `no corpus document for ${k.kind}`);
    for (const d of docs) {
      for (const obj of [d.object, ...variants(d.object)]) {
        const want = verdict(runtime, obj);
        assert.equal(verdict(ahead, obj), want, `${k.kind} ${d.object.metadata.name}`);
        compared++;
        if (!runtime(obj)) failing++;
      }
    }
  }
  // The variants must exercise the error paths, not only valid objects.
  assert.ok(failing > compared / 2, `only ${failing} of ${compared} objects fail validation`);
});
