import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderData } from '../../../src/output/format.js';
import { computeStatus } from '../../../src/status/compute.js';
import { closingHints, formatAge, renderProxyDetail, renderStatusTable, typeCell } from '../../../src/status/print.js';
import { NOW, snapshot } from './fixtures.js';
import { assertGolden } from './golden.js';

describe('proxy-status printers', () => {
  const report = computeStatus(snapshot());

  test('default table (golden)', () => assertGolden('table.txt', renderStatusTable(report, { now: NOW })));
  test('--wide per-type table (golden)', () => assertGolden('wide.txt', renderStatusTable(report, { now: NOW, wide: true })));
  test('-o json (golden)', () => assertGolden('status.json', renderData('json', report)));
  test('-o yaml (golden)', () => assertGolden('status.yaml', renderData('yaml', report)));
  test('single-proxy detail with a NACK (golden)', () =>
    assertGolden(
      'detail-nacked.txt',
      renderProxyDetail(
        report.proxies.find((p) => p.name === 'ratings-1.bookinfo')!,
        { now: NOW },
      ),
    ));
  test('single-proxy detail, not connected (golden)', () =>
    assertGolden(
      'detail-not-connected.txt',
      renderProxyDetail(
        report.proxies.find((p) => p.name === 'orphan-1.bookinfo')!,
        { now: NOW },
      ),
    ));

  test('the default table names problems in place', () => {
    const t = renderStatusTable(report, { now: NOW });
    assert.match(t, /^NAME\s+CLUSTER\s+ISTIOD\s+VERSION\s+SUBSCRIBED TYPES$/m);
    assert.match(t, /^reviews-1\.bookinfo\s+Kubernetes\s+istiod-aaa\s+1\.31\.1\s+5 \(CDS,LDS,EDS,RDS,ECDS\) \[RDS STALE\]$/m);
    assert.match(t, /^orphan-1\.bookinfo\s+-\s+NOT CONNECTED\s+1\.30\.2 \(OUTDATED\)\s+-$/m);
  });

  test('no colour codes unless asked; colour when asked', () => {
    assert.doesNotMatch(renderStatusTable(report, { now: NOW, wide: true }), /\u001b\[/);
    assert.match(renderStatusTable(report, { now: NOW, wide: true, color: true }), /\u001b\[32mSYNCED/);
  });

  test('an empty report prints nothing', () => {
    assert.equal(renderStatusTable({ ...report, proxies: [] }, { now: NOW }), '');
  });

  test('closing hints name the problems and the fix for outdated proxies', () => {
    const hints = closingHints(report);
    assert.equal(hints.length, 4);
    assert.match(hints.at(-1)!, /2 proxies run a different Istio version .* mesh rollout-restart --outdated$/);
    assert.deepEqual(closingHints(computeStatus(snapshot(), { namespace: 'istio-system' })), []);
  });

  test('ages and cells', () => {
    assert.equal(formatAge(5_000), '5s');
    assert.equal(formatAge(125_000), '2m5s');
    assert.equal(formatAge(120_000), '2m');
    assert.equal(formatAge(3 * 3600_000 + 4 * 60_000), '3h4m');
    assert.equal(formatAge(50 * 3600_000), '2d2h');
    assert.equal(typeCell({ status: 'STALE', lastUpdated: null, error: null }, NOW), 'STALE');
    assert.equal(typeCell({ status: 'SYNCED', lastUpdated: '2026-03-01T11:57:55Z', error: null }, NOW), 'SYNCED (2m5s)');
    assert.equal(typeCell(null, NOW), '-');
  });
});
