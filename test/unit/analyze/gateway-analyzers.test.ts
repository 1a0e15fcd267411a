// What the gateway analyzers' fixtures cannot show: objects read from a cluster (Secrets and CRDs come as
// metadata only), and files layered over a cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as gatewaySecret from '../../../src/analyze/analyzers/gateway-secret.js';
import { clusterResource, parseManifests } from '../../../src/analyze/load.js';
import { runAnalyzers } from '../../../src/analyze/runner.js';
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
