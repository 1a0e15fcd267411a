import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeApiError, podSummary } from '../../../src/kube/client.js';
import { decodePodList, statusJson, unwrap } from '../../../src/kube/real/protobuf.js';
import { ProtoWriter } from '../../../src/util/protowire.js';
import { apiStarter, json } from './api-server.js';

const w = (): ProtoWriter => new ProtoWriter();
const entry = (k: string, v: string): ProtoWriter => w().string(1, k).string(2, v);
const container = (name: string, image: string): ProtoWriter => w().string(1, name).string(2, image).string(3, 'ignored-command');
const envelope = (kind: string, raw: Uint8Array): Uint8Array => {
  const body = w().message(1, w().string(1, 'v1').string(2, kind)).bytes(2, raw).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), body]);
};

/** A Pod as the API server encodes it, with fields the summary skips (managedFields, volumes, conditions). */
function pod(name: string, opts: { deleting?: boolean; native?: boolean } = {}): ProtoWriter {
  const meta = w()
    .string(1, name)
    .string(3, 'shop')
    .string(5, `uid-${name}`)
    .string(6, '42')
    .message(11, entry('app', 'web'))
    .message(11, entry('istio.io/rev', 'canary'))
    .message(12, entry('sidecar.istio.io/status', '{"revision":"canary"}'))
    .message(17, w().string(1, 'kubectl').string(2, 'Update'));
  if (opts.deleting) meta.message(9, w().uint(1, 1764752400).uint(2, 5));
  const spec = w().message(1, w().string(1, 'data')).message(2, container('app', 'registry.local/app:1.0'));
  if (opts.native) spec.message(20, container('istio-proxy', 'docker.io/istio/proxyv2:1.31.1'));
  else spec.message(2, container('istio-proxy', 'docker.io/istio/proxyv2:1.30.2'));
  return w()
    .message(1, meta)
    .message(2, spec)
    .message(3, w().string(1, 'Running').message(2, w().string(1, 'Ready')).string(6, '10.0.0.7'));
}

/** pod('web-1') as a summary. */
const WEB_1_SUMMARY = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'shop',
    uid: 'uid-web-1',
    resourceVersion: '42',
    labels: { app: 'web', 'istio.io/rev': 'canary' },
    annotations: { 'sidecar.istio.io/status': '{"revision":"canary"}' },
  },
  spec: {
    containers: [
      { name: 'app', image: 'registry.local/app:1.0' },
      { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.2' },
    ],
  },
  status: { phase: 'Running', podIP: '10.0.0.7' },
};

test('a protobuf PodList page: each pod as its summary, the continue token, unknown and unwanted fields skipped', () => {
  const list = w()
    .message(1, w().string(2, '1234').string(3, 'next-page'))
    .message(2, pod('web-1'))
    .message(2, pod('web-2', { deleting: true, native: true }))
    .finish();
  const { kind, raw } = unwrap(envelope('PodList', list));
  assert.equal(kind, 'PodList');
  const page = decodePodList(raw);
  assert.equal(page.continue, 'next-page');
  assert.deepEqual(page.items[0], WEB_1_SUMMARY);
  const second = page.items[1]!;
  assert.equal(second.metadata.deletionTimestamp, '2025-12-03T09:00:00Z');
  assert.deepEqual((second['spec'] as { initContainers?: unknown }).initContainers, [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.31.1' }]);
});

test('the summary read from protobuf equals podSummary() of the same pod in JSON', () => {
  const json = {
    ...WEB_1_SUMMARY,
    metadata: { ...WEB_1_SUMMARY.metadata, managedFields: [{ manager: 'kubectl', operation: 'Update' }] },
    spec: {
      volumes: [{ name: 'data' }],
      containers: WEB_1_SUMMARY.spec.containers.map((c) => ({ ...c, command: ['ignored-command'] })),
    },
    status: { ...WEB_1_SUMMARY.status, conditions: [{ type: 'Ready' }] },
  };
  const fromProto = decodePodList(w().message(2, pod('web-1')).finish()).items[0];
  assert.deepEqual(fromProto, podSummary(json));
});

test('the fields analyze reads: creationTimestamp, container ports and runAsUser, the pod runAsUser, hostNetwork; empty names and false left out as JSON leaves them', () => {
  const meta = w().string(1, 'gw-1').string(3, 'shop').message(8, w().uint(1, 1764752400)).message(17, w().string(1, 'kubectl'));
  // What the server always writes: a port's hostPort, protocol and (empty) name, hostNetwork false.
  const port = (name: string, number: number): ProtoWriter => w().string(1, name).uint(2, 0).uint(3, number).string(4, 'TCP').string(5, '');
  const app = w()
    .string(1, 'app')
    .string(2, 'gw:1')
    .message(6, port('http', 8080))
    .message(6, port('', 9090))
    .message(15, w().message(1, w().string(1, 'NET_ADMIN')).uint(4, 1337));
  const init = w().string(1, 'init').string(2, 'init:1').message(15, w().uint(2, 0));
  const podWith = (hostNetwork: number): Uint8Array =>
    w()
      .message(
        2,
        w()
          .message(1, meta)
          .message(2, w().message(2, app).uint(11, hostNetwork).message(14, w().uint(2, 1000).uint(5, 2000)).message(20, init)),
      )
      .finish();
  const json = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'gw-1', namespace: 'shop', creationTimestamp: '2025-12-03T09:00:00Z', managedFields: [{ manager: 'kubectl' }] },
    spec: {
      hostNetwork: true,
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      containers: [
        {
          name: 'app',
          image: 'gw:1',
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { containerPort: 9090, protocol: 'TCP' },
          ],
          securityContext: { capabilities: { add: ['NET_ADMIN'] }, runAsUser: 1337 },
        },
      ],
      initContainers: [{ name: 'init', image: 'init:1', securityContext: { privileged: false } }],
    },
  };
  const fromProto = decodePodList(podWith(1)).items[0]!;
  assert.deepEqual(fromProto, podSummary(json));
  assert.deepEqual(fromProto['spec'], {
    containers: [{ name: 'app', image: 'gw:1', ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }], securityContext: { runAsUser: 1337 } }],
    initContainers: [{ name: 'init', image: 'init:1' }],
    hostNetwork: true,
    securityContext: { runAsUser: 1000 },
  });
  const off = decodePodList(podWith(0)).items[0]!;
  assert.equal((off['spec'] as { hostNetwork?: boolean }).hostNetwork, undefined);
  assert.deepEqual(off, podSummary({ ...json, spec: { ...json.spec, hostNetwork: false } }));
});

