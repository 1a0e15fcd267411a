/**
 * The Pilot component: istiod and everything it needs — identity and RBAC, the mesh and injector
 * ConfigMaps, the Deployment, Service, HPA/PDB, and the injector and validator webhooks.
 * In remote mode (values.istiodRemote.enabled) only the injector side is rendered.
 */
import { emitDocument } from '../yaml.js';
import type { Json, JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';
import type { RenderContext } from '../context.js';
import { overlay } from '../merge.js';
import { compact } from '../values.js';
import { injectorConfigMap } from './injector.js';
import { hpa, pdb, rule } from './shared.js';

const C = 'Pilot' as const;

export function renderPilot(ctx: RenderContext): KubeObject[] {
  const pilot = ctx.component('pilot');
  if (!pilot.enabled) return [];
  const ns = pilot.namespace;
  const v = ctx.values;
  const remote = v.bool('istiodRemote.enabled');
  const name = ctx.istiodName;
  const labels = (extra: Record<string, string> = {}): Record<string, string> => ctx.labels(C, { app: 'istiod', istio: 'pilot', ...extra });
  const out: KubeObject[] = [];

  out.push(...rbac(ctx, ns, labels, remote));
  if (!remote && v.bool('pilot.configMap', true)) out.push(meshConfigMap(ctx, ns, labels));
  if (!v.bool('global.omitSidecarInjectorConfigMap')) out.push(injectorConfigMap(ctx, ns, labels));
  out.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `values${ctx.revSuffix}`, namespace: ns, labels: labels({ 'istio.io/rev': ctx.revLabel }) },
    data: {
      'original-values': JSON.stringify(ctx.iop.spec?.values ?? {}),
      'merged-values': JSON.stringify(v.root),
    },
  });

  if (!remote) {
    const deployment = istiodDeployment(ctx, ns, labels);
    out.push(deployment);
    out.push(istiodService(ctx, ns, labels));
    const autoscale = v.bool('pilot.autoscaleEnabled', true);
    const min = v.num('pilot.autoscaleMin', 1);
    const max = v.num('pilot.autoscaleMax', 5);
    if (autoscale && min < max) {
      out.push(hpa({ name, namespace: ns, labels: labels(), min, max, cpu: v.num('pilot.cpu.targetAverageUtilization', 80), behavior: v.get('pilot.autoscaleBehavior') }));
    }
    const replicas = v.num('pilot.replicaCount', 1);
    if (v.bool('global.defaultPodDisruptionBudget.enabled', true) && ((autoscale && min > 1) || (!autoscale && replicas > 1))) {
      out.push(pdb({ name, namespace: ns, labels: labels(), selector: { app: 'istiod', 'istio.io/rev': ctx.revLabel } }));
    }
  }
  out.push(injectorWebhook(ctx, ns, labels, remote));
  if (!remote && v.bool('global.configValidation', true)) out.push(validatingWebhook(ctx, ns, labels));
  if (v.bool('experimental.stableValidationPolicy')) out.push(...stablePolicy(ctx, ns, labels));
  return out;
}

import type { Labels } from './shared.js';

