// `npm test` is for people: one readable line per test (node's spec reporter), not raw TAP (issue 12:
// it printed 3,000 lines of TAP); MESH_TEST_REPORTER=tap gives the machine-readable stream.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'mesh-runner-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'tiny.test.ts');
writeFileSync(file, "import { test } from 'node:test';\ntest('one small check', () => {});\n");

const runTests = (reporter: string | undefined) => {
  const env: Record<string, string | undefined> = { ...process.env, MESH_TEST_REPORTER: reporter };
  if (reporter === undefined) delete env['MESH_TEST_REPORTER'];
  delete env['NODE_TEST_CONTEXT']; // set by the runner running this file: the inner run would report to it, not print

  return spawnSync(process.execPath, ['scripts/run-tests.mjs', file], { encoding: 'utf8', env });
};

test('the test runner prints one readable line per test by default, TAP on request', () => {
  const spec = runTests(undefined);
  assert.equal(spec.status, 0, spec.stderr);
  assert.doesNotMatch(spec.stdout, /TAP version/);
  assert.match(spec.stdout, /✔ one small check/);
  const tap = runTests('tap');
  assert.equal(tap.status, 0, tap.stderr);
  assert.match(tap.stdout, /^TAP version 13$/m);
  assert.match(tap.stdout, /^ok 1 - one small check$/m);
});
