// From files, an absence ("no pod matches", "no Service selects", "no webhook injects") may only mean the
// object is not among the files, so analyzers keep quiet; when a live cluster was read
// (settings.cluster), the absence is a fact and they report it, as istioctl does on a cluster
// (test/e2e/analyze-oracle.e2e.test.ts compares them there).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANALYZERS } from '../../../src/analyze/analyzers/index.js';
import { parseManifests } from '../../../src/analyze/load.js';
import { DEFAULT_SETTINGS, runAnalyzers } from '../../../src/analyze/runner.js';
import { ResourceStore } from '../../../src/analyze/store.js';

const OBJECTS = `apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: shop }
spec: { selector: { app: reviews }, ports: [{ name: http, port: 9080 }] }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: shop }
spec: { host: reviews, subsets: [{ name: v1, labels: { version: v1 } }] }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ratings, namespace: shop }
spec: { selector: { matchLabels: { app: ratings } }, rules: [{}] }
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: { name: ratings, namespace: shop }
spec: { workloadSelector: { labels: { app: ratings } }, egress: [{ hosts: ["./*"] }] }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: web, namespace: shop }
spec: { selector: { istio: ingress }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }] }
---
apiVersion: v1
kind: Namespace
metadata: { name: edge }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: gw, namespace: edge }
spec:
  selector: { matchLabels: { app: gw } }
  template: { metadata: { labels: { app: gw } }, spec: { containers: [{ name: istio-proxy, image: auto }] } }
`;

const findings = (cluster: boolean): string[] =>
  runAnalyzers({
    store: ResourceStore.of([], parseManifests(OBJECTS, { file: 'shop.yaml', defaultNamespace: 'shop' }).resources),
    analyzers: ANALYZERS,
    settings: { ...DEFAULT_SETTINGS, cluster },
  })
    .messages.filter((m) => ['IST0101', 'IST0127', 'IST0146', 'IST0173'].includes(m.code))
    .map((m) => `${m.code} ${m.resource.kind} ${m.resource.name}`)
    .sort();

test('files only: absences are not judged', () => {
  assert.deepEqual(findings(false), []);
});

test('a cluster was read: the subset that selects no pod, the policy and the selectors that match nothing, image: auto without a webhook', () => {
  assert.deepEqual(findings(true), [
    'IST0101 Gateway web',
    'IST0101 Sidecar ratings',
    'IST0127 AuthorizationPolicy ratings',
    'IST0146 Deployment gw',
    'IST0173 DestinationRule reviews',
  ]);
});