function rbac(ctx: RenderContext, ns: string, labels: Labels, remote: boolean): KubeObject[] {
  const sa = ctx.istiodName;
  const sfx = `${ctx.revSuffix}-${ns}`;
  const istioGroups = ['config.istio.io', 'security.istio.io', 'networking.istio.io', 'authentication.istio.io', 'rbac.istio.io', 'telemetry.istio.io', 'extensions.istio.io'];
  const readerRules = [
    rule(istioGroups, ['*'], ['get', 'list', 'watch']),
    rule([''], ['endpoints', 'pods', 'services', 'nodes', 'replicationcontrollers', 'namespaces', 'secrets'], ['get', 'list', 'watch']),
    rule(['networking.istio.io'], ['workloadentries'], ['get', 'watch', 'list']),
    rule(['networking.x-k8s.io', 'gateway.networking.k8s.io'], ['*'], ['get', 'watch', 'list']),
    rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], ['get', 'list', 'watch']),
    rule(['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'watch']),
    rule(['multicluster.x-k8s.io'], ['serviceexports', 'serviceimports'], ['get', 'list', 'watch']),
    rule(['apps'], ['replicasets'], ['get', 'list', 'watch']),
    rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
  ];
  const out: KubeObject[] = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `istio-reader-clusterrole${sfx}`, labels: ctx.labels(C, { app: 'istio-reader' }) },
      rules: readerRules,
    },
    clusterRoleBinding(`istio-reader-clusterrole${sfx}`, 'istio-reader-service-account', ns, ctx.labels(C, { app: 'istio-reader' })),
  ];
  if (remote) return out;
  out.push({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: compact({ name: sa, namespace: ns, labels: labels(), annotations: ctx.values.strMap('pilot.serviceAccountAnnotations') }),
  });
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `istiod-clusterrole${sfx}`, labels: labels() },
    rules: [
      rule(['admissionregistration.k8s.io'], ['mutatingwebhookconfigurations'], ['get', 'list', 'watch', 'update', 'patch']),
      rule(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], ['get', 'list', 'watch', 'update']),
      rule(istioGroups, ['*'], ['get', 'watch', 'list']),
      rule(['networking.istio.io'], ['workloadentries'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule(['networking.istio.io'], ['workloadentries/status', 'serviceentries/status'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule(['security.istio.io'], ['authorizationpolicies/status'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule([''], ['services/status'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], ['get', 'list', 'watch']),
      rule([''], ['pods', 'nodes', 'services', 'namespaces', 'endpoints'], ['get', 'list', 'watch']),
      rule(['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'watch']),
      rule(['networking.k8s.io'], ['ingresses', 'ingressclasses'], ['get', 'list', 'watch']),
      rule(['networking.k8s.io'], ['ingresses/status'], ['*']),
      rule([''], ['configmaps'], ['create', 'get', 'list', 'watch', 'update']),
      rule(['certificates.k8s.io'], ['certificatesigningrequests', 'certificatesigningrequests/approval', 'certificatesigningrequests/status'], ['update', 'create', 'get', 'delete', 'watch']),
      rule(['certificates.k8s.io'], ['signers'], ['approve']),
      rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
      rule(['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io'], ['*'], ['get', 'watch', 'list']),
      rule(['gateway.networking.x-k8s.io'], ['xbackendtrafficpolicies/status', 'xlistenersets/status'], ['update', 'patch']),
      rule(['gateway.networking.k8s.io'], ['backendtlspolicies/status', 'gatewayclasses/status', 'gateways/status', 'grpcroutes/status', 'httproutes/status', 'referencegrants/status', 'tcproutes/status', 'tlsroutes/status', 'udproutes/status'], ['update', 'patch']),
      rule(['gateway.networking.k8s.io'], ['gatewayclasses'], ['create', 'update', 'patch', 'delete']),
      rule(['inference.networking.k8s.io'], ['inferencepools'], ['get', 'watch', 'list']),
      rule(['inference.networking.k8s.io'], ['inferencepools/status'], ['update', 'patch']),
      rule([''], ['secrets'], ['get', 'watch', 'list']),
      rule(['multicluster.x-k8s.io'], ['serviceexports'], ['get', 'watch', 'list', 'create', 'delete']),
      rule(['multicluster.x-k8s.io'], ['serviceimports'], ['get', 'watch', 'list']),
    ],
  });
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `istiod-gateway-controller${sfx}`, labels: labels() },
    rules: [
      rule(['apps'], ['deployments'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule([''], ['services'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule([''], ['serviceaccounts'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule(['autoscaling'], ['horizontalpodautoscalers'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
      rule(['policy'], ['poddisruptionbudgets'], ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete']),
    ],
  });
  out.push(clusterRoleBinding(`istiod-clusterrole${sfx}`, sa, ns, labels()));
  out.push(clusterRoleBinding(`istiod-gateway-controller${sfx}`, sa, ns, labels()));
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: sa, namespace: ns, labels: labels() },
    rules: [
      rule(['networking.istio.io'], ['gateways'], ['create']),
      rule([''], ['secrets'], ['create', 'get', 'watch', 'list', 'update', 'delete']),
      rule([''], ['configmaps'], ['delete']),
      rule(['coordination.k8s.io'], ['leases'], ['get', 'update', 'patch', 'create']),
    ],
  });
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: sa, namespace: ns, labels: labels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
  });
  return out;
}

function clusterRoleBinding(name: string, sa: string, ns: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
  };
}

/** The effective MeshConfig: Istio's install-time defaults with the user's meshConfig over them. */
export function meshConfig(ctx: RenderContext): JsonObject {
  const v = ctx.values;
  const defaults: JsonObject = {
    defaultConfig: compact({
      discoveryAddress: `${ctx.istiodName}.${ctx.namespace}.svc:15012`,
      meshId: v.str('global.meshID') || undefined,
      ...(v.str('global.proxy.tracer') === 'zipkin' ? { tracing: { zipkin: { address: v.str('global.tracer.zipkin.address') || `zipkin.${ctx.namespace}:9411` } } } : {}),
    }) as JsonObject,
    defaultProviders: { metrics: ['prometheus'] },
    enablePrometheusMerge: true,
    rootNamespace: v.str('global.istioNamespace', ctx.namespace),
    trustDomain: 'cluster.local',
  };
  return overlay(defaults, v.obj('meshConfig')) as JsonObject;
}

function meshConfigMap(ctx: RenderContext, ns: string, labels: Labels): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `istio${ctx.revSuffix}`, namespace: ns, labels: labels({ release: 'istio' }) },
    data: {
      mesh: emitDocument(meshConfig(ctx)),
      meshNetworks: emitDocument({ networks: ctx.values.obj('global.meshNetworks') }),
    },
  };
}

/** The istiod Deployment's selector, as Istio's chart: `istio: pilot` for the default revision, else app and revision. */
function istiodSelector(ctx: RenderContext): Record<string, string> {
  return ctx.revision === '' ? { istio: 'pilot' } : { app: 'istiod', 'istio.io/rev': ctx.revLabel };
}

function istiodDeployment(ctx: RenderContext, ns: string, labels: Labels): KubeObject {
  const v = ctx.values;
  const pilot = ctx.component('pilot');
  const podLabels = {
    app: 'istiod',
    'istio.io/rev': ctx.revLabel,
    'install.operator.istio.io/owning-resource': ctx.owner,
    'sidecar.istio.io/inject': 'false',
    'operator.istio.io/component': C,
    // As Istio's chart: the default revision's pods are `istio: pilot`, a revision's `istio: istiod`,
    // so the default Service never selects a canary's pods.
    istio: ctx.revision === '' ? 'pilot' : 'istiod',
    'istio.io/dataplane-mode': 'none',
    ...v.strMap('pilot.podLabels'),
  };
  const env: JsonObject[] = [
    { name: 'REVISION', value: ctx.revLabel },
    { name: 'PILOT_CERT_PROVIDER', value: v.str('global.pilotCertProvider', 'istiod') },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.serviceAccountName' } } },
    { name: 'KUBECONFIG', value: '/var/run/secrets/remote/config' },
    ...(v.bool('pilot.cni.enabled') || ctx.component('ztunnel').enabled
      ? [{ name: 'CA_TRUSTED_NODE_ACCOUNTS', value: `${ctx.component('ztunnel').namespace}/${v.str('ztunnel.resourceName', 'ztunnel')}` }]
      : []),
    ...Object.entries(v.obj('pilot.env'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => (typeof value === 'object' && value !== null ? { name, ...(value as JsonObject) } : { name, value: String(value) })),
    { name: 'PILOT_TRACE_SAMPLING', value: String(v.num('pilot.traceSampling', 1)) },
    { name: 'PILOT_ENABLE_ANALYSIS', value: String(v.bool('global.istiod.enableAnalysis')) },
    { name: 'CLUSTER_ID', value: v.str('global.multiCluster.clusterName') || 'Kubernetes' },
    { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } } },
    { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
    { name: 'PLATFORM', value: v.str('global.platform') },
  ];
  const args = [
    'discovery',
    '--monitoringAddr=:15014',
    `--log_output_level=${v.str('global.logging.level', 'default:info')}`,
    ...(v.bool('global.logAsJson') ? ['--log_as_json'] : []),
    '--domain',
    v.str('global.proxy.clusterDomain', 'cluster.local'),
    '--keepaliveMaxServerConnectionAge',
    v.str('pilot.keepaliveMaxServerConnectionAge', '30m'),
    ...v.list('pilot.extraContainerArgs'),
  ];
  const autoscale = v.bool('pilot.autoscaleEnabled', true);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: ctx.istiodName,
      namespace: ns,
      labels: labels({ ...v.strMap('pilot.deploymentLabels') }),
      ...(Object.keys(v.strMap('pilot.deploymentAnnotations')).length > 0 ? { annotations: v.strMap('pilot.deploymentAnnotations') } : {}),
    },
    spec: {
      ...(autoscale ? {} : { replicas: v.num('pilot.replicaCount', 1) }),
      strategy: { rollingUpdate: { maxSurge: v.get('pilot.rollingMaxSurge') ?? '100%', maxUnavailable: v.get('pilot.rollingMaxUnavailable') ?? '25%' } },
      selector: { matchLabels: istiodSelector(ctx) },
      template: {
        metadata: {
          labels: podLabels,
          annotations: { 'prometheus.io/port': '15014', 'prometheus.io/scrape': 'true', 'sidecar.istio.io/inject': 'false', ...v.strMap('pilot.podAnnotations') },
        },
        spec: compact({
          tolerations: [{ key: 'cni.istio.io/not-ready', operator: 'Exists' }, ...v.list('pilot.tolerations'), ...v.list('global.defaultTolerations')],
          serviceAccountName: ctx.istiodName,
          nodeSelector: { ...v.strMap('global.defaultNodeSelector'), ...v.strMap('pilot.nodeSelector') },
          affinity: v.obj('pilot.affinity'),
          topologySpreadConstraints: v.list('pilot.topologySpreadConstraints'),
          priorityClassName: v.str('pilot.priorityClassName') || v.str('global.priorityClassName') || undefined,
          hostNetwork: v.bool('pilot.hostNetwork') || undefined,
          imagePullSecrets: v.list('global.imagePullSecrets').map((name) => ({ name })),
          containers: [
            compact({
              name: 'discovery',
              image: ctx.image({ component: pilot.spec, valuesPrefix: 'pilot', name: 'pilot' }),
              imagePullPolicy: v.str('global.imagePullPolicy') || undefined,
              args,
              ports: [
                { containerPort: 8080, protocol: 'TCP', name: 'http-debug' },
                { containerPort: 15010, protocol: 'TCP', name: 'grpc-xds' },
                { containerPort: 15012, protocol: 'TCP', name: 'tls-xds' },
                { containerPort: 15017, protocol: 'TCP', name: 'https-webhooks' },
                { containerPort: 15014, protocol: 'TCP', name: 'http-monitoring' },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 1, periodSeconds: 3, timeoutSeconds: 5 },
              env,
              resources: v.obj('pilot.resources'),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsUser: 1337,
                runAsGroup: 1337,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                ...(v.get('pilot.seccompProfile') !== undefined ? { seccompProfile: v.get('pilot.seccompProfile') } : {}),
              },
              volumeMounts: [
                { name: 'istio-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
                { name: 'local-certs', mountPath: '/var/run/secrets/istio-dns' },
                { name: 'cacerts', mountPath: '/etc/cacerts', readOnly: true },
                { name: 'istio-kubeconfig', mountPath: '/var/run/secrets/remote', readOnly: true },
                { name: 'istio-csr-dns-cert', mountPath: '/var/run/secrets/istiod/tls', readOnly: true },
                { name: 'istio-csr-ca-configmap', mountPath: '/var/run/secrets/istiod/ca', readOnly: true },
                ...v.list('pilot.volumeMounts'),
              ],
            }),
          ],
          volumes: [
            { name: 'local-certs', emptyDir: { medium: 'Memory' } },
            {
              name: 'istio-token',
              projected: { sources: [{ serviceAccountToken: { audience: v.str('global.sds.token.aud', 'istio-ca'), expirationSeconds: 43200, path: 'istio-token' } }] },
            },
            { name: 'cacerts', secret: { secretName: 'cacerts', optional: true } },
            { name: 'istio-kubeconfig', secret: { secretName: 'istio-kubeconfig', optional: true } },
            { name: 'istio-csr-dns-cert', secret: { secretName: 'istiod-tls', optional: true } },
            { name: 'istio-csr-ca-configmap', configMap: { name: 'istio-ca-root-cert', defaultMode: 420, optional: true } },
            ...v.list('pilot.volumes'),
          ],
        }),
      },
    },
  };
}

