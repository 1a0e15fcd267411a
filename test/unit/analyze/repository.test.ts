// The repository check: every analyzer file is registered, has fixtures, and every code it reports has
// a documentation page docs/analyzers/<CODE>.md with the three fixed sections.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { ANALYZER_FILES, ANALYZERS } from '../../../src/analyze/analyzers/index.js';
import { KIND_IDS } from '../../../src/analyze/kinds.js';
import { MESSAGES, RETIRED_CODES } from '../../../src/analyze/messages.js';

const dir = 'src/analyze/analyzers';
const analyzerFiles = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));

test('every analyzer file is registered in src/analyze/analyzers/index.ts', () => {
  assert.deepEqual(
    analyzerFiles.filter((f) => !(f in ANALYZER_FILES)),
    [],
  );
  assert.deepEqual(
    Object.keys(ANALYZER_FILES).filter((f) => !analyzerFiles.includes(f)),
    [],
  );
});

test('every analyzer has a fixtures file', () => {
  assert.deepEqual(
    analyzerFiles.filter((f) => !existsSync(`${dir}/${f}.fixtures.yaml`)),
    [],
  );
});

test('analyzer names are unique, described, and declare known kinds and codes', () => {
  const names = ANALYZERS.map((a) => a.meta.name);
  assert.equal(new Set(names).size, names.length, `duplicate names in ${names.join(', ')}`);
  const codes = new Set(MESSAGES.map((m) => m.code));
  for (const a of ANALYZERS) {
    assert.match(a.meta.name, /^[a-zA-Z][a-zA-Z0-9]*\.[A-Z][A-Za-z0-9]*$/, `${a.meta.name}: name must be <group>.<Name>`);
    assert.ok(a.meta.description.length > 10, `${a.meta.name}: no description`);
    assert.ok(a.meta.inputs.length > 0 && a.meta.codes.length > 0, `${a.meta.name}: empty inputs or codes`);
    for (const k of a.meta.inputs) assert.ok(KIND_IDS.includes(k), `${a.meta.name}: unknown kind ${k}`);
    for (const c of a.meta.codes) assert.ok(codes.has(c), `${a.meta.name}: ${c} is not in the catalog`);
  }
});

test('every code an analyzer reports has docs/analyzers/<CODE>.md with the fixed sections', () => {
  const missing: string[] = [];
  for (const code of new Set(ANALYZERS.flatMap((a) => a.meta.codes))) {
    const file = `docs/analyzers/${code}.md`;
    if (!existsSync(file)) {
      missing.push(`${file} is missing`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const h of ['## What it checks', '## Example', '## How to fix']) {
      if (!text.includes(`\n${h}\n`)) missing.push(`${file} has no "${h}" section`);
    }
    if (!text.startsWith(`# ${code} `)) missing.push(`${file} must start with "# ${code} <Name>"`);
  }
  assert.deepEqual(missing, []);
});

test('the catalog is in code order, with unique codes and names, and no retired code', () => {
  const codes = MESSAGES.map((m) => m.code);
  assert.deepEqual(codes, [...codes].sort());
  assert.equal(new Set(codes).size, codes.length);
  assert.equal(new Set(MESSAGES.map((m) => m.name)).size, MESSAGES.length);
  for (const m of MESSAGES) {
    assert.match(m.code, /^IST\d{4}$/);
    assert.match(m.name, /^[A-Z][A-Za-z0-9]+$/);
    assert.ok(!RETIRED_CODES.includes(m.code), `${m.code} is retired`);
    const placeholders = [...m.template.matchAll(/\{(\w+)\}/g)].map((x) => x[1]);
    assert.deepEqual([...new Set(placeholders)].sort(), [...m.args].sort(), `${m.code}: placeholders and args differ`);
  }
});
