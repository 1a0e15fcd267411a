import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, escapeControl, excerpt } from '../../../src/errors.js';
import { reportError } from '../../../src/cli/report.js';

const report = (err: unknown): { code: number; text: string } => {
  let text = '';
  const code = reportError(err, { stderr: { write: (s: string) => (text += s) }, color: false, verbose: false });
  return { code, text };
};

test('an error is printed as one line, control characters escaped, whatever its message holds', () => {
  const r = report(new InputError('f.yaml: bad "a\nb\u001b[2J\u0000"', { details: ['x\ry'] }));
  assert.equal(r.code, 65);
  assert.equal(r.text, 'Error: f.yaml: bad "a\\nb\\x1b[2J\\x00"\n  x\\ry\n');
});

test('escapeControl and excerpt', () => {
  assert.equal(escapeControl('a\tb\u2028'), 'a\\tb\\u2028');
  assert.equal(excerpt('x'.repeat(100), 10), 'xxxxxxxxxx…');
  assert.equal(excerpt('日本\u0007'), '日本\\x07');
});
