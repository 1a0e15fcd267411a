import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { precheckText } from '../../../src/cli/actions/precheck.js';
import { INSTALL_PERMISSIONS, type PrecheckSnapshot, runChecks } from '../../../src/precheck/checks.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const CA = readFileSync(new URL('../../fixtures/tls/ca.crt', import.meta.url), 'utf8');
const caEnd = new Date(new X509Certificate(CA).validTo);

const obj = (kind: string, name: string, extra: Partial<KubeObject> & Record<string, unknown> = {}, namespace?: string): KubeObject =>
  ({ apiVersion: 'v1', kind, ...extra, metadata: { name, ...(namespace ? { namespace } : {}), ...(extra.metadata ?? {}) } }) as KubeObject;

function healthy(): PrecheckSnapshot {
  return {
    istioNamespace: 'istio-system',
    serverVersion: { major: '1', minor: '35', gitVersion: 'v1.35.8' },
    permissions: INSTALL_PERMISSIONS.map((p) => ({ group: p.group, resource: p.resource, allowed: true })),
    crds: [
      obj('CustomResourceDefinition', 'httproutes.gateway.networking.k8s.io', {
        metadata: { annotations: { 'gateway.networking.k8s.io/bundle-version': 'v1.4.0' } },
      }),
    ],
    istiods: [
      obj('Deployment', 'istiod', {}, 'istio-system'),
      obj('Deployment', 'istiod-canary', { metadata: { labels: { 'istio.io/rev': 'canary' } } }, 'istio-system'),
    ],
    services: [obj('Service', 'istiod', {}, 'istio-system'), obj('Service', 'istiod-canary', {}, 'istio-system')],
    mutatingWebhooks: [
      obj('MutatingWebhookConfiguration', 'istio-sidecar-injector', {
        webhooks: [
          { name: 'rev.namespace.sidecar-injector.istio.io', clientConfig: { caBundle: 'Q0E=', service: { name: 'istiod', namespace: 'istio-system' } } },
        ],
      }),
      obj('MutatingWebhookConfiguration', 'istio-revision-tag-prod', {
        metadata: { labels: { 'istio.io/tag': 'prod', 'istio.io/rev': 'canary' } },
        webhooks: [
          {
            name: 'rev.namespace.sidecar-injector.istio.io',
            clientConfig: { caBundle: 'Q0E=', service: { name: 'istiod-canary', namespace: 'istio-system' } },
          },
        ],
      }),
    ],
    validatingWebhooks: [],
    namespaces: [
      obj('Namespace', 'shop', { metadata: { labels: { 'istio.io/rev': 'prod' } } }),
      obj('Namespace', 'dev', { metadata: { labels: { 'istio.io/rev': 'canary' } } }),
    ],
    pods: [],
    rootCert: CA,
    now: new Date(caEnd.getTime() - 365 * 86_400_000),
  };
}

const failed = (s: PrecheckSnapshot): string[] =>
  runChecks(s)
    .filter((r) => r.status !== 'ok')
    .map((r) => `${r.status} ${r.category}/${r.check}`);

test('a healthy cluster passes every check, and names its revisions and tags', () => {
  const results = runChecks(healthy());
  assert.deepEqual(failed(healthy()), []);
  assert.match(results.find((r) => r.check === 'revisions')!.message, /^revisions: canary, default; tags: prod -> canary$/);
  assert.match(precheckText(results), /^STATUS +CATEGORY +CHECK +MESSAGE$/m);
});

test('each category catches a cluster broken on purpose, with a hint and a link', () => {
  const cases: [string, (s: PrecheckSnapshot) => void, string][] = [
    ['old Kubernetes', (s) => (s.serverVersion = { major: '1', minor: '30', gitVersion: 'v1.30.2' }), 'fail kubernetes/version'],
    ['new Kubernetes', (s) => (s.serverVersion = { major: '1', minor: '38', gitVersion: 'v1.38.0' }), 'warn kubernetes/version'],
    ['no CRD rights', (s) => (s.permissions[3]!.allowed = false), 'fail permissions/install'],
    [
      'old Gateway API',
      (s) =>
        s.crds.push(
          obj('CustomResourceDefinition', 'tlsroutes.gateway.networking.k8s.io', {
            metadata: { annotations: { 'gateway.networking.k8s.io/bundle-version': 'v1.2.1' } },
          }),
        ),
      'fail gateway-api/crd-versions',
    ],
    ['a tag on a removed revision', (s) => (s.istiods = s.istiods.slice(0, 1)), 'fail control-plane/tags'],
    ['a webhook without its Service', (s) => (s.services = s.services.slice(0, 1)), 'fail webhooks/service'],
    [
      'an empty caBundle',
      (s) => ((s.mutatingWebhooks[0]!['webhooks'] as { clientConfig: { caBundle: string } }[])[0]!.clientConfig.caBundle = ''),
      'warn webhooks/ca-bundle',
    ],
    [
      'a namespace for no revision',
      (s) => s.namespaces.push(obj('Namespace', 'legacy', { metadata: { labels: { 'istio.io/rev': '1-29-0' } } })),
      'fail namespaces/revision-labels',
    ],
    ['a root CA about to expire', (s) => (s.now = new Date(caEnd.getTime() - 5 * 86_400_000)), 'warn certificates/root-ca'],
    ['an expired root CA', (s) => (s.now = new Date(caEnd.getTime() + 86_400_000)), 'fail certificates/root-ca'],
  ];
  for (const [what, breakIt, expected] of cases) {
    const s = healthy();
    breakIt(s);
    assert.ok(failed(s).includes(expected), `${what}: ${failed(s).join(', ')}`);
    const r = runChecks(s).find((x) => `${x.status} ${x.category}/${x.check}` === expected)!;
    assert.ok(r.hint && r.docs?.startsWith('https://istio.io/'), `${what}: a hint and a link`);
  }
});

