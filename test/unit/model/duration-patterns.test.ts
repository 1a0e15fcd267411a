// The duration patterns are written with \u escapes (the CLI bundle must be ASCII, scripts/build.mjs):
// they still take the micro sign and the Greek mu where they did before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration } from '../../../src/model/install-schema-dsl.js';
import { DURATION_RE } from '../../../src/model/istio/validator-schema.js';

describe('duration patterns', () => {
  it("Istio's duration (validator-schema) takes µs (U+00B5) and μs (U+03BC), as Go's time.ParseDuration", () => {
    for (const ok of ['10s', '1m30s', '5\u00b5s', '5\u03bcs', '1.5ms', '0']) assert.ok(DURATION_RE.test(ok), ok);
    for (const bad of ['5 s', '5', '5xs', '\u00b5s']) assert.ok(!DURATION_RE.test(bad), bad);
  });
  it("the install schema's duration takes µs (U+00B5)", () => {
    assert.ok(duration.t === 'str' && duration.pattern instanceof RegExp);
    for (const ok of ['10s', '500ms', '5\u00b5s']) assert.ok(duration.pattern.test(ok), ok);
    assert.ok(!duration.pattern.test('5\u03bcs'));
  });
});
