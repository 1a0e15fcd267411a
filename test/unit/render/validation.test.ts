import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, type MeshError, UsageError } from '../../../src/errors.js';
import { check } from '../../../src/render/validate.js';
import { chartDefaults } from '../../../src/render/chart-defaults.js';
import { values as valuesSchema } from '../../../src/model/install-schema.js';
import type { Issue } from '../../../src/render/validate.js';
import { PROFILES, r } from './helpers.js';

type Ctor = typeof InputError | typeof UsageError;
function fails(fn: () => unknown, type: Ctor, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error).constructor.name}: ${(e as Error).message}`);
    assert.match((e as MeshError).message, re);
    return true;
  });
}
const file = (text: string, name = 'bad.yaml') => ({ files: [{ name, text }] });

test('unknown fields anywhere name the full path and the closest valid field', () => {
  fails(() => r(file('spec:\n  profil: demo\n')), InputError, /^bad\.yaml: unknown field "spec\.profil" \(did you mean "spec\.profile"\?\)/);
  fails(
    () => r(file('spec:\n  components:\n    pilott:\n      enabled: true\n')),
    InputError,
    /unknown field "spec\.components\.pilott" \(did you mean "spec\.components\.pilot"\?\)/,
  );
  fails(
    () => r(file('spec:\n  components:\n    pilot:\n      k8s:\n        replicaCont: 2\n')),
    InputError,
    /unknown field "spec\.components\.pilot\.k8s\.replicaCont" \(did you mean "spec\.components\.pilot\.k8s\.replicaCount"\?\)/,
  );
  fails(
    () => r(file('spec:\n  components:\n    ingressGateways:\n      - name: x\n        k8s:\n          serviceAnnotation: {}\n')),
    InputError,
    /"spec\.components\.ingressGateways\[0\]\.k8s\.serviceAnnotation" \(did you mean "spec\.components\.ingressGateways\[0\]\.k8s\.serviceAnnotations"\?\)/,
  );
  fails(
    () => r(file('spec:\n  values:\n    global:\n      proxy:\n        resorces: {}\n')),
    InputError,
    /unknown field "spec\.values\.global\.proxy\.resorces" \(did you mean "spec\.values\.global\.proxy\.resources"\?\)/,
  );
  fails(
    () => r(file('spec:\n  meshConfig:\n    accessLogFil: /dev/stdout\n')),
    InputError,
    /unknown field "spec\.meshConfig\.accessLogFil" \(did you mean "spec\.meshConfig\.accessLogFile"\?\)/,
  );
  fails(
    () => r(file('spec:\n  meshConfig:\n    defaultConfig:\n      holdApplicationUntilProxyStart: true\n')),
    InputError,
    /spec\.meshConfig\.defaultConfig\.holdApplicationUntilProxyStarts/,
  );
  fails(() => r(file('spec:\n  values:\n    meshConfig:\n      enableTracin: true\n')), InputError, /spec\.values\.meshConfig\.enableTracing/);
});

test('several problems in one file are all reported', () => {
  try {
    r(file('spec:\n  hubb: x\n  values:\n    pilot:\n      autoscaleEnabled: "yes please"\n'));
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /\(and 1 more\)/);
    assert.match(e.details.join('\n'), /spec\.values\.pilot\.autoscaleEnabled: expected true or false, got "yes please"/);
  }
});

test('wrong types and enum values name the path and what is valid', () => {
  fails(
    () => r(file('spec:\n  components:\n    pilot:\n      k8s:\n        replicaCount: two\n')),
    InputError,
    /spec\.components\.pilot\.k8s\.replicaCount: expected a whole number from 0 to 2147483647, got "two"/,
  );
  fails(
    () => r(file('spec:\n  components:\n    pilot:\n      k8s:\n        resources:\n          requests:\n            cpu: lots\n')),
    InputError,
    /requests\.cpu: expected a quantity/,
  );
  fails(
    () => r(file('spec:\n  meshConfig:\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLYY\n')),
    InputError,
    /"REGISTRY_ONLYY" is not one of REGISTRY_ONLY, ALLOW_ANY \(did you mean "REGISTRY_ONLY"\?\)/,
  );
  fails(() => r(file('spec:\n  components:\n    base: true\n')), InputError, /spec\.components\.base: expected an object, got true/);
});

test('YAML 1.1 booleans are read the way Kubernetes reads them', () => {
  const res = r(file('spec:\n  values:\n    global:\n      logAsJson: yes\n', 'ok.yaml'));
  assert.equal((res.iop.spec?.values?.['global'] as Record<string, unknown>)['logAsJson'], true);
});

test('bad files: YAML syntax (with line), several documents, a different kind', () => {
  fails(() => r(file('spec:\n  hub: [unclosed\n')), InputError, /^bad\.yaml(:\d+)?: invalid YAML/);
  fails(() => r(file('spec: {}\n---\nspec: {}\n')), InputError, /bad\.yaml: contains 2 IstioOperator documents; only one per file is supported/);
  fails(() => r(file('apiVersion: v1\nkind: ConfigMap\n')), InputError, /bad\.yaml: kind is "ConfigMap", expected IstioOperator/);
  fails(() => r(file('- a\n- b\n')), InputError, /bad\.yaml: expected an IstioOperator \(a map\), got a list/);
});

test('bad --set flags are usage errors naming the flag', () => {
  fails(
    () => r({ sets: ['values.global.proxyy.logLevel=debug'] }),
    UsageError,
    /^--set values\.global\.proxyy\.logLevel=debug: unknown field "values\.global\.proxyy" \(did you mean "values\.global\.proxy"\?\)/,
  );
  fails(() => r({ sets: ['novalue'] }), UsageError, /^--set novalue: expected path=value/);
  fails(
    () => r({ sets: ['components.pilot.k8s.replicaCount=many'] }),
    UsageError,
    /--set components\.pilot\.k8s\.replicaCount=many: components\.pilot\.k8s\.replicaCount: expected a whole number from 0 to 2147483647, got "many"/,
  );
  fails(() => r({ sets: ['values.global.proxy.logLevel=verbose'] }), UsageError, /"verbose" is not one of trace, debug/);
  fails(() => r({ sets: ['values.global..hub=x'] }), UsageError, /--set values\.global\.\.hub=x: empty key/);
  fails(() => r({ sets: ['components.pilot.enabled.x=1'] }), UsageError, /is true or false, it has no fields/);
});

test('unknown profile: usage error with a suggestion', () => {
  fails(() => r({ profile: 'demoo' }), UsageError, /^--profile: unknown profile "demoo" \(did you mean "demo"\?\)/);
  fails(() => r(file('spec:\n  profile: minimall\n', 'p.yaml')), InputError, /^p\.yaml: unknown profile "minimall" \(did you mean "minimal"\?\)/);
});

test('revision must be a DNS-1123 label (flag, --set, file)', () => {
  fails(() => r({ revision: '1.31.1' }), UsageError, /^-r\/--revision 1\.31\.1: invalid revision "1\.31\.1": must be a DNS-1123 label/);
  fails(() => r({ sets: ['revision=Canary'] }), UsageError, /^--set revision=Canary: invalid revision "Canary"/);
  fails(() => r(file('spec:\n  revision: -bad\n', 'rev.yaml')), InputError, /^rev\.yaml: spec\.revision: invalid revision "-bad"/);
  fails(() => r({ revision: 'a'.repeat(64) }), UsageError, /invalid revision/);
  assert.equal(r({ revision: '1-31-1' }).revision, '1-31-1');
});

test('hub and tag must form a valid image reference', () => {
  fails(() => r({ sets: ['hub=Not A Hub'] }), UsageError, /^--set hub=Not A Hub: invalid hub "Not A Hub": not a valid image repository/);
  fails(() => r({ sets: ['tag=-bad'] }), UsageError, /^--set tag=-bad: invalid tag "-bad"/);
  fails(() => r({ sets: ['tag=a:b'] }), UsageError, /invalid tag "a:b"/);
  fails(
    () => r(file('spec:\n  components:\n    pilot:\n      hub: "registry.example.com/Istio"\n', 'h.yaml')),
    InputError,
    /^h\.yaml: spec\.components\.pilot\.hub: invalid hub/,
  );
  fails(() => r({ sets: ['values.global.hub=bad hub'] }), UsageError, /invalid hub "bad hub"/);
  assert.doesNotThrow(() => r({ sets: ['hub=localhost:5000/istio', 'tag=1.31.1-distroless'] }));
});

test('gateway names must be valid and unique', () => {
  fails(
    () => r(file('spec:\n  components:\n    ingressGateways:\n      - name: My_Gateway\n        enabled: true\n', 'g.yaml')),
    InputError,
    /^g\.yaml: spec\.components\.ingressGateways\[0\]\.name: invalid gateway name "My_Gateway"/,
  );
  fails(() => r(file('spec:\n  components:\n    ingressGateways:\n      - enabled: true\n', 'g.yaml')), InputError, /gateway ingressGateways\[0\] has no name/);
  fails(
    () => r(file('spec:\n  components:\n    ingressGateways:\n      - name: a\n      - name: a\n', 'g.yaml')),
    InputError,
    /gateway name "a" is used twice/,
  );
});

test('ports must be 1-65535, and gateway target ports below 1024 need runAsRoot', () => {
  fails(
    () => r({ sets: ['components.ingressGateways[0].k8s.service.ports[0].port=70000'] }),
    UsageError,
    /70000 is out of range \(expected a whole number from 1 to 65535\)/,
  );
  fails(
    () => r(file('spec:\n  values:\n    global:\n      proxy:\n        statusPort: 0\n', 'p.yaml')),
    InputError,
    /spec\.values\.global\.proxy\.statusPort: 0 is out of range/,
  );
  fails(
    () => r({ sets: ['components.ingressGateways[0].k8s.service.ports[0].port=80', 'components.ingressGateways[0].k8s.service.ports[0].targetPort=80'] }),
    UsageError,
    /targetPort 80 is below 1024, which needs root/,
  );
  fails(
    () =>
      r(
        file(
          'spec:\n  values:\n    gateways:\n      istio-ingressgateway:\n        ports:\n          - name: http\n            port: 80\n            targetPort: 80\n',
          'p.yaml',
        ),
      ),
    InputError,
    /^p\.yaml: spec\.values\.gateways\.istio-ingressgateway\.ports\[0\]\.targetPort: targetPort 80 is below 1024/,
  );
  assert.doesNotThrow(() =>
    r({
      sets: [
        'components.ingressGateways[0].k8s.service.ports[0].port=80',
        'components.ingressGateways[0].k8s.service.ports[0].targetPort=80',
        'values.gateways.istio-ingressgateway.runAsRoot=true',
      ],
    }),
  );
});

test('namespaces must be DNS-1123 labels', () => {
  fails(() => r({ sets: ['components.cni.namespace=Kube_System'] }), UsageError, /invalid namespace "Kube_System"/);
});

test('k8s overlays that target a missing object or a bad path are input errors naming the overlay', () => {
  fails(
    () =>
      r(
        file(
          'spec:\n  components:\n    pilot:\n      k8s:\n        overlays:\n          - kind: Deployment\n            name: nope\n            patches: []\n',
        ),
      ),
    InputError,
    /components\.pilot\.k8s\.overlays\[0\]: no Deployment named "nope" in this component/,
  );
  fails(
    () =>
      r(
        file(
          'spec:\n  components:\n    pilot:\n      k8s:\n        overlays:\n          - kind: Deployment\n            name: istiod\n            patches:\n              - path: spec.template.spec.containers.[name:nope].image\n                value: x\n',
        ),
      ),
    InputError,
    /overlays\[0\]\.patches\[0\] \(Deployment\/istiod\): element \[name:nope\] not found/,
  );
});

test('the chart defaults and every built-in profile are valid against the schema', () => {
  const issues: Issue[] = [];
  check(chartDefaults(), valuesSchema, 'values', issues);
  assert.deepEqual(issues, []);
  for (const p of Object.keys(PROFILES)) assert.doesNotThrow(() => r({ profile: p }), p);
});

test('durations, IP ranges, port lists and compatibilityVersion are checked', () => {
  fails(() => r({ sets: ['meshConfig.connectTimeout=10 seconds'] }), UsageError, /meshConfig\.connectTimeout: "10 seconds" is not a duration such as 10s/);
  fails(
    () => r(file('spec:\n  meshConfig:\n    defaultConfig:\n      drainDuration: 5\n', 'd.yaml')),
    InputError,
    /spec\.meshConfig\.defaultConfig\.drainDuration: expected a duration such as 10s, 500ms or 1m30s, got 5/,
  );
  assert.doesNotThrow(() => r({ sets: ['meshConfig.connectTimeout=1m30s', 'values.pilot.keepaliveMaxServerConnectionAge=45m'] }));
  fails(() => r({ sets: ['values.global.proxy.includeIPRanges=10.0.0.0/8\\,10.1.2.3'] }), UsageError, /"10\.1\.2\.3" is not a CIDR/);
  fails(() => r({ sets: ['values.global.proxy.excludeIPRanges=300.0.0.0/8'] }), UsageError, /"300\.0\.0\.0\/8" is not a CIDR/);
  assert.doesNotThrow(() => r({ sets: ['values.global.proxy.includeIPRanges=10.0.0.0/8\\,fd00::/8'] }));
  fails(() => r({ sets: ['values.global.proxy.excludeInboundPorts=15020\\,99999'] }), UsageError, /"99999" is not a port/);
  fails(() => r({ sets: ['compatibilityVersion=1.3'] }), UsageError, /compatibilityVersion "1\.3" is not supported/);
  fails(() => r({ sets: ['compatibilityVersion=latest'] }), UsageError, /"latest" is not a minor version such as 1\.29/);
  assert.equal(r({ sets: ['compatibilityVersion=1.28'] }).iop.spec?.compatibilityVersion, '1.28');
});

test('replica counts, autoscaler bounds and hubs are checked before anything renders (issue 12)', () => {
  const set = (s: string) => () => r({ sets: [s] });
  fails(
    set('components.pilot.k8s.replicaCount=-1'),
    UsageError,
    /^--set components\.pilot\.k8s\.replicaCount=-1: components\.pilot\.k8s\.replicaCount: -1 is out of range \(expected a whole number from 0 to 2147483647\)$/,
  );
  fails(set('components.pilot.k8s.replicaCount=2147483648'), UsageError, /2147483648 is out of range/);
  fails(set('components.ingressGateways[0].k8s.replicaCount=-3'), UsageError, /components\.ingressGateways\[0\]\.k8s\.replicaCount: -3 is out of range/);
  fails(
    set('components.pilot.k8s.hpaSpec.minReplicas=-2'),
    UsageError,
    /components\.pilot\.k8s\.hpaSpec\.minReplicas: -2 is out of range \(expected a whole number from 1 to 2147483647\)/,
  );
  fails(set('values.pilot.autoscaleMin=0'), UsageError, /values\.pilot\.autoscaleMin: 0 is out of range/);
  fails(set('hub='), UsageError, /^--set hub=: invalid hub "": an image repository is needed/);
  fails(set('hub=UPPER/x'), UsageError, /invalid hub "UPPER\/x": not a valid image repository/);
  fails(
    () => r(file('spec:\n  components:\n    pilot:\n      k8s:\n        replicaCount: -1\n')),
    InputError,
    /^bad\.yaml: spec\.components\.pilot\.k8s\.replicaCount: -1 is out of range/,
  );
  // registry hosts may be upper-case or carry a port; a lower-case first component is a path
  for (const hub of ['My.Registry:5000/x', 'localhost:5000/istio', 'registry.istio.io/release', 'docker.io/istio', 'istio', 'reg:5000/a/b']) {
    assert.doesNotThrow(() => r({ sets: [`hub=${hub}`] }), hub);
  }
  assert.doesNotThrow(() => r({ sets: ['components.pilot.k8s.replicaCount=0'] }));
});