function istiodService(ctx: RenderContext, ns: string, labels: Labels): KubeObject {
  const v = ctx.values;
  const annotations = v.strMap('pilot.serviceAnnotations');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: ctx.istiodName, namespace: ns, labels: labels(), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: compact({
      ports: [
        { port: 15010, name: 'grpc-xds', protocol: 'TCP' },
        { port: 15012, name: 'https-dns', protocol: 'TCP' },
        { port: 443, name: 'https-webhook', targetPort: 15017, protocol: 'TCP' },
        { port: 15014, name: 'http-monitoring', protocol: 'TCP' },
      ],
      // Each revision's Service selects only its own istiod pods.
      selector: ctx.revision === '' ? { app: 'istiod', istio: 'pilot' } : istiodSelector(ctx),
      ipFamilyPolicy: v.str('pilot.ipFamilyPolicy') || undefined,
      ipFamilies: v.list('pilot.ipFamilies'),
    }),
  };
}

function clientConfig(ctx: RenderContext, path: string, remote: boolean): JsonObject {
  const v = ctx.values;
  if (remote) {
    const url = v.str('istiodRemote.injectionURL');
    if (url !== '') return { url };
    const addr = v.str('global.remotePilotAddress');
    if (addr !== '') return { url: `https://${addr}:15017${v.str('istiodRemote.injectionPath', '/inject')}` };
  }
  return { service: { name: ctx.istiodName, namespace: ctx.namespace, path, port: 443 } };
}

