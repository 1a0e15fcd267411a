// Runs every registered analyzer over its fixtures (src/analyze/analyzers/<file>.fixtures.yaml).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ANALYZER_FILES } from '../../../src/analyze/analyzers/index.js';
import { parseFixtures, testAnalyzer } from '../../../src/analyze/tester.js';

for (const [file, analyzer] of Object.entries(ANALYZER_FILES)) {
  describe(`${analyzer.meta.name} (${file}.ts)`, () => {
    const fixtures = parseFixtures(readFileSync(`src/analyze/analyzers/${file}.fixtures.yaml`, 'utf8'));
    for (const report of testAnalyzer(analyzer, fixtures)) {
      test(report.name, () => assert.deepEqual(report.failures, []));
    }
  });
}
