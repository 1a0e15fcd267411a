/**
 * Resource names of the built-in kinds mesh reads and writes, so that a request for one does not
 * first wait for a discovery round trip (`GET /api/v1`, `/apis/apps/v1`, ...): on `mesh proxy-status`
 * that round trip, on a fresh TLS connection, came before every other request. Each entry is served
 * by every Kubernetes release Istio 1.31 supports (1.30 and later), under the same name; an e2e test
 * (test/e2e/control-plane.e2e.test.ts) compares the table with the real API server's discovery.
 * Kinds not listed (custom resources, anything else) are found by discovery, as before. Pure data.
 */
import type { ResourceInfo } from '../client.js';

/** apiVersion → kind → [plural resource, namespaced]. */
const TABLE: Record<string, Record<string, readonly [string, boolean]>> = {
  v1: {
    ConfigMap: ['configmaps', true],
    Endpoints: ['endpoints', true],
    Event: ['events', true],
    LimitRange: ['limitranges', true],
    Namespace: ['namespaces', false],
    Node: ['nodes', false],
    PersistentVolumeClaim: ['persistentvolumeclaims', true],
    Pod: ['pods', true],
    ResourceQuota: ['resourcequotas', true],
    Secret: ['secrets', true],
    Service: ['services', true],
    ServiceAccount: ['serviceaccounts', true],
  },
  'apps/v1': {
    ControllerRevision: ['controllerrevisions', true],
    DaemonSet: ['daemonsets', true],
    Deployment: ['deployments', true],
    ReplicaSet: ['replicasets', true],
    StatefulSet: ['statefulsets', true],
  },
  'batch/v1': { CronJob: ['cronjobs', true], Job: ['jobs', true] },
  'autoscaling/v2': { HorizontalPodAutoscaler: ['horizontalpodautoscalers', true] },
  'policy/v1': { PodDisruptionBudget: ['poddisruptionbudgets', true] },
  'admissionregistration.k8s.io/v1': {
    MutatingWebhookConfiguration: ['mutatingwebhookconfigurations', false],
    ValidatingWebhookConfiguration: ['validatingwebhookconfigurations', false],
  },
  'apiextensions.k8s.io/v1': { CustomResourceDefinition: ['customresourcedefinitions', false] },
  'rbac.authorization.k8s.io/v1': {
    ClusterRole: ['clusterroles', false],
    ClusterRoleBinding: ['clusterrolebindings', false],
    Role: ['roles', true],
    RoleBinding: ['rolebindings', true],
  },
  'networking.k8s.io/v1': { Ingress: ['ingresses', true], IngressClass: ['ingressclasses', false], NetworkPolicy: ['networkpolicies', true] },
  'discovery.k8s.io/v1': { EndpointSlice: ['endpointslices', true] },
  'coordination.k8s.io/v1': { Lease: ['leases', true] },
};

/** The built-in kind's resource, or undefined for a kind discovery must find. */
export function builtinResource(apiVersion: string, kind: string): ResourceInfo | undefined {
  const entry = TABLE[apiVersion]?.[kind];
  return entry === undefined ? undefined : { resource: entry[0], namespaced: entry[1], kind, apiVersion };
}

/** Every entry, for the test that compares the table with a real API server. */
export function builtinResources(): ResourceInfo[] {
  return Object.entries(TABLE).flatMap(([apiVersion, kinds]) => Object.keys(kinds).map((kind) => builtinResource(apiVersion, kind)!));
}
