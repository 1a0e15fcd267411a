// The shared injection facts: image references, image matching (mirrors, digests, variants), injector values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageMatches, injectorImage, injectorValues, parseImageRef, proxyContainer, proxyRevision, revisionTags } from '../../../src/model/injection.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const cm = (values: unknown): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' },
  data: { values: typeof values === 'string' ? values : JSON.stringify(values) },
});

test('parseImageRef splits host, path, tag and digest', () => {
  assert.deepEqual(parseImageRef('registry.istio.io/release/proxyv2:1.31.1'), {
    host: 'registry.istio.io',
    path: 'release/proxyv2',
    tag: '1.31.1',
    digest: '',
  });
  assert.deepEqual(parseImageRef('localhost:5000/proxyv2:1.31.1-distroless'), {
    host: 'localhost:5000',
    path: 'proxyv2',
    tag: '1.31.1-distroless',
    digest: '',
  });
  assert.deepEqual(parseImageRef('istio/proxyv2@sha256:abc'), { host: '', path: 'istio/proxyv2', tag: '', digest: 'sha256:abc' });
  assert.deepEqual(parseImageRef('busybox'), { host: '', path: 'library/busybox', tag: '', digest: '' });
  assert.deepEqual(parseImageRef('gcr.io/a/b:1@sha256:d'), { host: 'gcr.io', path: 'a/b', tag: '1', digest: 'sha256:d' });
});

test('imageMatches: mirrors and digests are the same image; other paths, tags and digests are not', () => {
  const expected = { image: 'europe-docker.pkg.dev/p/virtual/istio/proxyv2:1.31.1', variant: '' };
  assert.ok(imageMatches('us-docker.pkg.dev/p/virtual/istio/proxyv2:1.31.1', expected), 'same path and tag from another host');
  assert.ok(!imageMatches('us-docker.pkg.dev/p/virtual/istio/proxyv2:1.30.2', expected));
  assert.ok(!imageMatches('us-docker.pkg.dev/other/proxyv2:1.31.1', expected), 'another repository path');
  assert.ok(imageMatches('us-docker.pkg.dev/p/virtual/istio/proxyv2:1.31.1@sha256:aa', expected), 'a tag pinned by an admission controller');
  const pinned = { image: 'europe-docker.pkg.dev/p/istio/proxyv2@sha256:aa', variant: '' };
  assert.ok(imageMatches('us-docker.pkg.dev/q/istio/proxyv2@sha256:aa', pinned), 'same digest, another host');
  assert.ok(!imageMatches('europe-docker.pkg.dev/p/istio/proxyv2@sha256:bb', pinned));
  assert.ok(imageMatches('europe-docker.pkg.dev/p/istio/proxyv2:1.31.1', pinned), 'digest against tag: cannot compare, no mismatch');
  assert.ok(imageMatches('istio/proxyv2:1.31.1', { image: 'docker.io/istio/proxyv2:1.31.1', variant: '' }), 'docker.io spelled out or not');
});

test('injectorImage and injectorValues read the values JSON', () => {
  assert.deepEqual(injectorImage(cm({ global: { hub: 'h', tag: '1.31.1', proxy: { image: 'proxyv2' }, variant: 'distroless' } })), {
    image: 'h/proxyv2:1.31.1',
    variant: 'distroless',
  });
  assert.deepEqual(injectorImage(cm({ global: { hub: 'h', tag: 1.31 } })), { image: 'h/proxyv2:1.31', variant: '' });
  assert.equal(injectorImage(cm({ global: { proxy: { image: 'proxyv2' } } })), undefined, 'no hub or tag: unknown');
  assert.equal(injectorValues(cm('[1]')), undefined);
  assert.equal(injectorValues({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), undefined);
});

test('proxyContainer finds istio-proxy in containers or initContainers (native sidecar)', () => {
  assert.deepEqual(proxyContainer({ containers: [{ name: 'app' }, { name: 'istio-proxy', image: 'p:1' }] }), { image: 'p:1', field: 'containers', index: 1 });
  assert.deepEqual(proxyContainer({ containers: [{ name: 'app' }], initContainers: [{ name: 'istio-proxy', image: 'p:2' }] }), {
    image: 'p:2',
    field: 'initContainers',
    index: 0,
  });
  assert.equal(proxyContainer({ containers: [{ name: 'app' }] }), undefined);
});

test('revisionTags maps istio.io/tag to istio.io/rev', () => {
  const mwc = (labels: Record<string, string>): KubeObject => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'x', labels },
  });
  assert.deepEqual(revisionTags([mwc({ 'istio.io/tag': 'prod', 'istio.io/rev': '1-31-1' }), mwc({ 'istio.io/rev': 'default' })]), { prod: '1-31-1' });
});

test('proxyRevision: the revision istiod wrote into sidecar.istio.io/status is never resolved as a tag (tag default after an upgrade from the default revision)', () => {
  const pod = (annotations: Record<string, string>, labels: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', annotations, labels },
    spec: { containers: [{ name: 'app' }, { name: 'istio-proxy', image: 'proxyv2:1.31.1' }] },
  });
  const tags = { default: 'canary', prod: 'old' };
  const injected = pod({ 'sidecar.istio.io/status': JSON.stringify({ revision: 'default' }) });
  assert.equal(proxyRevision(injected, { 'istio-injection': 'enabled' }, tags), 'default');
  // without the annotation, a pod label or the namespace names a revision or a tag: resolved
  assert.equal(proxyRevision(pod({}, { 'istio.io/rev': 'prod' }), {}, tags), 'old');
  assert.equal(proxyRevision(pod({}), { 'istio-injection': 'enabled' }, tags), 'canary');
  assert.equal(proxyRevision(pod({}), { 'istio.io/rev': 'prod' }, tags), 'old');
});