test('an error Status in protobuf becomes the JSON Status text the error messages are made from', () => {
  const status = w().string(2, 'Failure').string(3, 'pods is forbidden: User "dev" cannot list resource "pods"').string(4, 'Forbidden').uint(6, 403).finish();
  const { kind, raw } = unwrap(envelope('Status', status));
  assert.equal(kind, 'Status');
  assert.deepEqual(JSON.parse(statusJson(raw)), {
    kind: 'Status',
    message: 'pods is forbidden: User "dev" cannot list resource "pods"',
    reason: 'Forbidden',
    code: 403,
  });
});

test('a body without the k8s\\0 prefix, or a truncated one, is a ProtoError, not a crash', () => {
  assert.throws(() => unwrap(Buffer.from('{"kind":"PodList"}')), /no k8s\\0 prefix/);
  const list = w().message(2, pod('web-1')).finish();
  assert.throws(() => decodePodList(list.subarray(0, list.length - 7)), /truncated/);
});

// The client side of the protobuf pod list, against the HTTPS stand-in for what the real API server
// will not do on demand (answer JSON, or a 403 in protobuf). The real API server's protobuf lists
// are read in the proxy-status and rbac e2e tests (NOT CONNECTED proxies come from them).
const start = apiStarter();

test('list pods with podSummary: asks for protobuf, follows continue tokens, and takes a JSON answer too', { timeout: 10_000 }, async () => {
  const accepts: string[] = [];
  const api = await start((req, res, raw) => {
    if (req.path !== '/api/v1/pods') return false;
    accepts.push(String(raw.headers.accept));
    if (req.query.get('continue') === null) {
      const page = w().message(1, w().string(3, 'page-2')).message(2, pod('web-1')).finish();
      res.writeHead(200, { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
      res.end(Buffer.from(envelope('PodList', page)));
      return;
    }
    json(res, 200, {
      kind: 'PodList',
      metadata: {},
      items: [
        {
          metadata: { name: 'web-2', namespace: 'shop', managedFields: [{}] },
          spec: { containers: [{ name: 'app', image: 'a:1' }] },
          status: { phase: 'Pending' },
        },
      ],
    });
  });
  const pods = await api.client().list('v1', 'Pod', { podSummary: true });
  assert.deepEqual(
    pods.map((p) => p.metadata.name),
    ['web-1', 'web-2'],
  );
  assert.deepEqual(pods[1], {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-2', namespace: 'shop' },
    spec: { containers: [{ name: 'app', image: 'a:1' }] },
    status: { phase: 'Pending' },
  });
  assert.ok(
    accepts.every((a) => a.startsWith('application/vnd.kubernetes.protobuf')),
    accepts.join(' | '),
  );
});

test('list pods with podSummary: a 403 answered in protobuf is the usual one-line permission error', { timeout: 10_000 }, async () => {
  const api = await start((req, res) => {
    if (req.path !== '/api/v1/pods') return false;
    const st = w()
      .string(3, 'pods is forbidden: User "dev" cannot list resource "pods" in API group "" at the cluster scope')
      .string(4, 'Forbidden')
      .uint(6, 403)
      .finish();
    res.writeHead(403, { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    res.end(Buffer.from(envelope('Status', st)));
  });
  await assert.rejects(api.client().list('v1', 'Pod', { podSummary: true }), (err: unknown) => {
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.status, 403);
    assert.match(err.message, /cannot list resource "pods"/);
    assert.match(err.message, /kubectl auth can-i list pods -A/);
    assert.doesNotMatch(err.message, /k8s\u0000|\ufffd/);
    return true;
  });
});
