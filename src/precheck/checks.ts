/**
 * `mesh precheck`: is the cluster ready to install or upgrade Istio 1.31? Pure checks over a snapshot
 * of the cluster (collect.ts reads it). Each check has a category, a status, a message, and for a
 * failure or warning a hint and a documentation link. The categories and istioctl's codes where
 * `istioctl x precheck` has one: Kubernetes version (IST0142), permissions (IST0141), Gateway API CRDs
 * (IST0156), control planes and tags, webhooks, namespace labels, proxies, certificates.
 */
import { X509Certificate } from 'node:crypto';
import { REVISION_LABEL, proxyRevision, revisionTags } from '../model/injection.js';
import type { KubeObject } from '../model/k8s.js';

export const MIN_K8S_MINOR = 32;
export const MAX_TESTED_K8S_MINOR = 36;
const DOCS = 'https://istio.io/latest/docs';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export type Category =
  'kubernetes' | 'permissions' | 'gateway-api' | 'control-plane' | 'webhooks' | 'namespaces' | 'proxies' | 'certificates' | 'config' | 'compatibility';

export interface CheckResult {
  category: Category;
  check: string;
  status: CheckStatus;
  message: string;
  hint?: string;
  docs?: string;
  /** istioctl's code for the same finding, where it has one. */
  code?: string;
}

