// Keys that name properties of Object.prototype (constructor, toString, __proto__, hasOwnProperty)
// are ordinary unknown names: rejected with the usual message and exit code, never looked up on
// Object.prototype, never setting a prototype.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { validateRolloutRestart } from '../../../src/cli/options/rollout-restart.js';
import { InputError, type MeshError, UsageError } from '../../../src/errors.js';
import { diffTrees } from '../../../src/render/index.js';
import { overlay } from '../../../src/render/merge.js';
import { getAt, setAt } from '../../../src/render/path.js';
import { r } from './helpers.js';

const fails = (fn: () => unknown, type: typeof InputError | typeof UsageError, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error).constructor.name}: ${(e as Error).message}`);
    assert.match((e as MeshError).message, re);
    return true;
  });
};

for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
  test(`--profile ${name} is an unknown profile (usage error)`, () => {
    fails(() => r({ profile: name }), UsageError, new RegExp(`^--profile: unknown profile "${name}"`));
    fails(() => r({ sets: [`profile=${name}`] }), UsageError, new RegExp(`unknown profile "${name}"`));
  });
}

test('IstioOperator fields named constructor, toString, __proto__ are unknown fields, each reported', () => {
  const text = 'spec:\n  constructor: 1\n  toString: x\n  components:\n    pilot:\n      hasOwnProperty: 3\n  values:\n    __proto__:\n      polluted: true\n';
  fails(() => r({ files: [{ name: 'iop.yaml', text }] }), InputError, /^iop\.yaml: unknown field "spec\.constructor" \(and 3 more\)$/);
  try {
    r({ files: [{ name: 'iop.yaml', text }] });
  } catch (e) {
    assert.deepEqual((e as MeshError).details, [
      'unknown field "spec.toString"',
      'unknown field "spec.components.pilot.hasOwnProperty"',
      'unknown field "spec.values.__proto__"',
    ]);
  }
  fails(() => r({ sets: ['values.global.constructor=1'] }), UsageError, /^--set values\.global\.constructor=1: unknown field "values\.global\.constructor"/);
  fails(() => r({ sets: ['values.__proto__.polluted=1'] }), UsageError, /unknown field "values\.__proto__"/);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('paths, overlays and diffs treat __proto__ and constructor as own keys', () => {
  const root: Record<string, never> = {};
  setAt(
    root,
    [
      { kind: 'key', key: '__proto__' },
      { kind: 'key', key: 'polluted' },
    ],
    true,
  );
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype was modified');
  assert.deepEqual(Object.keys(root), ['__proto__']);
  assert.equal(getAt({}, [{ kind: 'key', key: 'constructor' }]), undefined);
  const merged = overlay({ a: 1 }, JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(merged), ['a', '__proto__']);
  assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  assert.deepEqual(diffTrees({ constructor: 1 }, {}), [{ path: 'constructor', change: 'removed', from: 1 }]);
  assert.deepEqual(diffTrees({}, { toString: 'x' }), [{ path: 'toString', change: 'added', to: 'x' }]);
});

test('rollout-restart --kind constructor is not a kind', () => {
  const flags = { kind: 'constructor', concurrency: '1', pause: '0s', output: 'table', istioNamespace: 'istio-system' };
  fails(() => validateRolloutRestart(flags, () => 'default'), UsageError, /^--kind: "constructor" is not a kind that can be restarted/);
  fails(() => validateRolloutRestart({ ...flags, kind: 'tostring' }, () => 'default'), UsageError, /^--kind: "tostring" is not a kind/);
});

test('mesh manifest generate --profile constructor exits 64 with one line', () => {
  const res = spawnSync(process.execPath, ['bin/mesh', 'manifest', 'generate', '--profile', 'constructor'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(res.status, 64, res.stderr);
  assert.match(res.stderr, /^Error: --profile: unknown profile "constructor"/);
});