function injectorWebhook(ctx: RenderContext, ns: string, labels: Labels, remote: boolean): KubeObject {
  const rev = ctx.revLabel;
  const neverInject = { key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] };
  const base = (name: string, namespaceSelector: JsonObject, objectSelector: JsonObject): JsonObject => ({
    name,
    clientConfig: clientConfig(ctx, '/inject', remote),
    sideEffects: 'None',
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    failurePolicy: 'Fail',
    reinvocationPolicy: ctx.values.str('sidecarInjectorWebhook.reinvocationPolicy', 'Never'),
    admissionReviewVersions: ['v1'],
    namespaceSelector,
    objectSelector,
  });
  const webhooks: JsonObject[] =
    ctx.revision === ''
      ? [
          base('rev.namespace.sidecar-injector.istio.io', { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [rev] }, { key: 'istio-injection', operator: 'DoesNotExist' }] }, { matchExpressions: [neverInject] }),
          base('rev.object.sidecar-injector.istio.io', { matchExpressions: [{ key: 'istio.io/rev', operator: 'DoesNotExist' }, { key: 'istio-injection', operator: 'DoesNotExist' }] }, { matchExpressions: [neverInject, { key: 'istio.io/rev', operator: 'In', values: [rev] }] }),
          base('namespace.sidecar-injector.istio.io', { matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] }, { matchExpressions: [neverInject] }),
          base('object.sidecar-injector.istio.io', { matchExpressions: [{ key: 'istio-injection', operator: 'DoesNotExist' }, { key: 'istio.io/rev', operator: 'DoesNotExist' }] }, { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'In', values: ['true'] }, { key: 'istio.io/rev', operator: 'DoesNotExist' }] }),
        ]
      : [
          base('rev.namespace.sidecar-injector.istio.io', { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [rev] }, { key: 'istio-injection', operator: 'DoesNotExist' }] }, { matchExpressions: [neverInject] }),
          base('rev.object.sidecar-injector.istio.io', { matchExpressions: [{ key: 'istio.io/rev', operator: 'DoesNotExist' }, { key: 'istio-injection', operator: 'DoesNotExist' }] }, { matchExpressions: [neverInject, { key: 'istio.io/rev', operator: 'In', values: [rev] }] }),
        ];
  const name = `istio-sidecar-injector${ctx.revSuffix}${ctx.namespace === 'istio-system' ? '' : `-${ctx.namespace}`}`;
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name, labels: labels({ app: 'sidecar-injector' }) },
    webhooks,
  };
}

