// Differential test of proxy-config's tables: the real `istioctl proxy-config TYPE --file` and mesh
// read the same config dumps, recorded from simulated proxies on the real istiod
// (test/fixtures/proxy-config: two sidecars and a gateway), and must show the same rows, cell by cell. Column widths differ
// (istioctl's tabwriter pads by 5, or 1 for listeners; mesh by 3), so tables are compared as cells,
// cut at the positions of istioctl's headers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { istioctl, oracleSkip, repoRoot } from './oracle.js';
import { runNode } from '../e2e/harness/index.js';

const FIX = join(repoRoot, 'test/fixtures/proxy-config');

/** A tabwriter table → rows of trimmed cells, cut where each header starts. */
function cells(table: string, headers: readonly string[]): string[][] {
  const lines = table.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0] ?? '';
  const starts = headers.map((h) => {
    const at = head.indexOf(h);
    assert.ok(at >= 0, `header ${h} not in: ${head}`);
    return at;
  });
  return lines.slice(1).map((l) => starts.map((s, i) => l.slice(s, starts[i + 1] ?? l.length).trim()));
}

// `rows`: names the table must hold (in the first column), so that a re-recorded dump that lost them fails here.
const CASES: { type: string; file: string; flags?: string[]; headers: string[]; rows?: string[] }[] = [
  { type: 'cluster', file: 'web-1.shop.config_dump.json', headers: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'] },
  {
    type: 'cluster',
    file: 'web-1.shop.config_dump.json',
    flags: ['--fqdn', 'reviews', '--subset', 'v1'],
    headers: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'],
  },
  {
    type: 'cluster',
    file: 'reviews-1.shop.config_dump.json',
    flags: ['--direction', 'inbound'],
    headers: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'],
  },
  { type: 'listener', file: 'web-1.shop.config_dump.json', headers: ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'] },
  { type: 'listener', file: 'reviews-1.shop.config_dump.json', flags: ['--port', '15006'], headers: ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'] },
  { type: 'route', file: 'web-1.shop.config_dump.json', headers: ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'] },
  { type: 'route', file: 'reviews-1.shop.config_dump.json', flags: ['--name', '9080'], headers: ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'] },
  {
    type: 'secret',
    file: 'web-1.shop.config_dump.json',
    headers: ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'],
  },
  { type: 'endpoint', file: 'web-1.shop.clusters.json', headers: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'] },
  { type: 'endpoint', file: 'web-1.shop.clusters.json', flags: ['--port', '9080'], headers: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'] },
  // The gateway (a router proxy under a Gateway with HTTP 80 and HTTPS 443 servers).
  { type: 'cluster', file: 'ingress-1.shop-gw.config_dump.json', headers: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'] },
  {
    type: 'cluster',
    file: 'ingress-1.shop-gw.config_dump.json',
    flags: ['--fqdn', 'web', '--direction', 'outbound'],
    headers: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'],
  },
  { type: 'listener', file: 'ingress-1.shop-gw.config_dump.json', headers: ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'] },
  { type: 'listener', file: 'ingress-1.shop-gw.config_dump.json', flags: ['--port', '8443'], headers: ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'] },
  { type: 'route', file: 'ingress-1.shop-gw.config_dump.json', headers: ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'] },
  {
    type: 'route',
    file: 'ingress-1.shop-gw.config_dump.json',
    flags: ['--name', 'http.8080'],
    headers: ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'],
  },
  // The workload certificate and root, and the credentialName Secret istiod served over SDS.
  {
    type: 'secret',
    file: 'ingress-1.shop-gw.config_dump.json',
    headers: ['RESOURCE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'],
    rows: ['default', 'ROOTCA', 'kubernetes://shop-cert'],
  },
  { type: 'endpoint', file: 'ingress-1.shop-gw.clusters.json', headers: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'] },
];

describe('proxy-config tables match istioctl proxy-config --file', { skip: oracleSkip || false }, () => {
  for (const c of CASES) {
    test(`${c.type} ${c.file} ${(c.flags ?? []).join(' ')}`, async () => {
      const file = join(FIX, c.file);
      const oracle = istioctl(['proxy-config', c.type, '--file', file, ...(c.flags ?? [])]);
      assert.equal(oracle.code, 0, oracle.stderr);
      const fileFlag = c.type === 'endpoint' ? '--endpoints-file' : '--file';
      const mesh = await runNode([join(repoRoot, 'bin/mesh'), 'proxy-config', c.type, fileFlag, file, ...(c.flags ?? [])]);
      // A certificate valid today but not in 2036 would make the secret case time-dependent; the
      // columns compared here (istioctl's) do not include mesh's warnings.
      assert.ok(mesh.code === 0 || (c.type === 'secret' && mesh.code === 79), mesh.stderr);
      const want = cells(oracle.stdout, c.headers);
      // mesh's secret table has two more columns (EXPIRES IN, WARNING): cut there too, compare istioctl's.
      const meshHeaders = c.type === 'secret' ? [...c.headers, 'EXPIRES IN'] : c.headers;
      const got = cells(mesh.stdout, meshHeaders).map((r) => r.slice(0, c.headers.length));
      assert.ok(want.length > 0, 'istioctl printed rows');
      if (c.rows)
        assert.deepEqual(
          want.map((r) => r[0]),
          c.rows,
        );
      assert.deepEqual(got, want);
    });
  }
});