/** What the install needs to create, as istioctl's precheck asks (SelfSubjectAccessReview). */
export const INSTALL_PERMISSIONS: readonly { group: string; resource: string; namespaced: boolean }[] = [
  { group: '', resource: 'namespaces', namespaced: false },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', namespaced: false },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', namespaced: false },
  { group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', namespaced: false },
  { group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', namespaced: false },
  { group: 'rbac.authorization.k8s.io', resource: 'roles', namespaced: true },
  { group: '', resource: 'serviceaccounts', namespaced: true },
  { group: '', resource: 'services', namespaced: true },
  { group: 'apps', resource: 'deployments', namespaced: true },
  { group: '', resource: 'configmaps', namespaced: true },
];

/** Minimum Gateway API bundle version per CRD that Istio 1.31 watches. */
export const GATEWAY_API_MINIMUM: Readonly<Record<string, readonly [number, number, number]>> = {
  'gateways.gateway.networking.k8s.io': [1, 0, 0],
  'httproutes.gateway.networking.k8s.io': [1, 0, 0],
  'grpcroutes.gateway.networking.k8s.io': [1, 1, 0],
  'tlsroutes.gateway.networking.k8s.io': [1, 5, 0],
  'backendtlspolicies.gateway.networking.k8s.io': [1, 4, 0],
};

export interface PrecheckSnapshot {
  istioNamespace: string;
  serverVersion: { major: string; minor: string; gitVersion: string };
  /** `resource` (group/resource) → allowed, for INSTALL_PERMISSIONS. */
  permissions: { group: string; resource: string; allowed: boolean; reason?: string }[];
  crds: KubeObject[];
  istiods: KubeObject[];
  services: KubeObject[];
  mutatingWebhooks: KubeObject[];
  validatingWebhooks: KubeObject[];
  namespaces: KubeObject[];
  pods: KubeObject[];
  /** root-cert.pem of the istio namespace's istio-ca-root-cert ConfigMap, when there is one. */
  rootCert?: string;
  now: Date;
  /** `--removing REV`: a revision about to be uninstalled. */
  removing?: string;
  /** What the user may not read (403): kinds listed cluster-wide, or single objects. */
  unreadable?: string[];
  /**
   * Findings of the analyzers' deprecation checks on the cluster's config (the caller runs them:
   * IST0002 deprecated fields and kinds, IST0135 deprecated annotations); undefined: not run.
   */
  configFindings?: ConfigFinding[];
  /** `--from-version 1.N`: the minor of the Istio the cluster runs now, and whether Service zipkin exists in the Istio namespace. */
  fromVersion?: { text: string; minor: number; zipkinService: boolean };
}

export interface ConfigFinding {
  code: string;
  level: 'Error' | 'Warning' | 'Info';
  /** `Kind namespace/name` (or `Kind name`). */
  resource: string;
  text: string;
}

/** The Istio minor this mesh installs, and the oldest one a canary upgrade may start from (two minors back). */
export const TARGET_MINOR = 31;
export const OLDEST_UPGRADE_MINOR = TARGET_MINOR - 2;

function revisionOfDeployment(d: KubeObject): string {
  return d.metadata.labels?.[REVISION_LABEL] ?? 'default';
}

function parseVersion(text: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function below(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

type Webhook = { name?: string; clientConfig?: { caBundle?: string; service?: { name?: string; namespace?: string } } };

export function runChecks(s: PrecheckSnapshot): CheckResult[] {
  const out: CheckResult[] = [];
  const add = (r: CheckResult): void => void out.push(r);

  // Kubernetes version
  const minor = Number(/^\d+/.exec(s.serverVersion.minor)?.[0] ?? NaN);
  const k8s = `Kubernetes ${s.serverVersion.gitVersion || `${s.serverVersion.major}.${s.serverVersion.minor}`}`;
  if (!(minor >= MIN_K8S_MINOR)) {
    add({
      category: 'kubernetes',
      check: 'version',
      status: 'fail',
      code: 'IST0142',
      message: `${k8s} is older than Istio 1.31 supports (1.${MIN_K8S_MINOR} to 1.${MAX_TESTED_K8S_MINOR})`,
      hint: `upgrade the cluster to Kubernetes 1.${MIN_K8S_MINOR} or newer first`,
      docs: `${DOCS}/releases/supported-releases/`,
    });
  } else if (minor > MAX_TESTED_K8S_MINOR) {
    add({
      category: 'kubernetes',
      check: 'version',
      status: 'warn',
      message: `${k8s} is newer than Istio 1.31 was tested with (1.${MIN_K8S_MINOR} to 1.${MAX_TESTED_K8S_MINOR})`,
      hint: 'it will likely work; check the release notes of a newer Istio',
      docs: `${DOCS}/releases/supported-releases/`,
    });
  } else {
    add({ category: 'kubernetes', check: 'version', status: 'ok', message: `${k8s} is supported by Istio 1.31` });
  }

  // Permissions
  const denied = s.permissions.filter((p) => !p.allowed);
  if (denied.length > 0) {
    const names = denied.map((p) => (p.group === '' ? p.resource : `${p.resource}.${p.group}`));
    add({
      category: 'permissions',
      check: 'install',
      status: 'fail',
      code: 'IST0141',
      message: `you may not create ${names.join(', ')}`,
      hint: `ask for them (kubectl auth can-i create ${names[0] ?? ''}); an install needs cluster-admin or the equivalent`,
      docs: `${DOCS}/setup/install/`,
    });
  } else {
    add({ category: 'permissions', check: 'install', status: 'ok', message: `you may create every kind an install writes (${s.permissions.length} checked)` });
  }

  const unreadable = [...new Set(s.unreadable ?? [])];
  if (unreadable.length > 0) {
    add({
      category: 'permissions',
      check: 'read',
      status: 'warn',
      message: `you may not read ${unreadable.join(', ')} (403): the checks that need ${unreadable.length === 1 ? 'it' : 'them'} saw nothing`,
      hint: 'run mesh precheck as a cluster administrator for a complete answer',
      docs: `${DOCS}/setup/install/`,
    });
  }

  // Gateway API CRDs
  const gwCrds = s.crds.filter((c) => (c.metadata.name ?? '').endsWith('.gateway.networking.k8s.io'));
  const old: string[] = [];
  for (const crd of gwCrds) {
    const name = crd.metadata.name ?? '';
    const min = GATEWAY_API_MINIMUM[name];
    const written = crd.metadata.annotations?.['gateway.networking.k8s.io/bundle-version'];
    const v = written !== undefined ? parseVersion(written) : undefined;
    if (min !== undefined && v !== undefined && below(v, min)) old.push(`${name} ${written ?? ''} (needs v${min.join('.')})`);
  }
  if (old.length > 0) {
    add({
      category: 'gateway-api',
      check: 'crd-versions',
      status: 'fail',
      code: 'IST0156',
      message: `Gateway API CRDs older than Istio 1.31 needs: ${old.join('; ')}`,
      hint: 'install a newer Gateway API release (kubectl apply the standard channel bundle)',
      docs: `${DOCS}/tasks/traffic-management/ingress/gateway-api/`,
    });
  } else {
    add({
      category: 'gateway-api',
      check: 'crd-versions',
      status: 'ok',
      message: gwCrds.length === 0 ? 'no Gateway API CRDs installed (Istio works without them)' : `${gwCrds.length} Gateway API CRDs at supported versions`,
    });
  }

  // Control planes and tags
  const revisions = [...new Set(s.istiods.map(revisionOfDeployment))].sort();
  const tags = revisionTags(s.mutatingWebhooks);
  const tagText = Object.entries(tags)
    .map(([t, r]) => `${t} -> ${r}`)
    .sort();
  add({
    category: 'control-plane',
    check: 'revisions',
    status: 'ok',
    message:
      revisions.length === 0
        ? 'no Istio control plane installed'
        : `revisions: ${revisions.join(', ')}${tagText.length > 0 ? `; tags: ${tagText.join(', ')}` : ''}`,
  });
  for (const [tag, rev] of Object.entries(tags).sort()) {
    if (!revisions.includes(rev)) {
      add({
        category: 'control-plane',
        check: 'tags',
        status: 'fail',
        message: `tag ${tag} points at revision ${rev}, which is not installed: pods injected through it get no sidecar`,
        hint: `mesh install -r ${rev}, or move the tag to an installed revision`,
        docs: `${DOCS}/setup/upgrade/canary/`,
      });
    }
  }

  // Webhooks
  const services = new Set(s.services.map((x) => `${x.metadata.namespace ?? ''}/${x.metadata.name ?? ''}`));
  const webhookProblems: CheckResult[] = [];
  for (const [kind, configs] of [
    ['MutatingWebhookConfiguration', s.mutatingWebhooks],
    ['ValidatingWebhookConfiguration', s.validatingWebhooks],
  ] as const) {
    for (const cfg of configs) {
      const hooks = (cfg['webhooks'] as Webhook[] | undefined) ?? [];
      if (!hooks.some((h) => /istio/.test(h.name ?? '')) && !(cfg.metadata.name ?? '').includes('istio')) continue;
      for (const h of hooks) {
        const svc = h.clientConfig?.service;
        const where = `${kind} ${cfg.metadata.name ?? ''} (webhook ${h.name ?? ''})`;
        if (svc?.name !== undefined && !services.has(`${svc.namespace ?? ''}/${svc.name}`)) {
          webhookProblems.push({
            category: 'webhooks',
            check: 'service',
            status: 'fail',
            message: `${where} calls Service ${svc.namespace ?? ''}/${svc.name}, which does not exist: matching requests fail or skip injection`,
            hint: 'remove the configuration (a leftover of an uninstalled revision) or reinstall that revision',
            docs: `${DOCS}/ops/common-problems/injection/`,
          });
        } else if ((h.clientConfig?.caBundle ?? '') === '') {
          webhookProblems.push({
            category: 'webhooks',
            check: 'ca-bundle',
            status: 'warn',
            message: `${where} has an empty caBundle: istiod has not patched it yet (or is not running)`,
            hint: 'check that istiod of that revision is running; it writes the caBundle at start',
            docs: `${DOCS}/ops/common-problems/injection/`,
          });
        }
      }
    }
  }
  if (webhookProblems.length === 0)
    add({ category: 'webhooks', check: 'service', status: 'ok', message: "every Istio webhook's Service exists and has a CA bundle" });
  out.push(...webhookProblems);

  // Namespaces labelled for a revision that is not installed
  const known = new Set([...revisions, ...Object.keys(tags)]);
  const orphans = s.namespaces
    .map((n) => ({ name: n.metadata.name ?? '', rev: n.metadata.labels?.[REVISION_LABEL] }))
    .filter((n): n is { name: string; rev: string } => n.rev !== undefined && !known.has(n.rev));
  if (orphans.length > 0) {
    add({
      category: 'namespaces',
      check: 'revision-labels',
      status: 'fail',
      message: `namespaces labelled for a revision that is not installed: ${orphans.map((o) => `${o.name} (istio.io/rev=${o.rev})`).join(', ')}`,
      hint: 'install that revision, add a tag by that name, or relabel the namespace',
      docs: `${DOCS}/setup/upgrade/canary/`,
    });
  } else {
    add({ category: 'namespaces', check: 'revision-labels', status: 'ok', message: 'every istio.io/rev namespace label names an installed revision or tag' });
  }

  // Proxies left on a revision about to be removed
  if (s.removing !== undefined) {
    // The revision uninstall asks about too (model/injection.ts), so the two agree on which proxies are left.
    const nsLabels = new Map(s.namespaces.map((n) => [n.metadata.name ?? '', n.metadata.labels ?? {}]));
    const left = s.pods.filter((p) => proxyRevision(p, nsLabels.get(p.metadata.namespace ?? '') ?? {}, tags) === s.removing);
    if (left.length > 0) {
      const names = left.slice(0, 10).map((p) => `${p.metadata.name ?? ''}.${p.metadata.namespace ?? ''}`);
      add({
        category: 'proxies',
        check: 'removing',
        status: 'fail',
        message: `${left.length} ${left.length === 1 ? 'proxy uses' : 'proxies use'} revision ${s.removing}: ${names.join(', ')}${left.length > 10 ? ', …' : ''}`,
        hint: 'move them first (relabel or move the tag, then mesh rollout-restart --outdated)',
        docs: `${DOCS}/setup/upgrade/canary/`,
      });
    } else {
      add({ category: 'proxies', check: 'removing', status: 'ok', message: `no proxy uses revision ${s.removing}` });
    }
  }

  // Config that Istio deprecates or changes
  if (s.configFindings !== undefined) {
    if (s.configFindings.length === 0) {
      add({ category: 'config', check: 'deprecations', status: 'ok', message: 'no deprecated fields, kinds or annotations in the Istio config' });
    }
    for (const f of s.configFindings) {
      add({
        category: 'config',
        check: 'deprecations',
        status: f.level === 'Error' ? 'fail' : 'warn',
        message: `${f.resource}: ${f.text}`,
        hint: 'change the config before the upgrade (mesh analyze -A lists it with the field path)',
        docs: `https://istio.io/v1.${TARGET_MINOR}/docs/reference/config/analysis/${f.code.toLowerCase()}/`,
        code: f.code,
      });
    }
  }

  // Changes since the version the cluster runs now (istioctl precheck --from-version)
  if (s.fromVersion !== undefined) {
    const v = s.fromVersion;
    let changes = 0;
    if (v.minor > TARGET_MINOR) {
      changes++;
      add({
        category: 'compatibility',
        check: 'from-version',
        status: 'fail',
        message: `from ${v.text} to 1.${TARGET_MINOR} is a downgrade`,
        hint: `install the Istio ${v.text} tooling instead, or roll back the upgrade that brought ${v.text}`,
        docs: `${DOCS}/setup/upgrade/`,
      });
    } else if (v.minor < OLDEST_UPGRADE_MINOR) {
      changes++;
      add({
        category: 'compatibility',
        check: 'from-version',
        status: 'warn',
        message: `from ${v.text} to 1.${TARGET_MINOR} skips more than two minor versions, which Istio does not support in one step`,
        hint: `upgrade through 1.${Math.min(v.minor + 2, TARGET_MINOR - 1)} first`,
        docs: `${DOCS}/setup/upgrade/canary/`,
      });
    }
    if (v.minor <= 21 && v.zipkinService) {
      changes++;
      add({
        category: 'compatibility',
        check: 'tracing',
        status: 'warn',
        message: `Service ${s.istioNamespace}/zipkin exists: since 1.22 proxies no longer send traces to zipkin.${s.istioNamespace}.svc by default (meshConfig.defaultConfig.tracer)`,
        hint: 'configure tracing with the Telemetry API',
        docs: `${DOCS}/tasks/observability/distributed-tracing/telemetry-api/`,
        code: 'IST0158',
      });
    }
    if (changes === 0)
      add({ category: 'compatibility', check: 'from-version', status: 'ok', message: `no change from ${v.text} to 1.${TARGET_MINOR} needs action` });
  }

  // Root certificate
  if (s.rootCert !== undefined) {
    try {
      const cert = new X509Certificate(s.rootCert);
      const until = new Date(cert.validTo);
      const days = (until.getTime() - s.now.getTime()) / 86_400_000;
      const when = until.toISOString().slice(0, 10);
      if (days < 0)
        add({
          category: 'certificates',
          check: 'root-ca',
          status: 'fail',
          message: `Istio's root certificate expired on ${when}: workloads cannot get certificates`,
          hint: 'rotate the root CA (plug in a new cacerts Secret)',
          docs: `${DOCS}/ops/configuration/security/root-transition/`,
        });
      else if (days < 30)
        add({
          category: 'certificates',
          check: 'root-ca',
          status: 'warn',
          message: `Istio's root certificate expires on ${when} (in ${Math.floor(days)} days)`,
          hint: 'rotate the root CA before it expires',
          docs: `${DOCS}/ops/configuration/security/root-transition/`,
        });
      else add({ category: 'certificates', check: 'root-ca', status: 'ok', message: `Istio's root certificate is valid until ${when}` });
    } catch {
      add({
        category: 'certificates',
        check: 'root-ca',
        status: 'warn',
        message: `ConfigMap ${s.istioNamespace}/istio-ca-root-cert holds no certificate that parses`,
      });
    }
  }
  return out;
}
