// .ci/run sets CI=true itself (issue 11): on a CI that does not export it, the e2e and fault suites
// would otherwise skip a missing control plane and pass. Read as text: running it builds everything.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('.ci/run exports CI=true before it runs npm test, whatever the caller exported', () => {
  const lines = readFileSync('.ci/run', 'utf8').split('\n');
  const exported = lines.findIndex((l) => /^export CI=true\s*$/.test(l));
  const npmTest = lines.findIndex((l) => /^npm test\b/.test(l));
  assert.ok(exported >= 0, '.ci/run has no top-level "export CI=true"');
  assert.ok(npmTest > exported, '"export CI=true" must come before "npm test"');
  assert.ok(!lines.slice(exported + 1).some((l) => /^\s*(unset CI|export CI=)/.test(l)), 'CI is changed again after it is set');
});