function validatingWebhook(ctx: RenderContext, _ns: string, labels: Labels): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: `istio-validator${ctx.revSuffix}-${ctx.namespace}`, labels: labels({ app: 'istiod', istio: 'istiod' }) },
    webhooks: [
      {
        name: 'rev.validation.istio.io',
        clientConfig: { service: { name: ctx.istiodName, namespace: ctx.namespace, path: '/validate' } },
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: ['security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
            apiVersions: ['*'],
            resources: ['*'],
          },
        ],
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        objectSelector: { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [ctx.revision === '' ? 'default' : ctx.revision] }] },
      },
    ],
  };
}

/** The stable profile's admission policy: reject kinds and fields that are not stable. */
function stablePolicy(ctx: RenderContext, _ns: string, labels: Labels): KubeObject[] {
  const name = `stable-channel-policy${ctx.revSuffix}-${ctx.namespace}.istio.io`;
  const revMatch = ctx.revision === '' ? "!has(object.metadata.labels) || !('istio.io/rev' in object.metadata.labels) || object.metadata.labels['istio.io/rev'] == 'default'" : `has(object.metadata.labels) && 'istio.io/rev' in object.metadata.labels && object.metadata.labels['istio.io/rev'] == '${ctx.revision}'`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels: labels() },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: ['security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'extensions.istio.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] },
          ],
        },
        matchConditions: [{ name: 'revision', expression: revMatch }],
        variables: [{ name: 'isEnvoyFilter', expression: "object.kind == 'EnvoyFilter'" }],
        validations: [
          { expression: "!(object.kind in ['EnvoyFilter', 'WasmPlugin', 'ProxyConfig', 'TrafficExtension'])", message: 'this kind is not stable; it is not allowed with the stable profile' },
          { expression: "object.kind != 'Telemetry' || !has(object.spec.tracing) || object.spec.tracing.all(t, !has(t.useRequestIdForTraceSampling))", message: 'spec.tracing[].useRequestIdForTraceSampling is not a stable field' },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels: labels() },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}
