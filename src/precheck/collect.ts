/** Reads what `mesh precheck` checks (I/O); the checks themselves are pure (checks.ts). */
import type { KubeClient } from '../kube/client.js';
import { KubeApiError, NotServedError } from '../kube/client.js';
import type { KubeObject } from '../model/k8s.js';
import { INSTALL_PERMISSIONS, type PrecheckSnapshot } from './checks.js';

export interface PrecheckOptions {
  istioNamespace: string;
  removing?: string;
  /** `--from-version`, as given, and its minor. */
  fromVersion?: { text: string; minor: number };
  now: Date;
}

/** A list that may be refused (403: recorded in `unreadable`) or not served (empty). */
async function listOrEmpty(kube: KubeClient, apiVersion: string, kind: string, unreadable: string[], options = {}): Promise<KubeObject[]> {
  try {
    return await kube.list(apiVersion, kind, options);
  } catch (err) {
    if (err instanceof NotServedError) return [];
    if (err instanceof KubeApiError && err.status === 403) {
      unreadable.push(kind);
      return [];
    }
    throw err;
  }
}

async function getOrUndefined(kube: KubeClient, ref: Parameters<KubeClient['get']>[0], unreadable: string[]): Promise<KubeObject | undefined> {
  try {
    return await kube.get(ref);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403) {
      unreadable.push(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
      return undefined;
    }
    throw err;
  }
}

export async function collectPrecheck(kube: KubeClient, options: PrecheckOptions): Promise<PrecheckSnapshot> {
  const ns = options.istioNamespace;
  // A user with fewer rights still gets the checks: what they may not read is said, not fatal.
  const unreadable: string[] = [];
  const [serverVersion, crds, istiods, mutatingWebhooks, validatingWebhooks, namespaces, rootCm, permissions] = await Promise.all([
    kube.serverVersion(),
    listOrEmpty(kube, 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', unreadable),
    listOrEmpty(kube, 'apps/v1', 'Deployment', unreadable, { labelSelector: 'app=istiod' }),
    listOrEmpty(kube, 'admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', unreadable),
    listOrEmpty(kube, 'admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', unreadable),
    listOrEmpty(kube, 'v1', 'Namespace', unreadable),
    getOrUndefined(kube, { apiVersion: 'v1', kind: 'ConfigMap', name: 'istio-ca-root-cert', namespace: ns }, unreadable),
    Promise.all(
      INSTALL_PERMISSIONS.map(async (p) => {
        const review = await kube.create({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          metadata: {},
          spec: { resourceAttributes: { verb: 'create', group: p.group, resource: p.resource, ...(p.namespaced ? { namespace: ns } : {}) } },
        });
        const status = (review['status'] ?? {}) as { allowed?: boolean; reason?: string };
        return { group: p.group, resource: p.resource, allowed: status.allowed === true, ...(status.reason ? { reason: status.reason } : {}) };
      }),
    ),
  ]);
  // Only the Services the webhooks name (a large cluster has thousands).
  const wanted = new Map<string, { name: string; namespace: string }>();
  for (const cfg of [...mutatingWebhooks, ...validatingWebhooks]) {
    for (const h of (cfg['webhooks'] as { clientConfig?: { service?: { name?: string; namespace?: string } } }[] | undefined) ?? []) {
      const svc = h.clientConfig?.service;
      if (svc?.name !== undefined && svc.namespace !== undefined) wanted.set(`${svc.namespace}/${svc.name}`, { name: svc.name, namespace: svc.namespace });
    }
  }
  const services = (await Promise.all([...wanted.values()].map((s) => getOrUndefined(kube, { apiVersion: 'v1', kind: 'Service', ...s }, unreadable)))).filter(
    (s): s is KubeObject => s !== undefined,
  );
  const pods = options.removing !== undefined ? await listOrEmpty(kube, 'v1', 'Pod', unreadable) : [];
  const zipkinService =
    options.fromVersion !== undefined
      ? (await getOrUndefined(kube, { apiVersion: 'v1', kind: 'Service', name: 'zipkin', namespace: ns }, unreadable)) !== undefined
      : false;
  const pem = (rootCm?.['data'] as Record<string, string> | undefined)?.['root-cert.pem'];
  return {
    istioNamespace: ns,
    serverVersion,
    permissions,
    crds,
    istiods,
    services,
    mutatingWebhooks,
    validatingWebhooks,
    namespaces,
    pods,
    ...(pem !== undefined ? { rootCert: pem } : {}),
    now: options.now,
    ...(unreadable.length > 0 ? { unreadable } : {}),
    ...(options.removing !== undefined ? { removing: options.removing } : {}),
    ...(options.fromVersion !== undefined ? { fromVersion: { ...options.fromVersion, zipkinService } } : {}),
  };
}
