/**
 * What runs in the cluster: control-plane versions per revision (istiod Deployments) and data-plane
 * versions (proxies, counted per version), as `istioctl version` reports them.
 */
import type { KubeClient } from '../kube/client.js';
import { proxyContainer } from '../model/injection.js';
import type { KubeObject } from '../model/k8s.js';
import { kubeFailure } from './errors.js';
import { REVISION_LABEL, VERSION_LABEL } from './labels.js';
import { imageTag } from './plan.js';

import type { ControlPlaneVersion, DataPlaneVersion, RemoteVersions } from '../model/versions.js';

export type { ControlPlaneVersion, DataPlaneVersion, RemoteVersions } from '../model/versions.js';

type Container = { name?: string; image?: string };

/** The image of a pod's istio-proxy container (a sidecar, a native sidecar init container, or a gateway). */
export function podProxyImage(pod: KubeObject): string | undefined {
  return proxyContainer(pod['spec'])?.image;
}

/** Version from an image tag, without a -distroless/-debug flavour suffix. */
export function versionFromImage(image: string | undefined): string | undefined {
  const tag = imageTag(image);
  return tag?.replace(/-(distroless|debug)$/, '');
}

export function controlPlaneVersions(deployments: readonly KubeObject[]): ControlPlaneVersion[] {
  return deployments
    .map((d) => {
      const containers = (d['spec'] as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template?.spec?.containers ?? [];
      const discovery = containers.find((c) => c.name === 'discovery') ?? containers[0];
      const version = versionFromImage(discovery?.image) ?? d.metadata.labels?.[VERSION_LABEL] ?? 'unknown';
      return { revision: d.metadata.labels?.[REVISION_LABEL] ?? 'default', version, deployment: `${d.metadata.namespace ?? ''}/${d.metadata.name ?? ''}` };
    })
    .sort((a, b) => a.revision.localeCompare(b.revision) || a.deployment.localeCompare(b.deployment));
}

export function dataPlaneVersions(pods: readonly KubeObject[]): DataPlaneVersion[] {
  const counts = new Map<string, number>();
  for (const p of pods) {
    if (p.metadata.deletionTimestamp !== undefined) continue;
    const image = podProxyImage(p);
    if (image === undefined) continue;
    const v = versionFromImage(image) ?? 'unknown';
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].map(([version, proxies]) => ({ version, proxies })).sort((a, b) => a.version.localeCompare(b.version));
}

export async function collectRemoteVersions(kube: KubeClient): Promise<RemoteVersions> {
  try {
    const [deployments, pods] = await Promise.all([kube.list('apps/v1', 'Deployment', { labelSelector: 'app=istiod' }), kube.list('v1', 'Pod', {})]);
    return { controlPlane: controlPlaneVersions(deployments), dataPlane: dataPlaneVersions(pods) };
  } catch (err) {
    throw kubeFailure(err, 'versions in the cluster');
  }
}
