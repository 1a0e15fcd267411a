// proxy-config's tables on config dumps recorded from the real istiod (test/fixtures/proxy-config:
// two sidecars and a gateway): golden files (UPDATE_GOLDEN=1 refreshes), filters, certificate expiry and --diff.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { diffDumps, renderDiff } from '../../../src/proxyconfig/diff.js';
import { parseClusters, parseConfigDump } from '../../../src/proxyconfig/dump.js';
import { clusterTable, endpointTable, listenerTable, routeTable, secretTable } from '../../../src/proxyconfig/print.js';
import { clusterRows, endpointRows, expiryWarning, listenerRows, routeRows, secretRows, serialNumber } from '../../../src/proxyconfig/tables.js';

const FIX = join('test', 'fixtures', 'proxy-config');
const load = (name: string): unknown => JSON.parse(readFileSync(join(FIX, name), 'utf8')) as unknown;
const web = parseConfigDump(load('web-1.shop.config_dump.json'), 'web-1');
const reviews = parseConfigDump(load('reviews-1.shop.config_dump.json'), 'reviews-1');
const ingress = parseConfigDump(load('ingress-1.shop-gw.config_dump.json'), 'ingress-1');
// Half-way through the gateway's recorded day-long certificates.
const GW_NOW = new Date('2026-12-04T06:00:00Z');

