import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeFailure } from '../../../src/apply/errors.js';
import { ExitCode, exitCodeOf } from '../../../src/errors.js';
import { KubeApiError } from '../../../src/kube/client.js';
import { parseWarningHeader } from '../../../src/kube/real.js';
import { json, apiStarter, status } from './api-server.js';

const start = apiStarter();
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mesh', namespace: 'istio-system' }, data: { a: '1' } };

test('every write asks for strict field validation, so an unknown field is an error and not dropped', async () => {
  const api = await start((req, res) => json(res, 200, { ...cm, metadata: { ...cm.metadata, uid: 'u1' } }));
  const kube = api.client();
  await kube.apply(cm, { fieldManager: 'mesh', force: true });
  await kube.apply(cm, { fieldManager: 'mesh', force: true, dryRun: true });
  await kube.create(cm);
  await kube.patch({ apiVersion: 'v1', kind: 'ConfigMap', name: 'mesh', namespace: 'istio-system' }, { data: { b: '2' } }, 'merge');
  assert.deepEqual(
    api.seen.map((s) => `${s.method} ${s.query.get('fieldValidation')}`),
    ['PATCH Strict', 'PATCH Strict', 'POST Strict', 'PATCH Strict'],
  );
});

test("the API server's Warning headers reach onWarning, each text once", async () => {
  const api = await start((req, res) => {
    res.setHeader('Warning', ['299 - "unknown field \\"spec.foo\\""', '299 - "policy/v1beta1 PodDisruptionBudget is deprecated"']);
    json(res, 200, cm);
  });
  const warnings: string[] = [];
  const kube = api.client({ onWarning: (t) => warnings.push(t) });
  await kube.apply(cm, { fieldManager: 'mesh', force: true });
  await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'mesh', namespace: 'istio-system' });
  assert.deepEqual(warnings, ['unknown field "spec.foo"', 'policy/v1beta1 PodDisruptionBudget is deprecated']);
});

test('Warning header texts: several in one header, escaped quotes, a trailing date', () => {
  assert.deepEqual(parseWarningHeader('299 - "a, b", 299 - "c \\"d\\"" "Wed, 21 Oct 2015 07:28:00 GMT"'), ['a, b', 'c "d"']);
  assert.deepEqual(parseWarningHeader('299 - ""'), []);
  assert.deepEqual(parseWarningHeader('garbage'), []);
});

test("the API server's refusal of a rendered object is bad input (exit 65), on one line, naming the object", async () => {
  const api = await start((req, res) => status(res, 400, 'BadRequest', '.data.b: field not declared in schema\nand more'));
  const err = await api
    .client()
    .apply(cm, { fieldManager: 'mesh', force: true })
    .catch((e: unknown) => e);
  assert.ok(err instanceof KubeApiError);
  const failure = kubeFailure(err, cm);
  assert.equal(exitCodeOf(failure), ExitCode.Input);
  assert.match(failure.message, /^apply ConfigMap istio-system\/mesh: \.data\.b: field not declared in schema and more \(the rendered object is invalid/);
  assert.ok(!failure.message.includes('\n'));
  // A refusal of something else (a restart patch, a list) stays a cluster failure.
  const other = kubeFailure(new KubeApiError(422, 'Invalid', 'patch Deployment a/b: bad', 'patch Deployment a/b'), 'Deployment a/b');
  assert.equal(exitCodeOf(other), ExitCode.Failure);
});

test('the 500 that server-side apply answers for an unknown field is an invalid object, asked once, exit 65', async () => {
  const api = await start((req, res) =>
    status(res, 500, '', 'failed to create typed patch object (istio-system/mesh; /v1, Kind=ConfigMap): .spec.bogus: field not declared in schema'),
  );
  const err = await api
    .client()
    .apply(cm, { fieldManager: 'mesh', force: true })
    .catch((e: unknown) => e);
  assert.ok(err instanceof KubeApiError);
  assert.equal(api.seen.length, 1, 'not retried');
  assert.equal(err.status, 422);
  assert.equal(err.message, 'apply ConfigMap istio-system/mesh: .spec.bogus: field not declared in schema');
  assert.equal(exitCodeOf(kubeFailure(err, cm)), ExitCode.Input);
});

test('a bearer token from the kubeconfig is sent on every request and watch (it was dropped before)', async () => {
  const auth: string[] = [];
  const api = await start((req, res, raw) => {
    auth.push(`${req.method} ${req.query.get('watch') === 'true' ? 'watch' : 'req'} ${raw.headers.authorization ?? 'none'}`);
    if (req.query.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ type: 'ADDED', object: { ...cm, metadata: { ...cm.metadata, resourceVersion: '2' } } }) + '\n');
      return;
    }
    if (req.method === 'GET' && req.path.endsWith('/configmaps')) return json(res, 200, { items: [], metadata: { resourceVersion: '1' } });
    json(res, 200, cm);
  });
  const kube = api.client();
  await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'mesh', namespace: 'istio-system' });
  await kube.apply(cm, { fieldManager: 'mesh', force: true });
  await kube.watch('v1', 'ConfigMap', { namespace: 'istio-system' }, () => true);
  assert.deepEqual(auth, ['GET req Bearer test-token', 'PATCH req Bearer test-token', 'GET req Bearer test-token', 'GET watch Bearer test-token']);
});
