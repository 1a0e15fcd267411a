/** Facts about Istio's own objects and the namespaces it leaves alone, shared by several analyzers. */

/** Kubernetes system namespaces: Istio never injects them, and istioctl skips them in some checks. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Objects of the Istio control plane itself (labelled `istio`, or `release: istio`), which istioctl leaves out of several checks. */
export function isIstioControlPlane(labels: Readonly<Record<string, string>>): boolean {
  return 'istio' in labels || labels['release'] === 'istio';
}
