import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, FindingsError, InputError, UsageError, closest, exitCodeOf } from '../../src/errors.js';

test('typed errors map to the documented exit codes', () => {
  assert.equal(exitCodeOf(new UsageError('x')), ExitCode.Usage);
  assert.equal(exitCodeOf(new InputError('x')), 65);
  assert.equal(exitCodeOf(new FindingsError('x')), 79);
  assert.equal(exitCodeOf(new Error('x')), 1);
});

test('closest suggests a near candidate and nothing for a far one', () => {
  assert.equal(closest('replicaCont', ['replicaCount', 'resources']), 'replicaCount');
  assert.equal(closest('zzzzzzzz', ['replicaCount', 'resources']), undefined);
});