test('--removing: proxies still on the revision (directly or through a tag) fail the check', () => {
  const s = healthy();
  s.removing = 'canary';
  const sidecar = (name: string, ns: string, labels: Record<string, string>, status?: string): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels, ...(status ? { annotations: { 'sidecar.istio.io/status': status } } : {}) },
      spec: { containers: [{ name: 'app' }, { name: 'istio-proxy' }] },
    }) as KubeObject;
  s.pods = [
    sidecar('a-1', 'shop', { 'istio.io/rev': 'prod' }),
    sidecar('b-1', 'dev', {}, '{"revision":"canary"}'),
    sidecar('c-1', 'web', {}, '{"revision":"default"}'),
  ];
  const r = runChecks(s).find((x) => x.category === 'proxies')!;
  assert.equal(r.status, 'fail');
  assert.match(r.message, /^2 proxies use revision canary: a-1\.shop, b-1\.dev$/);
  s.removing = 'old';
  assert.equal(runChecks(s).find((x) => x.category === 'proxies')!.status, 'ok');
});

test('config: deprecation findings are warnings (errors fail) with their code; none is one ok row', () => {
  const none = runChecks({ ...healthy(), configFindings: [] }).filter((c) => c.category === 'config');
  assert.deepEqual(
    none.map((c) => [c.check, c.status]),
    [['deprecations', 'ok']],
  );
  const found = runChecks({
    ...healthy(),
    configFindings: [
      { code: 'IST0002', level: 'Warning', resource: 'VirtualService shop/slow', text: 'Deprecation: HTTPRoute.fault.delay.percent is deprecated' },
      { code: 'IST0135', level: 'Error', resource: 'Pod shop/web', text: 'Annotation "x" is deprecated' },
    ],
  }).filter((c) => c.category === 'config');
  assert.deepEqual(
    found.map((c) => [c.status, c.code, c.message]),
    [
      ['warn', 'IST0002', 'VirtualService shop/slow: Deprecation: HTTPRoute.fault.delay.percent is deprecated'],
      ['fail', 'IST0135', 'Pod shop/web: Annotation "x" is deprecated'],
    ],
  );
  assert.ok(found.every((c) => c.hint !== undefined && c.docs?.includes(c.code!.toLowerCase())));
  assert.equal(
    runChecks(healthy()).some((c) => c.category === 'config'),
    false,
    'not run: no row',
  );
});

test('--from-version: a downgrade fails, more than two minors back warns, the 1.22 tracing change needs Service zipkin', () => {
  const rows = (text: string, minor: number, zipkinService = false): string[] =>
    runChecks({ ...healthy(), fromVersion: { text, minor, zipkinService } })
      .filter((c) => c.category === 'compatibility')
      .map((c) => `${c.status} ${c.check}`);
  assert.deepEqual(rows('1.30', 30), ['ok from-version']);
  assert.deepEqual(rows('1.29', 29), ['ok from-version']);
  assert.deepEqual(rows('1.28', 28), ['warn from-version']);
  assert.deepEqual(rows('1.32', 32), ['fail from-version']);
  assert.deepEqual(rows('1.21', 21), ['warn from-version']);
  assert.deepEqual(rows('1.21', 21, true), ['warn from-version', 'warn tracing']);
  assert.deepEqual(rows('1.22', 22, true), ['warn from-version'], 'istioctl checks tracing only from 1.21 and older');
});

test('--from-version flag: 1.N or 1.N.P', async () => {
  const { validatePrecheck } = await import('../../../src/cli/options/precheck.js');
  assert.deepEqual(validatePrecheck({ istioNamespace: 'istio-system', output: 'table', fromVersion: '1.29' }), { fromVersion: { text: '1.29', minor: 29 } });
  assert.deepEqual(validatePrecheck({ istioNamespace: 'istio-system', output: 'table', fromVersion: 'v1.30.2' }).fromVersion?.minor, 30);
  for (const bad of ['1', '2.0', '1.x', '', '1.29.1.2'])
    assert.throws(() => validatePrecheck({ istioNamespace: 'istio-system', output: 'table', fromVersion: bad }), /^UsageError: -f\/--from-version: /, bad);
});

test('what the user may not read is one permissions warning, not a failure', () => {
  const rows = runChecks({ ...healthy(), unreadable: ['CustomResourceDefinition', 'Namespace', 'Namespace'] }).filter((c) => c.check === 'read');
  assert.deepEqual(
    rows.map((c) => [c.category, c.status, c.message]),
    [['permissions', 'warn', 'you may not read CustomResourceDefinition, Namespace (403): the checks that need them saw nothing']],
  );
});
