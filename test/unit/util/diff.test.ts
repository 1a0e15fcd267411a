import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffTrees } from '../../../src/util/diff.js';

const a = {
  spec: {
    b: 1,
    a: [1, 2],
    c: [
      { name: 'x', v: 1 },
      { name: 'y', v: 1 },
    ],
  },
  metadata: { labels: { 'app.io/name': 'p', gone: undefined } },
};
const b = {
  spec: {
    a: [1],
    b: 2,
    c: [
      { name: 'y', v: 2 },
      { name: 'x', v: 1 },
    ],
  },
  metadata: { labels: { 'app.io/name': 'q' } },
};

test('defaults: keys in the order met, named lists by name, dots escaped, each list element', () => {
  assert.deepEqual(
    diffTrees(a, b).map((c) => `${c.change} ${c.path}`),
    ['changed spec.b', 'removed spec.a[1]', 'changed spec.c[name:y].v', 'changed metadata.labels.app\\.io/name'],
  );
});

test("apply's paths: sorted keys, lists by position and a list of another length as one change", () => {
  const opts = { sortKeys: true, escapeDots: false, namedLists: false, lists: 'whole' } as const;
  assert.deepEqual(
    diffTrees(a, b, opts).map((c) => c.path),
    ['metadata.labels.app.io/name', 'spec.a', 'spec.b', 'spec.c[0].name', 'spec.c[0].v', 'spec.c[1].name'],
  );
  assert.deepEqual(diffTrees(1, 2, opts), [{ path: '', change: 'changed', from: 1, to: 2 }]);
  assert.deepEqual(diffTrees({ k: undefined }, {}, opts), []);
});