function assertGolden(name: string, actual: string): void {
  const file = join('test', 'golden', 'proxy-config', name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs; if the change is intended, run with UPDATE_GOLDEN=1`);
}

describe('proxy-config tables (golden, recorded dumps)', () => {
  test('cluster, listener, route, endpoint, secret', () => {
    assertGolden('web-1.cluster.txt', clusterTable(clusterRows(web)));
    assertGolden('web-1.listener.txt', listenerTable(listenerRows(web)));
    assertGolden('web-1.route.txt', routeTable(routeRows(web)));
    assertGolden('web-1.endpoint.txt', endpointTable(endpointRows(parseClusters(load('web-1.shop.clusters.json'), 'clusters'))));
    assertGolden('web-1.secret.txt', secretTable(secretRows(web, new Date('2026-12-02T06:00:00Z'))));
    assertGolden('reviews-1.cluster.txt', clusterTable(clusterRows(reviews)));
  });

  test('a gateway (router): its Gateway servers, the VirtualService bound to them, its outbound clusters', () => {
    assertGolden('ingress-1.cluster.txt', clusterTable(clusterRows(ingress)));
    assertGolden('ingress-1.listener.txt', listenerTable(listenerRows(ingress)));
    assertGolden('ingress-1.route.txt', routeTable(routeRows(ingress)));
    assertGolden('ingress-1.endpoint.txt', endpointTable(endpointRows(parseClusters(load('ingress-1.shop-gw.clusters.json'), 'clusters'))));
    assertGolden('ingress-1.secret.txt', secretTable(secretRows(ingress, GW_NOW)));
    // The credentialName Secret that istiod served over SDS to the authenticated gateway (its key
    // redacted as Envoy's admin does); the test's self-signed server certificate is a CA, which is
    // istioctl's TYPE rule (the certificate's basic constraints, not the secret's kind).
    assert.deepEqual(
      secretRows(ingress, GW_NOW).map((r) => [r.name, r.type, r.valid, r.warning]),
      [
        ['default', 'Cert Chain', true, null],
        ['ROOTCA', 'CA', true, null],
        ['kubernetes://shop-cert', 'CA', true, null],
      ],
    );
    // A gateway has no inbound clusters and no virtual listeners (15001, 15006): only its servers.
    assert.deepEqual(
      clusterRows(ingress, { direction: 'inbound' }).map((r) => r.fqdn),
      [],
    );
    assert.deepEqual(
      listenerRows(ingress).map((r) => `${r.port} ${r.match} ${r.destination}`),
      ['8080 ALL Route: http.8080', '8443 SNI: shop.example.com Route: https.443.https.shop.shop-gw'],
    );
    assert.deepEqual(
      listenerRows(ingress, { port: 8443 }).map((r) => r.port),
      [8443],
    );
    assert.deepEqual(
      routeRows(ingress, { name: 'http.8080' }).map((r) => `${r.vhost} ${r.match} ${r.virtualService}`),
      ['shop.example.com:80 /api* shop.shop-gw', 'shop.example.com:80 /* shop.shop-gw'],
    );
    assert.deepEqual(
      clusterRows(ingress, { fqdn: 'web' }).map((r) => `${r.fqdn}|${r.port}|${r.direction}|${r.type}`),
      ['web.shop-gw.svc.cluster.local|80|outbound|EDS'],
    );
  });

  test('filters as istioctl applies them', () => {
    assert.deepEqual(
      clusterRows(web, { fqdn: 'reviews', subset: 'v2' }).map((r) => `${r.fqdn}|${r.port}|${r.subset}`),
      ['reviews.shop.svc.cluster.local|9080|v2', 'reviews.shop.svc.cluster.local|9090|v2'],
    );
    assert.deepEqual(
      clusterRows(web, { direction: 'inbound' }).map((r) => r.port),
      ['8080'],
    );
    assert.ok(clusterRows(web, { port: 15010 }).every((r) => r.port === '15010'));
    assert.ok(listenerRows(web, { port: 15006 }).length > 3);
    assert.deepEqual(
      [...new Set(listenerRows(web, { type: 'TCP' }).map((r) => r.port))].sort((a, b) => a - b),
      [443, 15001, 15012],
    );
    assert.deepEqual([...new Set(routeRows(web, { name: '9080' }).map((r) => r.name))], ['9080']);
    const eps = parseClusters(load('web-1.shop.clusters.json'), 'clusters');
    assert.deepEqual(
      endpointRows(eps, { cluster: 'outbound|80||web.shop.svc.cluster.local' }).map((r) => r.endpoint),
      ['10.244.0.17:8080'],
    );
    assert.equal(endpointRows(eps, { status: 'unhealthy' }).length, 0);
  });

  test('secret: the workload certificate from istiod, and warnings near expiry', () => {
    const fresh = secretRows(web, new Date('2026-12-02T06:00:00Z'));
    assert.deepEqual(
      fresh.map((r) => [r.name, r.type, r.valid, r.warning]),
      [
        ['default', 'Cert Chain', true, null],
        ['ROOTCA', 'CA', true, null],
      ],
    );
    // 23 hours into the 24-hour certificate: rotation at half-life has not happened.
    const late = secretRows(web, new Date('2026-12-03T00:00:00Z'));
    assert.match(late[0]!.warning ?? '', /^past 80% of its 24h2m life \(expires in 0h54m\): rotation is overdue$/);
    assertGolden('web-1.secret-late.txt', secretTable(late));
    const expired = secretRows(web, new Date('2026-12-04T00:00:00Z'));
    assert.equal(expired[0]!.valid, false);
    assert.match(expired[0]!.warning ?? '', /^expired 2026-12-03T00:54:49Z$/);
    // The 10-year root, 3 days before its end.
    assert.match(secretRows(web, new Date('2036-11-26T00:00:00Z'))[1]!.warning ?? '', /^expires within 7 days \(in 3d\)$/);
    assert.equal(expiryWarning(new Date('2026-01-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z')), null);
  });

  test('serial numbers as istioctl prints them: 32 hex digits at least, zero-padded', () => {
    // The gateway's recorded certificates: istiod's 16-byte serials, and openssl's 20-byte serial of
    // the test's server certificate, whose first byte is 0e (39 digits, as istioctl prints it).
    assert.deepEqual(
      secretRows(ingress, GW_NOW).map((r) => r.serial),
      ['45b4705799f6c3baf4a0517f6c550330', '9ce849ae4c8a448977544d05a9c3e4b0', 'e6c35ac115b3d9764ca59852f2ad31faeac6563'],
    );
    // An earlier recording's root: a 16-byte serial whose first byte is 06, which mesh once printed as 31 digits.
    assert.equal(serialNumber('0655601CCBF732FD25E303E2B1676A52'), '0655601ccbf732fd25e303e2b1676a52');
    // DER's leading 00 byte (high bit set) is not part of the number.
    assert.equal(serialNumber('0084429714D23A9A74E8A9A46FF12242DB'), '84429714d23a9a74e8a9a46ff12242db');
    assert.equal(serialNumber('01'), `${'0'.repeat(31)}1`);
    assert.equal(serialNumber('00'), '0'.repeat(32));
    // A 20-byte serial (the most RFC 5280 allows) is printed in full.
    assert.equal(serialNumber('7F'.repeat(20)), '7f'.repeat(20));
  });

  test('--diff: a dump against itself matches; a missing cluster and a changed route are named', () => {
    assert.ok(diffDumps(web, web).every((d) => d.match));
    const istiod = structuredClone(web.raw) as { configs: Record<string, unknown>[] };
    const clusters = istiod.configs.find((c) => String(c['@type']).endsWith('ClustersConfigDump')) as {
      dynamic_active_clusters: { cluster: { name: string } }[];
    };
    clusters.dynamic_active_clusters = clusters.dynamic_active_clusters.filter((c) => c.cluster.name !== 'outbound|80||web.shop.svc.cluster.local');
    const routes = istiod.configs.find((c) => String(c['@type']).endsWith('.RoutesConfigDump')) as {
      dynamic_route_configs: { route_config: { name: string; validate_clusters?: boolean } }[];
    };
    routes.dynamic_route_configs.find((r) => r.route_config.name === '9080')!.route_config.validate_clusters = true;
    const diffs = diffDumps(web, parseConfigDump(istiod, 'istiod'));
    assert.equal(
      renderDiff(diffs),
      [
        "Clusters Don't Match",
        '  - outbound|80||web.shop.svc.cluster.local  (the proxy has it; istiod would no longer send it)',
        'Listeners Match',
        "Routes Don't Match",
        '  ~ 9080  (differs)',
        '',
      ].join('\n'),
    );
  });

  test('a file that is not a config dump names itself', () => {
    assert.throws(() => parseConfigDump({ clusters: [] }, '--file x.json'), /^InputError: --file x\.json: not an Envoy config dump/);
  });
});
