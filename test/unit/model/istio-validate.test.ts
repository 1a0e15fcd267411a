import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateIstioObject, type SchemaIssue } from '../../../src/model/istio/validate.js';

const vs = (spec: unknown, apiVersion = 'networking.istio.io/v1') => ({
  apiVersion,
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'default' },
  spec,
});
const errors = (obj: unknown): string[] =>
  validateIstioObject(obj)
    .filter((i: SchemaIssue) => i.level === 'error')
    .map((i) => `${i.path}: ${i.message}`);

describe('validateIstioObject', () => {
  test('accepts a plain valid VirtualService in every served version', () => {
    const spec = { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }], timeout: '1.5s' }] };
    for (const v of ['v1', 'v1beta1', 'v1alpha3']) {
      assert.deepEqual(validateIstioObject(vs(spec, `networking.istio.io/${v}`)), []);
    }
  });

  test('reports an unknown field with its full path and the closest valid name', () => {
    const issues = errors(vs({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r', subsett: 'v1' } }] }] }));
    assert.deepEqual(issues, ['spec.http[0].route[0].destination.subsett: unknown field "subsett" (the API server would drop it); did you mean "subset"?']);
  });

  test('reports a missing required field at the path where it belongs', () => {
    assert.deepEqual(errors(vs({ http: [{ route: [{ destination: { port: { number: 80 } } }] }] })), [
      'spec.http[0].route[0].destination.host: required field is missing',
    ]);
    assert.deepEqual(errors({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'x' } }), ['spec: required field is missing']);
  });

  test('reports wrong types, bad enums with a suggestion, bad durations and out-of-range numbers', () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'r' },
      spec: {
        host: 'r',
        trafficPolicy: {
          loadBalancer: { simple: 'ROUND_ROBN' },
          connectionPool: { tcp: { maxConnections: '10', connectTimeout: '10' } },
          portLevelSettings: [{ port: { number: -1 } }],
        },
      },
    };
    assert.deepEqual(errors(dr).sort(), [
      'spec.trafficPolicy.connectionPool.tcp.connectTimeout: "10" is not a duration such as "5s", "100ms" or "1m30s"',
      'spec.trafficPolicy.connectionPool.tcp.maxConnections: must be an integer',
      'spec.trafficPolicy.loadBalancer.simple: "ROUND_ROBN" is not one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST; did you mean "ROUND_ROBIN"?',
      'spec.trafficPolicy.portLevelSettings[0].port.number: must be >= 0',
    ]);
  });

  test('reports two members of a proto oneof set together', () => {
    const issues = errors(vs({ hosts: ['r'], http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }], route: [{ destination: { host: 'r' } }] }] }));
    assert.deepEqual(issues, ['spec.http[0].match[0].uri: only one of exact, prefix, regex may be set (found exact, prefix)']);
  });

  test('map keys are not fields: label keys with dots and slashes pass, and paths quote them', () => {
    const pa = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'p' },
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'x' } }, portLevelMtls: { '8080': { mode: 'STRIKT' } } },
    };
    assert.deepEqual(errors(pa), ['spec.portLevelMtls["8080"].mode: "STRIKT" is not one of UNSET, DISABLE, PERMISSIVE, STRICT; did you mean "STRICT"?']);
    assert.deepEqual(validateIstioObject(pa)[0]?.segments, ['spec', 'portLevelMtls', '8080', 'mode']);
  });

  test('free-form subtrees accept anything; their neighbours stay strict', () => {
    const ef = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'e' },
      spec: { configPatches: [{ applyTo: 'CLUSTER', patch: { operation: 'MERGE', value: { any: { thing: [1, 'x'] } }, valeu: 1 } }] },
    };
    assert.deepEqual(errors(ef), ['spec.configPatches[0].patch.valeu: unknown field "valeu" (the API server would drop it); did you mean "value"?']);
  });

  test('unknown top-level fields are reported; status is not checked', () => {
    assert.deepEqual(errors({ ...vs({ hosts: ['r'] }), specs: {}, status: { anything: true } }), [
      'specs: unknown field "specs" (the API server would drop it); did you mean "spec"?',
    ]);
  });

  test('deprecated fields are warnings, wherever the deprecated message occurs', () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'r' },
      spec: { host: 'r', subsets: [{ name: 'a', trafficPolicy: { portLevelSettings: [{ outlierDetection: { consecutiveErrors: 3 } }] } }] },
    };
    assert.deepEqual(validateIstioObject(dr), [
      {
        path: 'spec.subsets[0].trafficPolicy.portLevelSettings[0].outlierDetection.consecutiveErrors',
        segments: ['spec', 'subsets', 0, 'trafficPolicy', 'portLevelSettings', 0, 'outlierDetection', 'consecutiveErrors'],
        message: 'field "consecutiveErrors" is deprecated: use outlierDetection.consecutive5xxErrors',
        level: 'warning',
      },
    ]);
  });

  test('deprecated fields at fixed paths are found where they are, and only there', () => {
    const warnings = (o: unknown): string[] =>
      validateIstioObject(o)
        .filter((i) => i.level === 'warning')
        .map((i) => i.path);
    const v = vs({
      hosts: ['r'],
      http: [
        { route: [{ destination: { host: 'r' } }] },
        {
          corsPolicy: { allowOrigin: ['a'] },
          fault: { delay: { percent: 5, fixedDelay: '1s' } },
          mirror: { host: 'm' },
          mirror_percent: 5,
          route: [{ destination: { host: 'r' } }],
        },
      ],
      tcp: [{ route: [{ destination: { host: 'r' } }] }],
    });
    assert.deepEqual(warnings(v).sort(), ['spec.http[1].corsPolicy.allowOrigin', 'spec.http[1].fault.delay.percent', 'spec.http[1].mirror_percent']);
    const ra = {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'r' },
      spec: { selector: { matchLabels: { app: 'a' } }, jwtRules: [{ issuer: 'i' }, { issuer: 'j', jwks_uri: 'https://j/keys' }] },
    };
    assert.deepEqual(warnings(ra), ['spec.jwtRules[1].jwks_uri']);
    assert.deepEqual(warnings({ ...ra, spec: { jwtRules: [{ issuer: 'i', jwksUri: 'https://i/keys' }] } }), []);
    // `**.` patterns, anywhere in the spec.
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'r' },
      spec: {
        host: 'r',
        trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x', minimumRingSize: 1024 }, warmupDurationSecs: '10s' } },
        subsets: [{ name: 'a', labels: { minimumRingSize: 'a label, not a field' } }],
      },
    };
    assert.deepEqual(warnings(dr).sort(), [
      'spec.trafficPolicy.loadBalancer.consistentHash.minimumRingSize',
      'spec.trafficPolicy.loadBalancer.warmupDurationSecs',
    ]);
  });

  test('unknown Istio kinds and unserved versions are errors; other kinds are not its business', () => {
    assert.deepEqual(errors({ apiVersion: 'networking.istio.io/v2', kind: 'Gateway', metadata: {} }), [
      'apiVersion: Gateway is not served at version v2; use one of networking.istio.io/v1, networking.istio.io/v1alpha3, networking.istio.io/v1beta1',
    ]);
    assert.deepEqual(errors({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualServce', metadata: {} }), [
      'kind: networking.istio.io has no kind "VirtualServce"; did you mean "VirtualService"?',
    ]);
    assert.deepEqual(validateIstioObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { bogus: 1 } }), []);
    assert.deepEqual(errors('nope'), [': must be an object with apiVersion and kind']);
  });

  test('null is accepted for wrapper types (BoolValue, UInt32Value) and rejected elsewhere', () => {
    assert.deepEqual(errors(vs({ hosts: ['r'], http: [{ corsPolicy: { allowCredentials: null }, route: [{ destination: { host: 'r' } }] }] })), []);
    assert.deepEqual(errors(vs({ hosts: null })), ['spec.hosts: must be a list']);
  });
});
