/** The Istio release that mesh renders and installs. */
export const ISTIO_VERSION = '1.31.1';
export const DEFAULT_HUB = 'registry.istio.io/release';
/** Kubernetes minors Istio 1.31 supports. */
export const MIN_K8S_MINOR = 32;
export const MAX_K8S_MINOR = 36;
