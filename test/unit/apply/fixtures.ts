import type { ApplyOptions } from '../../../src/kube/client.js';
import { FakeKubeClient } from '../../../src/kube/fake.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const C = 'operator.istio.io/component';

export function crd(name: string): KubeObject {
  const [plural, ...group] = name.split('.');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name, labels: { [C]: 'Base' } },
    spec: { group: group.join('.'), names: { plural, kind: 'X' }, scope: 'Namespaced', versions: [] },
  };
}

export function deployment(
  name: string,
  component: string,
  opts: { namespace?: string; replicas?: number; image?: string; labels?: Record<string, string> } = {},
): KubeObject {
  const app = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: opts.namespace ?? 'istio-system', labels: { [C]: component, ...app } },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: app },
      template: {
        metadata: { labels: app },
        spec: { containers: [{ name: name === 'istiod' ? 'discovery' : 'istio-proxy', image: opts.image ?? 'registry.istio.io/release/pilot:1.31.1' }] },
      },
    },
  };
}

export function simple(kind: string, name: string, component: string, namespace: string | null = 'istio-system'): KubeObject {
  const apiVersion =
    kind === 'MutatingWebhookConfiguration' || kind === 'ValidatingWebhookConfiguration'
      ? 'admissionregistration.k8s.io/v1'
      : kind.startsWith('Cluster') || kind === 'Role' || kind === 'RoleBinding'
        ? 'rbac.authorization.k8s.io/v1'
        : 'v1';
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), labels: { [C]: component } }, data: { k: 'v' } };
}

/** A small demo-like render: Base, Pilot, IngressGateways, EgressGateways. */
export function rendered(overrides: { istiodReplicas?: number; egress?: boolean; image?: string } = {}): KubeObject[] {
  return [
    crd('virtualservices.networking.istio.io'),
    crd('gateways.networking.istio.io'),
    simple('ServiceAccount', 'istio-reader-service-account', 'Base'),
    simple('ClusterRole', 'istio-reader-clusterrole-istio-system', 'Base', null),
    simple('ServiceAccount', 'istiod', 'Pilot'),
    simple('ConfigMap', 'istio', 'Pilot'),
    simple('MutatingWebhookConfiguration', 'istio-sidecar-injector', 'Pilot', null),
    deployment('istiod', 'Pilot', {
      replicas: overrides.istiodReplicas ?? 1,
      labels: { app: 'istiod', istio: 'pilot' },
      ...(overrides.image ? { image: overrides.image } : {}),
    }),
    simple('Service', 'istiod', 'Pilot'),
    deployment('istio-ingressgateway', 'IngressGateways', {
      labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      image: 'registry.istio.io/release/proxyv2:1.31.1',
    }),
    ...(overrides.egress === false
      ? []
      : [
          deployment('istio-egressgateway', 'EgressGateways', {
            labels: { app: 'istio-egressgateway', istio: 'egressgateway' },
            image: 'registry.istio.io/release/proxyv2:1.31.1',
          }),
        ]),
  ];
}

/** The fake plus a pretend controller manager: applied workloads and CRDs become ready unless held back. */
export class ClusterFake extends FakeKubeClient {
  /** Names of workloads that never become ready. */
  readonly stuck = new Set<string>();

  override async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const r = await super.apply(obj, options);
    if (options.dryRun || this.stuck.has(r.metadata.name ?? '')) return r;
    return this.update(readyStatus(r));
  }
}

export function readyStatus(o: KubeObject): KubeObject {
  const spec = (o['spec'] ?? {}) as { replicas?: number };
  switch (o.kind) {
    case 'CustomResourceDefinition':
      return { ...o, status: { conditions: [{ type: 'Established', status: 'True' }] } };
    case 'Deployment': {
      const n = spec.replicas ?? 1;
      return { ...o, status: { observedGeneration: o.metadata.generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n } };
    }
    default:
      return o;
  }
}

/** A clock that advances only when the code under test sleeps. */
export function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += Math.max(ms, 1);
      await new Promise((r) => setImmediate(r));
    },
  };
}
