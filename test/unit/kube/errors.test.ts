import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeApiError } from '../../../src/kube/client.js';
import { rbacOf } from '../../../src/kube/real.js';
import { apiStarter, status, type TestApi } from './api-server.js';

const start = apiStarter();
const forbidden = (): Promise<TestApi> =>
  start((req, res) =>
    status(
      res,
      403,
      'Forbidden',
      `pods is forbidden: User "jane" cannot ${req.query.get('watch') === 'true' ? 'watch' : 'list'} resource "pods" in API group "" in the namespace "app"`,
    ),
  );

test('a 403 is a permission error naming the verb and resource, asked once', async () => {
  const api = await forbidden();
  await assert.rejects(api.client().list('v1', 'Pod', { namespace: 'app' }), (err: unknown) => {
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.status, 403);
    assert.match(
      err.message,
      /^list Pod in app: permission denied: may not list pods in namespace app \(403 Forbidden: pods is forbidden: User "jane" cannot list resource "pods".*; check with: kubectl auth can-i list pods -n app\)$/,
    );
    return true;
  });
  assert.equal(api.seen.length, 1);
});

test('a 403 on a watch is a permission error at once, not "cannot reach the API server" after retries', { timeout: 10_000 }, async () => {
  const api = await forbidden();
  await assert.rejects(
    api.client().watch('v1', 'Pod', { namespace: 'app', resourceVersion: '1' }, () => false),
    (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.doesNotMatch(err.message, /cannot reach/);
      assert.match(err.message, /^watch Pod: permission denied: may not watch pods in namespace app \(403 Forbidden/);
      return true;
    },
  );
  assert.equal(api.seen.length, 1);
});

test('a 401 says the credentials were not accepted, and is not retried', async () => {
  const api = await start((_req, res) => status(res, 401, 'Unauthorized', 'Unauthorized'));
  await assert.rejects(
    api.client().get({ apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'app' }),
    /: Pod app\/web: permission denied: the API server at https:\/\/127\.0\.0\.1:\d+ did not accept the credentials of context "test" \(401 Unauthorized: Unauthorized\); are they expired\?$/,
  );
  assert.equal(api.seen.length, 1);
});

test('a certificate that does not verify fails at once and says so; it is never retried', { timeout: 10_000 }, async () => {
  const api = await start(() => undefined);
  let connections = 0;
  api.https.on('connection', () => connections++);
  // A kubeconfig without the test CA: the server's certificate cannot be verified.
  await assert.rejects(api.client({ ca: null }).list('v1', 'Pod', { namespace: 'app' }), (err: unknown) => {
    assert.ok(err instanceof KubeApiError);
    assert.match(
      err.message,
      /the certificate of the API server at https:\/\/127\.0\.0\.1:\d+ does not verify \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
    assert.match(err.message, /certificate-authority/);
    return true;
  });
  assert.equal(connections, 1);
  await assert.rejects(
    api.client({ ca: null }).watch('v1', 'Pod', { namespace: 'app', resourceVersion: '1' }, () => false),
    /does not verify/,
  );
  assert.equal(connections, 2);
});

test('the RBAC verb and resource of request paths', () => {
  const u = (p: string): URL => new URL(`https://x${p}`);
  assert.deepEqual(rbacOf('GET', u('/api/v1/namespaces/app/pods')), { verb: 'list', resource: 'pods', namespace: 'app' });
  assert.deepEqual(rbacOf('GET', u('/api/v1/pods')), { verb: 'list', resource: 'pods' });
  assert.deepEqual(rbacOf('GET', u('/api/v1/namespaces/app/pods?watch=true')), { verb: 'watch', resource: 'pods', namespace: 'app' });
  assert.deepEqual(rbacOf('GET', u('/api/v1/namespaces/app')), { verb: 'get', resource: 'namespaces' });
  assert.deepEqual(rbacOf('PATCH', u('/apis/apps/v1/namespaces/app/deployments/web')), { verb: 'patch', resource: 'deployments.apps', namespace: 'app' });
  assert.deepEqual(rbacOf('POST', u('/api/v1/namespaces/istio-system/serviceaccounts/default/token')), {
    verb: 'create',
    resource: 'serviceaccounts/token',
    namespace: 'istio-system',
  });
  assert.deepEqual(rbacOf('DELETE', u('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-sidecar-injector')), {
    verb: 'delete',
    resource: 'mutatingwebhookconfigurations.admissionregistration.k8s.io',
  });
});
