import type { KubeObject } from '../k8s.js';

/**
 * The Istio CustomResourceDefinitions (base component) with structural openAPIV3 schemas.
 * STUB: the schemas are being written; this returns the CRD objects once they land.
 * Contract: deterministic order, apiextensions.k8s.io/v1 CustomResourceDefinition objects,
 * without install labels (the renderer adds those).
 */
export function istioCrds(): KubeObject[] {
  return [];
}
