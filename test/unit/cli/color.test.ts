// One colour policy for stdout and stderr (issue 12: with CI=true on a terminal the `Error:` on stderr
// was still red, while NO_COLOR= (empty) was read differently on the two streams).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CliContext, colorOn } from '../../../src/cli/context.js';

const ctx = (env: Record<string, string>): CliContext => ({ env, stdoutIsTTY: true, stderrIsTTY: true, stdinIsTTY: true }) as unknown as CliContext;

test('colour on a terminal: the same answer for stdout and stderr under CI, NO_COLOR and TERM', () => {
  const cases: [Record<string, string>, boolean][] = [
    [{}, true],
    [{ CI: 'true' }, false],
    [{ CI: 'false' }, true],
    [{ NO_COLOR: '1' }, false],
    [{ NO_COLOR: 'anything' }, false],
    [{ NO_COLOR: '' }, true], // no-color.org: only a non-empty NO_COLOR disables
    [{ TERM: 'dumb' }, false],
    [{ CI: 'true', FORCE_COLOR: '1' }, true],
  ];
  for (const [env, want] of cases) {
    assert.equal(colorOn(ctx(env), 'stdout'), want, `stdout ${JSON.stringify(env)}`);
    assert.equal(colorOn(ctx(env), 'stderr'), want, `stderr ${JSON.stringify(env)}`);
  }
});

test('no file outside src/output decides colour from the environment itself', () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk('src');
  const offenders = files.filter(
    (f) => !f.startsWith(join('src', 'output')) && /env\[?\.?\s*\(?['"](NO_COLOR|FORCE_COLOR|CI)['"]|['"]NO_COLOR['"]\s+in\b/.test(readFileSync(f, 'utf8')),
  );
  assert.deepEqual(offenders, []);
});
