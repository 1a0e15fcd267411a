/** What runs in the cluster, as `mesh version --remote` reports it (plain data). */

export interface ControlPlaneVersion {
  revision: string;
  version: string;
  /** `namespace/name` of the istiod Deployment. */
  deployment: string;
  /** Where the version came from: istiod's own answer (its xDS identity) or the Deployment's image tag. */
  source?: 'istiod' | 'image';
}

export interface DataPlaneVersion {
  version: string;
  proxies: number;
  /** How many of them istiod reported (ISTIO_VERSION of connected proxies); the rest are image tags. */
  reported?: number;
}

export interface RemoteVersions {
  controlPlane: ControlPlaneVersion[];
  dataPlane: DataPlaneVersion[];
}
