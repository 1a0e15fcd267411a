/**
 * Install-spec types: the IstioOperator input and the names of the install components.
 * The schema the input is validated against lives in install-schema.ts (as data).
 */

/** The values of the `operator.istio.io/component` label, in install order. */
export const COMPONENT_NAMES = ['Base', 'Pilot', 'IngressGateways', 'EgressGateways', 'Cni', 'Ztunnel'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

export const LABELS = {
  component: 'operator.istio.io/component',
  managed: 'operator.istio.io/managed',
  version: 'operator.istio.io/version',
  owningResource: 'install.operator.istio.io/owning-resource',
  owningResourceNamespace: 'install.operator.istio.io/owning-resource-namespace',
  revision: 'istio.io/rev',
} as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface K8sPatch {
  path: string;
  value?: Json;
}

export interface K8sSettings {
  affinity?: JsonObject;
  env?: JsonObject[];
  hpaSpec?: JsonObject;
  imagePullPolicy?: string;
  nodeSelector?: Record<string, string>;
  podDisruptionBudget?: JsonObject;
  podAnnotations?: Record<string, string>;
  priorityClassName?: string;
  readinessProbe?: JsonObject;
  replicaCount?: number;
  resources?: JsonObject;
  service?: JsonObject;
  strategy?: JsonObject;
  tolerations?: JsonObject[];
  serviceAnnotations?: Record<string, string>;
  securityContext?: JsonObject;
  volumes?: JsonObject[];
  volumeMounts?: JsonObject[];
  overlays?: { apiVersion?: string; kind?: string; name?: string; patches?: K8sPatch[] }[];
}

export interface ComponentSpec {
  enabled?: boolean;
  namespace?: string;
  hub?: string;
  tag?: string;
  label?: Record<string, string>;
  k8s?: K8sSettings;
}

export interface GatewaySpec extends ComponentSpec {
  name?: string;
}

export interface IstioOperatorSpec {
  profile?: string;
  installPackagePath?: string;
  hub?: string;
  tag?: string;
  namespace?: string;
  revision?: string;
  compatibilityVersion?: string;
  meshConfig?: JsonObject;
  components?: {
    base?: ComponentSpec;
    pilot?: ComponentSpec;
    cni?: ComponentSpec;
    ztunnel?: ComponentSpec;
    istiodRemote?: ComponentSpec;
    ingressGateways?: GatewaySpec[];
    egressGateways?: GatewaySpec[];
  };
  values?: JsonObject;
  unvalidatedValues?: JsonObject;
}

export interface IstioOperator {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: IstioOperatorSpec;
}

export const ISTIO_OPERATOR_API_VERSION = 'install.istio.io/v1alpha1';
