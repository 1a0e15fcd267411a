import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeApiError } from '../../../src/kube/client.js';
import { json, apiStarter, status } from './api-server.js';

const start = apiStarter();
const ref = { apiVersion: 'v1', kind: 'Pod', name: 'db-0', namespace: 'app' };

test('a DELETE whose response was lost is retried with the uid precondition, so the recreated pod of the same name survives', async () => {
  // The StatefulSet controller recreates db-0 (a new uid) as soon as it is deleted.
  let live: { uid: string } | undefined = { uid: 'uid-old' };
  let deletes = 0;
  const api = await start((req, res) => {
    if (req.method !== 'DELETE' || req.path !== '/api/v1/namespaces/app/pods/db-0') return false;
    deletes++;
    const pre = req.body ? (JSON.parse(req.body) as { preconditions?: { uid?: string } }).preconditions : undefined;
    if (!live) return status(res, 404, 'NotFound', 'pods "db-0" not found');
    if (pre?.uid !== undefined && pre.uid !== live.uid) {
      return status(res, 409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.uid}`);
    }
    live = { uid: live.uid === 'uid-old' ? 'uid-new' : 'uid-newer' };
    if (deletes === 1) return void res.socket?.destroy(); // the response is lost
    json(res, 200, { kind: 'Status', status: 'Success' });
  });
  const deleted = await api.client().delete(ref, { preconditions: { uid: 'uid-old' } });
  assert.equal(deleted, true, 'the first attempt deleted it');
  assert.equal(deletes, 2);
  assert.deepEqual(live, { uid: 'uid-new' }, 'the replacement pod was not deleted by the retry');
});

test('a DELETE without a uid precondition is not retried after a lost response', async () => {
  let deletes = 0;
  const api = await start((req, res) => {
    if (req.method !== 'DELETE') return false;
    deletes++;
    res.socket?.destroy();
  });
  await assert.rejects(api.client().delete(ref), (err: unknown) => err instanceof KubeApiError && err.afterLostResponse);
  assert.equal(deletes, 1);
});

test('a DELETE whose precondition names a uid that is gone leaves the new object alone and reports it not deleted', async () => {
  const api = await start((req, res) => {
    if (req.method !== 'DELETE') return false;
    status(res, 409, 'Conflict', 'Precondition failed: UID in precondition: uid-old, UID in object meta: uid-new');
  });
  assert.equal(await api.client().delete(ref, { preconditions: { uid: 'uid-old' } }), false);
  assert.equal(api.seen.length, 1);
  assert.deepEqual(JSON.parse(api.seen[0]!.body), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'uid-old' } });
});

test("a 503 after the DELETE was carried out, then the retry's 409 in the API server's 1.35 wording: deleted, the new pod kept", async () => {
  // Found by the fault suite (test/faults): kube-apiserver 1.35 says "the UID in the precondition (…) does not match the UID in record (…)".
  let deletes = 0;
  const api = await start((req, res) => {
    if (req.method !== 'DELETE') return false;
    deletes++;
    if (deletes === 1) return status(res, 503, 'ServiceUnavailable', 'lost');
    status(
      res,
      409,
      'Conflict',
      'Operation cannot be fulfilled on Pod "db-0": the UID in the precondition (uid-old) does not match the UID in record (uid-new). The object might have been deleted and then recreated',
    );
  });
  assert.equal(await api.client().delete(ref, { preconditions: { uid: 'uid-old' } }), true);
  assert.equal(deletes, 2);
});

test('a create with generateName is not retried after a 500 (it could make a second object); a 429 is', async () => {
  let posts = 0;
  const api = await start((req, res) => {
    if (req.method !== 'POST') return false;
    posts++;
    if (req.path.endsWith('/pods') && posts === 1) return status(res, 429, 'TooManyRequests', 'slow down');
    status(res, 500, 'InternalError', 'etcdserver: request timed out');
  });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'job-', namespace: 'app' } };
  await assert.rejects(api.client().create(pod), /request timed out/);
  assert.equal(posts, 2, 'one retry after the 429, none after the 500');
});

test('a named create retried after a lost response reports AlreadyExists, not a duplicate', async () => {
  let posts = 0;
  const api = await start((req, res) => {
    if (req.method !== 'POST') return false;
    posts++;
    if (posts === 1) return void res.socket?.destroy();
    status(res, 409, 'AlreadyExists', 'namespaces "istio-system" already exists');
  });
  await assert.rejects(api.client().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }), (err: unknown) => {
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.status, 409);
    assert.equal(err.afterLostResponse, true);
    return true;
  });
  assert.equal(posts, 2);
});

test('a JSON patch is not retried after a 503; a merge patch is', async () => {
  let patches = 0;
  const api = await start((req, res) => {
    if (req.method !== 'PATCH') return false;
    patches++;
    if (patches === 1 || patches === 2) return status(res, 503, 'ServiceUnavailable', 'unavailable');
    json(res, 200, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'app' } });
  });
  await assert.rejects(api.client().patch(ref, [{ op: 'add', path: '/metadata/labels/x', value: 'y' }], 'json'), /unavailable/);
  assert.equal(patches, 1);
  const out = await api.client().patch(ref, { metadata: { labels: { x: 'y' } } }, 'merge');
  assert.equal(out.metadata.name, 'db-0');
  assert.equal(patches, 3);
});
