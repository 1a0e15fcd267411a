// docs/architecture.md's layer table is the linter's (issue 16: "keep it true"): its "may import"
// column names, for every part of src/, the parts eslint.config.js's MAY_IMPORT lets it import.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
// @ts-expect-error -- eslint.config.js is plain JavaScript without types
import { LAYERS, MAY_IMPORT } from '../../eslint.config.js';

const layers = LAYERS as string[];
const mayImport = MAY_IMPORT as Record<string, string[]>;

/** The doc table's rows: first column `src/<layer>/`, last column what it may import. */
function docTable(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync('docs/architecture.md', 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const m = /^`src\/(\w+)\/`$/.exec(cells[1] ?? '');
    if (!m) continue;
    const last = cells[cells.length - 2] ?? '';
    const named = [...last.matchAll(/`src\/(\w+)`/g)].map((x) => x[1]!).filter((l) => layers.includes(l));
    rows.set(m[1]!, /everything below/.test(last) ? layers : named);
  }
  return rows;
}

test('every folder of src/ is a layer of the linter and a row of the doc table', () => {
  const folders = readdirSync('src', { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  assert.deepEqual(folders, [...layers].sort());
  assert.deepEqual([...docTable().keys()].sort(), [...layers].sort());
});

test("the doc table's may-import column is eslint.config.js's MAY_IMPORT", () => {
  for (const [layer, named] of docTable()) {
    assert.deepEqual([...named].sort(), [...(layer === 'cli' ? layers : (mayImport[layer] ?? []))].sort(), `src/${layer}`);
  }
});
