// What the gateway analyzers' fixtures cannot show: objects read from a cluster (Secrets and CRDs come as
// metadata only), and files layered over a cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as gatewaySecret from '../../../src/analyze/analyzers/gateway-secret.js';
import { clusterResource, parseManifests } from '../../../src/analyze/load.js';
import { DEFAULT_SETTINGS, runAnalyzers } from '../../../src/analyze/runner.js';
import { ResourceStore } from '../../../src/analyze/store.js';

const GATEWAY = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: web, namespace: default }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 443, name: https, protocol: HTTPS }
      hosts: ["*"]
      tls: { mode: SIMPLE, credentialName: web-cert }
`;
const files = (text: string) => parseManifests(text, { file: 'gw.yaml', defaultNamespace: 'default' }).resources;
const pod = clusterResource('Pod', {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'gw-1', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
});
const codes = (store: ResourceStore) => runAnalyzers({ store, analyzers: [gatewaySecret], strict: true }).messages.map((m) => `${m.code} ${m.text}`);

test('a Secret read from the cluster as metadata only is not judged for its content', () => {
  const secret = clusterResource('Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-cert', namespace: 'istio-system' } });
  assert.deepEqual(codes(ResourceStore.of([pod, secret], files(GATEWAY))), []);
});

test('a Secret from the cluster that does carry data is judged', () => {
  const secret = clusterResource('Secret', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'web-cert', namespace: 'istio-system' },
    data: { 'ca.crt': 'LS0t' },
  });
  assert.deepEqual(codes(ResourceStore.of([pod, secret], files(GATEWAY))), [
    'IST0161 The credential referenced by the Gateway web in namespace istio-system is invalid, which can cause the traffic not to work as expected.',
  ]);
});

test('a file Gateway over cluster pods: the secret is looked up where the pods run', () => {
  assert.deepEqual(codes(ResourceStore.of([pod], files(GATEWAY))), ['IST0101 Referenced credentialName not found: "web-cert"']);
});

test('CRDs are read from a cluster as metadata only, which is all IST0176 needs', async () => {
  const { FakeKubeClient } = await import('../../../src/kube/fake.js');
  const { readCluster } = await import('../../../src/analyze/io/cluster.js');
  const crdVersion = await import('../../../src/analyze/analyzers/k8sgateway-crd-version.js');
  const kube = new FakeKubeClient([
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'tlsroutes.gateway.networking.k8s.io', annotations: { 'gateway.networking.k8s.io/bundle-version': 'v1.4.0' } },
      spec: { group: 'gateway.networking.k8s.io', versions: [{ name: 'v1alpha2', schema: { openAPIV3Schema: { type: 'object' } } }] },
    },
  ]);
  const snapshot = await readCluster(kube, crdVersion.meta.inputs);
  assert.equal(snapshot.resources.length, 1);
  assert.equal(snapshot.resources[0]?.object['spec'], undefined);
  const messages = runAnalyzers({ store: ResourceStore.of(snapshot.resources), analyzers: [crdVersion], strict: true }).messages;
  assert.deepEqual(
    messages.map((m) => `${m.code} ${m.resource.kind} ${m.resource.name}`),
    ['IST0176 CustomResourceDefinition tlsroutes.gateway.networking.k8s.io'],
  );
});

test('from a cluster, the Secrets Gateways name are read whole (certificate and key only); no other Secret is', async () => {
  const { FakeKubeClient } = await import('../../../src/kube/fake.js');
  const { readCluster } = await import('../../../src/analyze/io/cluster.js');
  const gateway = parseManifests(GATEWAY.replace('namespace: default', 'namespace: istio-system'), { file: 'gw.yaml', defaultNamespace: 'default' })
    .resources[0]!.object;
  const secret = (name: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'istio-system' },
    type: 'kubernetes.io/tls',
    data,
  });
  const kube = new FakeKubeClient([
    gateway as never,
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gw-1', namespace: 'istio-system', labels: { istio: 'ingressgateway' } } },
    secret('web-cert', { 'tls.crt': '', 'tls.key': 'a2V5', 'ca.crt': 'Y2E=', password: 'c2VjcmV0' }),
    secret('other', { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' }),
  ]);
  const snapshot = await readCluster(kube, gatewaySecret.meta.inputs);
  const secrets = Object.fromEntries(snapshot.resources.filter((r) => r.id === 'Secret').map((r) => [r.name, r.object['data']]));
  assert.deepEqual(secrets, { 'web-cert': { 'tls.crt': '', 'tls.key': 'a2V5' }, other: undefined });
  const messages = runAnalyzers({ store: ResourceStore.of(snapshot.resources), analyzers: [gatewaySecret], strict: true }).messages;
  assert.deepEqual(
    messages.map((m) => m.code),
    ['IST0161'],
  );
});

test('IST0162: when a cluster was read, a gateway whose pods no Service selects has every server port reported; from files alone it is not judged', async () => {
  const ingressPort = await import('../../../src/analyze/analyzers/gateway-ingress-port.js');
  const gw = files(GATEWAY.replace('namespace: default', 'namespace: istio-system'));
  const run = (store: ResourceStore, cluster = false) =>
    runAnalyzers({ store, analyzers: [ingressPort], strict: true, settings: { ...DEFAULT_SETTINGS, cluster } }).messages.map((m) => `${m.code} ${m.text}`);
  assert.deepEqual(run(ResourceStore.of([pod], gw)), [], 'the pod is in view, but from files the Services may not be');
  assert.deepEqual(run(ResourceStore.of([pod], gw), true), [
    'IST0162 The gateway is listening on a target port (port 443) that is not defined in the Service associated with its workload instances (Pod selector istio=ingressgateway). If you need to access the gateway port through the gateway Service, it will not be available.',
  ]);
  const deployment = files(`apiVersion: apps/v1
kind: Deployment
metadata: { name: gw, namespace: istio-system }
spec:
  selector: { matchLabels: { istio: ingressgateway } }
  template: { metadata: { labels: { istio: ingressgateway } }, spec: { containers: [{ name: istio-proxy, image: proxyv2 }] } }
`);
  assert.deepEqual(run(ResourceStore.of([], [...gw, ...deployment])), []);
});
