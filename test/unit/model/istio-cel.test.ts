import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ISTIO_KIND_SCHEMAS, objectSchema } from '../../../src/model/istio/crds.js';
import { loadCorpus } from './corpus.js';
import { celViolations, requestUriScheme, ruleHolds } from './kube-cel.js';

// mesh's own CEL rules, evaluated locally (test/parity/crds.parity.test.ts compares them with Istio's).
const schemaOf = (kind: string) => objectSchema(ISTIO_KIND_SCHEMAS.find((k) => k.kind === kind)!);

describe('CRD CEL rules', () => {
  test('every rule parses and the corpus passes all of them', () => {
    for (const k of ISTIO_KIND_SCHEMAS) {
      const rules = JSON.stringify(k.spec).match(/"rule":"(?:[^"\\]|\\.)*"/g) ?? [];
      for (const r of rules) ruleHolds(JSON.parse(`{${r}}`).rule, null);
    }
    for (const { file, index, object } of loadCorpus()) {
      const kind = ISTIO_KIND_SCHEMAS.find((k) => k.kind === object.kind && object.apiVersion.startsWith(`${k.group}/`))!;
      assert.deepEqual(celViolations(objectSchema(kind), object), [], `${file} document ${index}`);
    }
  });

  test('reject what Istio rejects (samples)', () => {
    const bad: [string, unknown, string][] = [
      [
        'DestinationRule',
        { host: 'a', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '0.5ms' } } } },
        'spec.trafficPolicy.connectionPool.tcp.connectTimeout',
      ],
      ['ServiceEntry', { hosts: ['*'] }, 'spec.hosts[]'],
      [
        'ServiceEntry',
        {
          hosts: ['a'],
          ports: [
            { name: 'a', number: 80 },
            { name: 'b', number: 80 },
          ],
        },
        'spec.ports',
      ],
      ['WorkloadEntry', { address: 'unix://relative' }, 'spec.address'],
      ['WorkloadEntry', { labels: { a: 'b' } }, 'spec'],
      ['AuthorizationPolicy', { selector: { matchLabels: { 'a*': 'b' } } }, 'spec.selector.matchLabels'],
      ['AuthorizationPolicy', { selector: { matchLabels: { a: 'b' } }, targetRefs: [{ kind: 'Gateway', name: 'g' }] }, 'spec'],
      ['PeerAuthentication', { portLevelMtls: { '8080': { mode: 'STRICT' } } }, 'spec'],
      ['RequestAuthentication', { jwtRules: [{ issuer: 'i', jwksUri: 'ftp://x' }] }, 'spec.jwtRules[].jwksUri'],
      ['TrafficExtension', { lua: { inlineCode: 'x' }, wasm: { url: 'oci://x' } }, 'spec'],
      [
        'Gateway',
        { servers: [{ hosts: ['*'], port: { number: 1, name: 'a', protocol: 'HTTPS' }, tls: { credentialName: 'a', credentialNames: ['b'] } }] },
        'spec.servers[].tls',
      ],
    ];
    for (const [kind, spec, node] of bad) {
      const v = celViolations(schemaOf(kind), { spec });
      assert.ok(
        v.some((x) => x.node === node),
        `${kind} ${JSON.stringify(spec)}: ${JSON.stringify(v)}`,
      );
    }
  });

  test('the URL model follows Go url.ParseRequestURI on the cases the rules meet', () => {
    assert.equal(requestUriScheme('https://example.com/jwks'), 'https');
    assert.equal(requestUriScheme('oci://reg.io/x:1'), 'oci');
    assert.equal(requestUriScheme('/abs/path'), '');
    assert.equal(requestUriScheme('reg.io/x'), undefined);
    assert.equal(requestUriScheme('localhost:5000/x'), 'localhost');
    assert.equal(requestUriScheme('http://a b/'), undefined);
    assert.equal(requestUriScheme(''), undefined);
  });
});
