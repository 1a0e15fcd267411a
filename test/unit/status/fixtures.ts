/** A small mesh for proxy-status tests: two istiod replicas, one answering each syncz shape. */
import type { KubeObject } from '../../../src/model/k8s.js';
import type { StatusSnapshot } from '../../../src/status/types.js';

export const NOW = new Date('2026-03-01T12:00:00Z');

const URL = {
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  ECDS: 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig',
};

export function istiodPod(name: string, tag = '1.31.1', rev?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'istio-system', labels: { app: 'istiod', ...(rev ? { 'istio.io/rev': rev } : {}) } },
    spec: { containers: [{ name: 'discovery', image: `registry.istio.io/release/pilot:${tag}` }] },
    status: { phase: 'Running' },
  };
}

export function appPod(name: string, namespace: string, opts: { proxyTag?: string; phase?: string; native?: boolean } = {}): KubeObject {
  const app = { name: 'app', image: 'example/app:1' };
  const proxy = { name: 'istio-proxy', image: `registry.istio.io/release/proxyv2:${opts.proxyTag ?? '1.31.1'}` };
  const spec =
    opts.proxyTag === undefined && opts.native === undefined
      ? { containers: [app] }
      : opts.native
        ? { initContainers: [{ ...proxy, restartPolicy: 'Always' }], containers: [app] }
        : { containers: [app, proxy] };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, annotations: { 'sidecar.istio.io/status': '{"revision":"default"}' } },
    spec,
    status: { phase: opts.phase ?? 'Running' },
  };
}

/** HTTP /debug/syncz: a SyncStatus array. productpage is synced (new style with resources), reviews has a STALE RDS (nonces only). */
export const httpSyncz = [
  {
    cluster_id: 'Kubernetes',
    proxy: 'productpage-1.bookinfo',
    proxy_type: 'sidecar',
    istio_version: '1.31.1',
    cluster_sent: 'n1',
    cluster_acked: 'n1',
    listener_sent: 'n2',
    listener_acked: 'n2',
    endpoint_sent: 'n3',
    endpoint_acked: 'n3',
    route_sent: 'n4',
    route_acked: 'n4',
    resources: {
      [URL.CDS]: { sent: 'n1', acked: 'n1', sentTime: '2026-03-01T11:58:00Z' },
      [URL.LDS]: { sent: 'n2', acked: 'n2', sentTime: '2026-03-01T11:58:00Z' },
      [URL.EDS]: { sent: 'n3', acked: 'n3', sentTime: '2026-03-01T11:59:55Z' },
      [URL.RDS]: { sent: 'n4', acked: 'n4', sentTime: '2026-03-01T11:57:55Z' },
    },
  },
  {
    cluster_id: 'Kubernetes',
    proxy: 'reviews-1.bookinfo',
    istio_version: '1.31.1',
    cluster_sent: 'a1',
    cluster_acked: 'a1',
    listener_sent: 'a2',
    listener_acked: 'a2',
    endpoint_sent: 'a3',
    endpoint_acked: 'a3',
    route_sent: 'a5',
    route_acked: 'a4',
  },
];

function clientConfig(id: string, version: string, configs: Record<string, unknown>[]) {
  return {
    '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
    node: { id, metadata: { CLUSTER_ID: 'Kubernetes', NAMESPACE: id.split('.')[1], ISTIO_VERSION: version } },
    genericXdsConfigs: configs,
  };
}

const synced = (t: keyof typeof URL, at = '2026-03-01T11:00:00Z') => ({ typeUrl: URL[t], configStatus: 'SYNCED', lastUpdated: at });

/** xDS istio.io/debug/syncz: ratings NACKed LDS, details runs an old proxy, the ingress gateway is fine. */
export const xdsSyncz = {
  versionInfo: '2026-03-01T11:59:00Z/42',
  typeUrl: 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
  controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: 'istiod-bbb', Info: { version: '1.31.1', revision: 'abc' } }) },
  resources: [
    clientConfig('ratings-1.bookinfo', '1.31.1', [
      synced('CDS'),
      {
        typeUrl: URL.LDS,
        configStatus: 'ERROR',
        lastUpdated: '2026-03-01T11:00:00Z',
        errorState: { lastUpdateAttempt: '2026-03-01T11:59:30Z', details: 'Error adding/updating listener(s) 0.0.0.0_9080: duplicate filter chain match' },
      },
      synced('EDS'),
      synced('RDS'),
      { typeUrl: URL.ECDS, configStatus: 'NOT_SENT' },
    ]),
    clientConfig('details-1.bookinfo', '1.30.2', [synced('CDS'), synced('LDS'), synced('EDS'), synced('RDS')]),
    clientConfig('istio-ingressgateway-1.istio-system', '1.31.1', [synced('CDS'), synced('LDS'), synced('EDS'), synced('RDS')]),
  ],
};

export function snapshot(): StatusSnapshot {
  return {
    istioNamespace: 'istio-system',
    istiodPods: [istiodPod('istiod-bbb'), istiodPod('istiod-aaa')],
    payloads: [
      { istiod: 'istiod-aaa', body: httpSyncz },
      { istiod: 'istiod-bbb', body: xdsSyncz },
    ],
    pods: [
      appPod('productpage-1', 'bookinfo', { proxyTag: '1.31.1' }),
      appPod('reviews-1', 'bookinfo', { proxyTag: '1.31.1' }),
      appPod('ratings-1', 'bookinfo', { proxyTag: '1.31.1-distroless' }),
      appPod('details-1', 'bookinfo', { proxyTag: '1.30.2' }),
      appPod('orphan-1', 'bookinfo', { proxyTag: '1.30.2', native: true }),
      appPod('pending-1', 'bookinfo', { proxyTag: '1.31.1', phase: 'Pending' }),
      appPod('plain-1', 'bookinfo'),
      appPod('other-1', 'other', { proxyTag: '1.31.1' }),
    ],
  };
}
