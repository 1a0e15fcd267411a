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
import { byteOrder, hpa, pdb, resourceRequirements, rule } from './shared.js';

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
  if (!remote && v.bool('pilot.configMap', true)) out.push(meshConfigMap(ctx, ns));
  // The chart labels its ConfigMaps without app/istio.
  const configMapLabels: Labels = (extra = {}) => ctx.labels(C, { release: 'istio', ...extra });
  if (!v.bool('global.omitSidecarInjectorConfigMap')) out.push(injectorConfigMap(ctx, ns, configMapLabels));
  out.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `values${ctx.revSuffix}`,
      namespace: ns,
      annotations: {
        'kubernetes.io/description':
          'This ConfigMap contains the Helm values used during chart rendering. This ConfigMap is rendered for debugging purposes and external tooling; modifying these values has no effect.',
      },
      labels: configMapLabels(),
    },
    data: {
      'original-values': JSON.stringify(originalValues(ctx)),
      'merged-values': JSON.stringify(v.root),
    },
  });

  if (remote && v.str('global.remotePilotAddress') !== '' && v.str('global.resourceScope', 'all') !== 'cluster') out.push(...remoteIstiod(ctx, ns));
  if (!remote) {
    const deployment = istiodDeployment(ctx, ns, labels);
    out.push(deployment);
    out.push(istiodService(ctx, ns, labels));
    const autoscale = v.bool('pilot.autoscaleEnabled', true);
    const min = v.num('pilot.autoscaleMin', 1);
    const max = v.num('pilot.autoscaleMax', 5);
    const selector = ctx.revision === '' ? { app: 'istiod', istio: 'pilot' } : { app: 'istiod', 'istio.io/rev': ctx.revision };
    if (autoscale && min > 0 && max > 0) {
      const h = hpa({
        name,
        namespace: ns,
        labels: ctx.labels(C, { app: 'istiod' }),
        min,
        max,
        cpu: v.num('pilot.cpu.targetAverageUtilization', 80),
        behavior: v.get('pilot.autoscaleBehavior'),
      });
      const mem = v.num('pilot.memory.targetAverageUtilization', 0);
      if (mem > 0) {
        const spec = h['spec'] as JsonObject;
        (spec['metrics'] as JsonObject[]).push({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: mem } } });
      }
      out.push(h);
    }
    const replicas = v.num('pilot.replicaCount', 1);
    if (v.bool('global.defaultPodDisruptionBudget.enabled', true) && ((autoscale && min > 1) || (!autoscale && replicas > 1))) {
      out.push(pdb({ name, namespace: ns, labels: labels(), selector }));
    }
  }
  if (!v.bool('global.operatorManageWebhooks') && v.str('global.resourceScope', 'all') !== 'namespace') out.push(injectorWebhook(ctx, ns, labels));
  const configCluster = v.bool('global.configCluster') || v.bool('istiodRemote.enabledLocalInjectorIstiod');
  if ((!remote || configCluster) && v.bool('global.configValidation', true) && v.str('global.resourceScope', 'all') !== 'namespace')
    out.push(validatingWebhook(ctx, ns, labels));
  if (v.bool('experimental.stableValidationPolicy')) out.push(...stablePolicy(ctx, ns, labels));
  return out;
}

import type { Labels } from './shared.js';

/**
 * The operator's `values` as istioctl hands them to the charts: with hub/tag, pilot/cni enablement
 * and `meshConfig` translated in (the `original-values` key of the values ConfigMap).
 */
function originalValues(ctx: RenderContext): JsonObject {
  const v = ctx.values;
  const spec = ctx.iop.spec ?? {};
  return overlay(spec.values ?? {}, {
    global: { hub: v.str('global.hub'), tag: v.get('global.tag') ?? '' },
    pilot: { enabled: v.bool('pilot.enabled', true), cni: { enabled: v.bool('pilot.cni.enabled') } },
    ...(spec.meshConfig !== undefined ? { meshConfig: spec.meshConfig } : {}),
  }) as JsonObject;
}

function rbac(ctx: RenderContext, ns: string, labels: Labels, remote: boolean): KubeObject[] {
  const v = ctx.values;
  const sa = ctx.istiodName;
  const sfx = `${ctx.revSuffix}-${ns}`;
  const istioGroups = [
    'config.istio.io',
    'security.istio.io',
    'networking.istio.io',
    'authentication.istio.io',
    'rbac.istio.io',
    'telemetry.istio.io',
    'extensions.istio.io',
  ];
  const scope = v.str('global.resourceScope', 'all');
  const clusterScoped = scope === 'all' || scope === 'cluster';
  const env = v.obj('pilot.env');
  const mcs = typeof env['MCS_API_GROUP'] === 'string' && env['MCS_API_GROUP'] !== '' ? env['MCS_API_GROUP'] : 'multicluster.x-k8s.io';
  const all = ['get', 'watch', 'list', 'update', 'patch', 'create', 'delete'];
  const readerLabels = ctx.labels(C, { app: 'istio-reader' });
  const istiodLabels = ctx.labels(C, { app: 'istiod' });
  const out: KubeObject[] = [];
  if (clusterScoped && v.get('global.enableReaderRBAC') !== false) {
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `istio-reader-clusterrole${sfx}`, labels: readerLabels },
      rules: [
        rule(istioGroups, ['*'], ['get', 'list', 'watch']),
        rule([''], ['endpoints', 'pods', 'services', 'nodes', 'replicationcontrollers', 'namespaces', 'secrets', 'configmaps'], ['get', 'list', 'watch']),
        rule(['networking.istio.io'], ['workloadentries'], ['get', 'watch', 'list']),
        rule(['networking.x-k8s.io', 'gateway.networking.k8s.io'], ['gateways'], ['get', 'watch', 'list']),
        rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], ['get', 'list', 'watch']),
        rule(['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'watch']),
        rule([mcs], ['serviceexports'], ['get', 'list', 'watch', 'create', 'delete']),
        rule([mcs], ['serviceimports'], ['get', 'list', 'watch']),
        rule(['apps'], ['replicasets'], ['get', 'list', 'watch']),
        rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
        rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
        ...(remote
          ? [
              rule([''], ['configmaps'], ['create', 'get', 'list', 'watch', 'update']),
              rule(['admissionregistration.k8s.io'], ['mutatingwebhookconfigurations'], ['get', 'list', 'watch', 'update', 'patch']),
              rule(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], ['get', 'list', 'watch', 'update']),
            ]
          : []),
      ],
    });
    out.push(clusterRoleBinding(`istio-reader-clusterrole${sfx}`, 'istio-reader-service-account', ns, readerLabels));
  }
  if (remote) return out;
  const namespaceScoped = scope === 'all' || scope === 'namespace';
  if (namespaceScoped) {
    const pullSecrets = v.list('global.imagePullSecrets');
    out.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
      metadata: compact({ name: sa, namespace: ns, labels: istiodLabels, annotations: v.strMap('pilot.serviceAccountAnnotations') }),
    });
  }
  if (clusterScoped) {
    const analysis = v.bool('global.istiod.enableAnalysis');
    // Istio's chart grants CSR rights only to istiod acting for an external CA (a cert provider
    // other than istiod/custom/none, or pilot.env.EXTERNAL_CA), and signers only by name.
    const externalCa =
      (env['EXTERNAL_CA'] !== undefined && env['EXTERNAL_CA'] !== '' && env['EXTERNAL_CA'] !== false) ||
      !['istiod', 'custom', 'none'].includes(v.str('global.pilotCertProvider', 'istiod'));
    const signers = v.list('global.certSigners').map(String);
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `istiod-clusterrole${sfx}`, labels: istiodLabels },
      rules: [
        rule(['admissionregistration.k8s.io'], ['mutatingwebhookconfigurations'], ['get', 'list', 'watch', 'update', 'patch']),
        rule(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], ['get', 'list', 'watch', 'update']),
        rule(istioGroups, ['*'], ['get', 'watch', 'list']),
        ...(analysis
          ? [
              rule(
                istioGroups,
                [
                  'authorizationpolicies',
                  'destinationrules',
                  'envoyfilters',
                  'gateways',
                  'peerauthentications',
                  'proxyconfigs',
                  'requestauthentications',
                  'serviceentries',
                  'sidecars',
                  'telemetries',
                  'virtualservices',
                  'wasmplugins',
                  'workloadentries',
                  'workloadgroups',
                ].map((r) => `${r}/status`),
                ['update', 'patch'],
              ),
            ]
          : []),
        rule(['networking.istio.io'], ['workloadentries'], all),
        rule(['networking.istio.io'], ['workloadentries/status', 'serviceentries/status'], all),
        rule(['security.istio.io'], ['authorizationpolicies/status'], all),
        rule([''], ['services/status'], all),
        rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], ['get', 'list', 'watch']),
        rule([''], ['pods', 'nodes', 'services', 'namespaces', 'endpoints'], ['get', 'list', 'watch']),
        rule(['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'watch']),
        ...(v.bool('pilot.taint.enabled') ? [rule([''], ['nodes'], ['patch'])] : []),
        ...(analysis
          ? [
              rule(['extensions', 'networking.k8s.io'], ['ingresses'], ['get', 'list', 'watch']),
              rule(['extensions', 'networking.k8s.io'], ['ingresses/status'], ['*']),
            ]
          : []),
        rule(['networking.k8s.io'], ['ingresses', 'ingressclasses'], ['get', 'list', 'watch']),
        rule(['networking.k8s.io'], ['ingresses/status'], ['*']),
        rule([''], ['configmaps'], ['create', 'get', 'list', 'watch', 'update']),
        ...(externalCa
          ? [
              rule(
                ['certificates.k8s.io'],
                ['certificatesigningrequests', 'certificatesigningrequests/approval', 'certificatesigningrequests/status'],
                ['update', 'create', 'get', 'delete', 'watch'],
              ),
              { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: signers, verbs: ['approve'] },
            ]
          : []),
        ...(env['ENABLE_CLUSTER_TRUST_BUNDLE_API'] === true
          ? [
              rule(['certificates.k8s.io'], ['clustertrustbundles'], ['update', 'create', 'delete', 'list', 'watch', 'get']),
              { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['istio.io/istiod-ca'], verbs: ['attest'] },
            ]
          : []),
        rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
        rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
        rule(['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io'], ['*'], ['get', 'watch', 'list']),
        rule(['gateway.networking.x-k8s.io'], ['xbackendtrafficpolicies/status'], ['update', 'patch']),
        rule(
          ['gateway.networking.k8s.io'],
          [
            'backendtlspolicies/status',
            'gatewayclasses/status',
            'gateways/status',
            'grpcroutes/status',
            'httproutes/status',
            'referencegrants/status',
            'tcproutes/status',
            'tlsroutes/status',
            'udproutes/status',
            'listenersets/status',
          ],
          ['update', 'patch'],
        ),
        rule(['gateway.networking.k8s.io'], ['gatewayclasses'], ['create', 'update', 'patch', 'delete']),
        rule(['inference.networking.k8s.io'], ['inferencepools'], ['get', 'watch', 'list']),
        rule(['inference.networking.k8s.io'], ['inferencepools/status'], ['update', 'patch']),
        rule([''], ['secrets'], ['get', 'watch', 'list']),
        rule([mcs], ['serviceexports'], ['get', 'watch', 'list', 'create', 'delete']),
        rule([mcs], ['serviceimports'], ['get', 'watch', 'list']),
      ],
    });
    const gatewayController = String(env['PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER'] ?? '') !== 'false';
    if (gatewayController) {
      out.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `istiod-gateway-controller${sfx}`, labels: istiodLabels },
        rules: [
          rule(['apps'], ['deployments'], all),
          rule(['autoscaling'], ['horizontalpodautoscalers'], all),
          rule(['policy'], ['poddisruptionbudgets'], all),
          rule([''], ['services'], all),
          rule([''], ['serviceaccounts'], all),
        ],
      });
    }
    out.push(clusterRoleBinding(`istiod-clusterrole${sfx}`, sa, ns, istiodLabels));
    if (gatewayController) out.push(clusterRoleBinding(`istiod-gateway-controller${sfx}`, sa, ns, istiodLabels));
  }
  if (namespaceScoped) {
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: sa, namespace: ns, labels: istiodLabels },
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
      metadata: { name: sa, namespace: ns, labels: istiodLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    });
  }
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
      ...(v.str('global.proxy.variant') || v.str('global.variant') ? { image: { imageType: v.str('global.proxy.variant') || v.str('global.variant') } } : {}),
      ...(v.str('global.proxy.tracer') === 'zipkin'
        ? { tracing: { zipkin: { address: v.str('global.tracer.zipkin.address') || `zipkin.${ctx.namespace}:9411` } } }
        : {}),
    }) as JsonObject,
    defaultProviders: { metrics: ['prometheus'] },
    enablePrometheusMerge: true,
    rootNamespace: v.str('global.istioNamespace', ctx.namespace),
    trustDomain: 'cluster.local',
  };
  return overlay(defaults, v.obj('meshConfig')) as JsonObject;
}

function meshConfigMap(ctx: RenderContext, ns: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `istio${ctx.revSuffix}`, namespace: ns, labels: ctx.labels(C, { release: 'istio' }) },
    data: {
      mesh: emitDocument(meshConfig(ctx)),
      meshNetworks: emitDocument({ networks: ctx.values.obj('global.meshNetworks') }),
    },
  };
}

function istiodDeployment(ctx: RenderContext, ns: string, labels: Labels): KubeObject {
  const v = ctx.values;
  const pilot = ctx.component('pilot');
  const revisioned = ctx.revision !== '';
  const podLabels = {
    app: 'istiod',
    'istio.io/rev': ctx.revLabel,
    'install.operator.istio.io/owning-resource': v.str('ownerName') || 'unknown',
    'sidecar.istio.io/inject': 'false',
    'operator.istio.io/component': C,
    istio: revisioned ? 'istiod' : 'pilot',
    ...v.strMap('pilot.podLabels'),
    'istio.io/dataplane-mode': 'none',
  };
  const userEnv = v.obj('pilot.env');
  const truthy = (x: Json | undefined): boolean => x !== undefined && x !== null && x !== '' && x !== false && x !== 0;
  const env: JsonObject[] = [
    { name: 'REVISION', value: ctx.revLabel },
    { name: 'PILOT_CERT_PROVIDER', value: v.str('global.pilotCertProvider', 'istiod') },
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.serviceAccountName' } } },
    { name: 'KUBECONFIG', value: '/var/run/secrets/remote/config' },
    // Which node agents (ztunnel) may ask for certificates on behalf of pods: set unless pilot.env
    // already does. Istio's chart always renders it, ambient or not.
    ...(truthy(userEnv['CA_TRUSTED_NODE_ACCOUNTS'])
      ? []
      : [{ name: 'CA_TRUSTED_NODE_ACCOUNTS', value: `${v.str('pilot.trustedZtunnelNamespace') || ns}/${v.str('pilot.trustedZtunnelName') || 'ztunnel'}` }]),
    ...Object.entries(userEnv)
      .sort(([a], [b]) => byteOrder(a, b))
      .map(([name, value]) => (typeof value === 'object' && value !== null ? { name, ...(value as JsonObject) } : { name, value: String(value) })),
    ...(userEnv['COMPLIANCE_POLICY'] === 'fips-140-3' ? [{ name: 'GODEBUG', value: 'fips140=only' }] : []),
    ...(v.list('pilot.envVarFrom') as JsonObject[]),
    ...(truthy(v.get('pilot.traceSampling')) ? [{ name: 'PILOT_TRACE_SAMPLING', value: String(v.get('pilot.traceSampling')) }] : []),
    ...(v.bool('pilot.taint.enabled')
      ? [
          { name: 'PILOT_ENABLE_NODE_UNTAINT_CONTROLLERS', value: 'true' },
          { name: 'PILOT_NODE_UNTAINT_CONTROLLERS_TAINT_NAME', value: v.str('pilot.taint.name') },
        ]
      : []),
    ...(v.bool('global.externalIstiod') && !truthy(userEnv['EXTERNAL_ISTIOD']) ? [{ name: 'EXTERNAL_ISTIOD', value: 'true' }] : []),
    ...(v.str('global.trustBundleName') !== '' ? [{ name: 'PILOT_CA_CERT_CONFIGMAP', value: v.str('global.trustBundleName') }] : []),
    ...(v.str('pilot.crlConfigMapName') !== '' ? [{ name: 'PILOT_CRL_CONFIGMAP', value: v.str('pilot.crlConfigMapName') }] : []),
    { name: 'PILOT_ENABLE_ANALYSIS', value: String(v.bool('global.istiod.enableAnalysis')) },
    { name: 'CLUSTER_ID', value: v.str('global.multiCluster.clusterName') || 'Kubernetes' },
    { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
    { name: 'PLATFORM', value: v.str('global.platform') || v.str('pilot.platform') },
  ];
  const logLevel = v.str('global.logging.level', 'default:info');
  const args = [
    'discovery',
    '--monitoringAddr=:15014',
    ...(logLevel !== '' ? [`--log_output_level=${logLevel}`] : []),
    ...(v.bool('global.logAsJson') ? ['--log_as_json'] : []),
    '--domain',
    v.str('global.proxy.clusterDomain', 'cluster.local'),
    ...(v.str('pilot.taint.namespace') !== '' ? [`--cniNamespace=${v.str('pilot.taint.namespace')}`] : []),
    '--keepaliveMaxServerConnectionAge',
    v.str('pilot.keepaliveMaxServerConnectionAge', '30m'),
    ...v.list('pilot.extraContainerArgs'),
  ];
  const autoscale = v.bool('pilot.autoscaleEnabled', true);
  const replicas = v.get('pilot.replicaCount');
  const extraRootCa = v.str('pilot.jwksResolverExtraRootCA') !== '';
  const trustBundleApi = userEnv['ENABLE_CLUSTER_TRUST_BUNDLE_API'] === true;
  const trustBundle = v.str('global.trustBundleName');
  const resources = v.obj('pilot.resources');
  const seccomp = v.get('pilot.seccompProfile');
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
      ...(!autoscale && truthy(replicas) ? { replicas } : {}),
      strategy: { rollingUpdate: { maxSurge: v.get('pilot.rollingMaxSurge') ?? '100%', maxUnavailable: v.get('pilot.rollingMaxUnavailable') ?? '25%' } },
      selector: { matchLabels: revisioned ? { app: 'istiod', 'istio.io/rev': ctx.revLabel } : { istio: 'pilot' } },
      template: {
        metadata: {
          labels: podLabels,
          annotations: {
            'prometheus.io/port': '15014',
            'prometheus.io/scrape': 'true',
            'sidecar.istio.io/inject': 'false',
            ...v.strMap('pilot.podAnnotations'),
          },
        },
        spec: compact({
          nodeSelector: v.strMap('pilot.nodeSelector'),
          affinity: v.obj('pilot.affinity'),
          tolerations: [{ key: 'cni.istio.io/not-ready', operator: 'Exists' }, ...v.list('pilot.tolerations')],
          topologySpreadConstraints: v.list('pilot.topologySpreadConstraints'),
          serviceAccountName: ctx.istiodName,
          priorityClassName: v.str('global.priorityClassName') || undefined,
          initContainers: v.list('pilot.initContainers'),
          containers: [
            compact({
              name: 'discovery',
              image: ctx.image({ component: pilot.spec, valuesPrefix: 'pilot', name: 'pilot' }),
              imagePullPolicy: v.str('global.imagePullPolicy') || undefined,
              terminationMessagePolicy: v.str('pilot.terminationMessagePolicy') || undefined,
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
              resources: resourceRequirements(Object.keys(resources).length > 0 ? resources : v.obj('global.defaultResources')),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                ...(truthy(seccomp) ? { seccompProfile: seccomp } : {}),
              },
              volumeMounts: [
                { name: 'istio-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
                { name: 'local-certs', mountPath: '/var/run/secrets/istio-dns' },
                { name: 'cacerts', mountPath: '/etc/cacerts', readOnly: true },
                { name: 'istio-kubeconfig', mountPath: '/var/run/secrets/remote', readOnly: true },
                ...(extraRootCa ? [{ name: 'extracacerts', mountPath: '/cacerts' }] : []),
                { name: 'istio-csr-dns-cert', mountPath: '/var/run/secrets/istiod/tls', readOnly: true },
                { name: 'istio-csr-ca-configmap', mountPath: '/var/run/secrets/istiod/ca', readOnly: true },
                ...v.list('pilot.volumeMounts'),
              ],
            }),
          ],
          volumes: [
            { emptyDir: { medium: 'Memory' }, name: 'local-certs' },
            {
              name: 'istio-token',
              projected: {
                sources: [{ serviceAccountToken: { audience: v.str('global.sds.token.aud', 'istio-ca'), expirationSeconds: 43200, path: 'istio-token' } }],
              },
            },
            { name: 'cacerts', secret: { secretName: 'cacerts', optional: true } },
            { name: 'istio-kubeconfig', secret: { secretName: 'istio-kubeconfig', optional: true } },
            { name: 'istio-csr-dns-cert', secret: { secretName: 'istiod-tls', optional: true } },
            trustBundleApi
              ? {
                  name: 'istio-csr-ca-configmap',
                  projected: {
                    sources: [{ clusterTrustBundle: { name: `istio.io:istiod-ca:${trustBundle || 'root-cert'}`, path: 'root-cert.pem', optional: true } }],
                  },
                }
              : { name: 'istio-csr-ca-configmap', configMap: { name: trustBundle || 'istio-ca-root-cert', defaultMode: 420, optional: true } },
            ...(extraRootCa ? [{ name: 'extracacerts', configMap: { name: `pilot-jwks-extra-cacerts${ctx.revSuffix}` } }] : []),
            ...v.list('pilot.volumes'),
          ],
        }),
      },
    },
  };
}

/**
 * A remote cluster reaches the primary's istiod through a local Service `istiod[-rev]` (its
 * webhook and the proxies' discovery address point at it): an ExternalName for a host name, or a
 * Service with an EndpointSlice for an IP address (global.remotePilotAddress).
 */
function remoteIstiod(ctx: RenderContext, ns: string): KubeObject[] {
  const v = ctx.values;
  const addr = v.str('global.remotePilotAddress');
  const ipv4 = /^([0-9]*\.){3}[0-9]*$/.test(addr);
  const ipv6 = /^([0-9a-fA-F]*:)+[0-9a-fA-F]*$/.test(addr);
  const name = `${ctx.istiodName}${v.bool('istiodRemote.enabledLocalInjectorIstiod') ? '-remote' : ''}`;
  const labels = ctx.labels(C);
  const out: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels },
      spec: compact({
        ports: [
          { port: 15012, name: 'tcp-istiod', protocol: 'TCP' },
          { port: 443, targetPort: 15017, name: 'tcp-webhook', protocol: 'TCP' },
        ],
        ...(ipv4 || ipv6 ? {} : { type: 'ExternalName', externalName: addr }),
        ipFamilyPolicy: v.str('global.ipFamilyPolicy') || undefined,
        ipFamilies: v.list('global.ipFamilies'),
      }),
    },
  ];
  if (ipv4 || ipv6) {
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: ns, labels: { ...labels, 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'Helm' } },
      addressType: ipv4 ? 'IPv4' : 'IPv6',
      endpoints: [{ addresses: [addr] }],
      ports: [
        { port: 15012, name: 'tcp-istiod', protocol: 'TCP' },
        { port: 15017, name: 'tcp-webhook', protocol: 'TCP' },
      ],
    });
  }
  return out;
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
      selector: ctx.revision === '' ? { app: 'istiod', istio: 'pilot' } : { app: 'istiod', 'istio.io/rev': ctx.revision },
      ipFamilyPolicy: v.str('pilot.ipFamilyPolicy') || undefined,
      ipFamilies: v.list('pilot.ipFamilies'),
      trafficDistribution: v.str('pilot.trafficDistribution') || undefined,
    }),
  };
}

function injectorWebhook(ctx: RenderContext, _ns: string, _labels: Labels): KubeObject {
  const v = ctx.values;
  const rev = ctx.revLabel;
  const url = v.str('istiodRemote.injectionURL');
  const caBundle = v.str('istiodRemote.injectionCABundle');
  const neverInject = { key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] };
  const core = (prefix: string, namespaceSelector: JsonObject, objectSelector: JsonObject): JsonObject => ({
    name: `${prefix}sidecar-injector.istio.io`,
    clientConfig: {
      ...(url !== ''
        ? { url }
        : { service: { name: ctx.istiodName, namespace: ctx.namespace, path: v.str('istiodRemote.injectionPath', '/inject'), port: 443 } }),
      ...(caBundle !== '' ? { caBundle } : {}),
    },
    sideEffects: 'None',
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    failurePolicy: 'Fail',
    reinvocationPolicy: v.str('sidecarInjectorWebhook.reinvocationPolicy', 'Never'),
    admissionReviewVersions: ['v1'],
    namespaceSelector,
    objectSelector,
  });
  const webhooks: JsonObject[] = [
    core(
      'rev.namespace.',
      {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'In', values: [rev] },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      },
      { matchExpressions: [neverInject] },
    ),
    core(
      'rev.object.',
      {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'DoesNotExist' },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      },
      { matchExpressions: [neverInject, { key: 'istio.io/rev', operator: 'In', values: [rev] }] },
    ),
  ];
  if (ctx.revision === '') {
    webhooks.push(
      core('namespace.', { matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] }, { matchExpressions: [neverInject] }),
      core(
        'object.',
        {
          matchExpressions: [
            { key: 'istio-injection', operator: 'DoesNotExist' },
            { key: 'istio.io/rev', operator: 'DoesNotExist' },
          ],
        },
        {
          matchExpressions: [
            { key: 'sidecar.istio.io/inject', operator: 'In', values: ['true'] },
            { key: 'istio.io/rev', operator: 'DoesNotExist' },
          ],
        },
      ),
    );
    if (v.bool('sidecarInjectorWebhook.enableNamespacesByDefault')) {
      webhooks.push(
        core(
          'auto.',
          {
            matchExpressions: [
              { key: 'istio-injection', operator: 'DoesNotExist' },
              { key: 'istio.io/rev', operator: 'DoesNotExist' },
              { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'] },
            ],
          },
          {
            matchExpressions: [
              { key: 'sidecar.istio.io/inject', operator: 'DoesNotExist' },
              { key: 'istio.io/rev', operator: 'DoesNotExist' },
            ],
          },
        ),
      );
    }
  }
  const name = `istio-sidecar-injector${ctx.revSuffix}${ctx.namespace === 'istio-system' ? '' : `-${ctx.namespace}`}`;
  const annotations = v.strMap('sidecarInjectorWebhookAnnotations');
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name, labels: ctx.labels(C, { app: 'sidecar-injector' }), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    webhooks,
  };
}

function validatingWebhook(ctx: RenderContext, _ns: string, labels: Labels): KubeObject {
  const v = ctx.values;
  const url = v.str('base.validationURL');
  const caBundle = v.str('base.validationCABundle');
  const policy = caBundle !== '' ? 'Fail' : v.str('base.validationFailurePolicy') || 'Ignore';
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: `istio-validator${ctx.revSuffix}-${ctx.namespace}`, labels: labels({ app: 'istiod', istio: 'istiod' }) },
    webhooks: [
      {
        name: 'rev.validation.istio.io',
        clientConfig: {
          ...(url !== '' ? { url } : { service: { name: ctx.istiodName, namespace: ctx.namespace, path: '/validate' } }),
          ...(caBundle !== '' ? { caBundle } : {}),
        },
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: ['security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
            apiVersions: ['*'],
            resources: ['*'],
          },
        ],
        failurePolicy: policy,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        objectSelector: { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [ctx.revLabel] }] },
      },
    ],
  };
}

/**
 * The stable profile's admission policy: reject the kinds and fields that are not stable (the same
 * checks as Istio's chart: EnvoyFilter, WasmPlugin and ProxyConfig; Telemetry tracing
 * useRequestIdForTraceSampling, metrics reportingInterval, accessLogging filter; AuthorizationPolicy
 * source trustDomains/notTrustDomains), for objects of this revision.
 */
function stablePolicy(ctx: RenderContext, _ns: string, _labels: Labels): KubeObject[] {
  const name = `stable-channel-policy${ctx.revSuffix}-${ctx.namespace}.istio.io`;
  const kinds = ['EnvoyFilter', 'WasmPlugin', 'ProxyConfig', 'Telemetry', 'AuthorizationPolicy'];
  const anyHas = (list: string, v: string, field: string): string => `(has(object.spec.${list}) ? object.spec.${list} : {}).exists(${v}, has(${v}.${field}))`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels: ctx.labels(C) },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['*'],
            },
          ],
          objectSelector: { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [ctx.revLabel] }] },
        },
        variables: kinds.map((k) => ({ name: `is${k}`, expression: `object.kind == '${k}'` })),
        validations: [
          { expression: '!variables.isEnvoyFilter' },
          { expression: '!variables.isWasmPlugin' },
          { expression: '!variables.isProxyConfig' },
          {
            expression: `!(variables.isTelemetry && (${anyHas('tracing', 't', 'useRequestIdForTraceSampling')} || ${anyHas('metrics', 'm', 'reportingInterval')} || ${anyHas('accessLogging', 'l', 'filter')}))`,
          },
          {
            expression:
              '!(variables.isAuthorizationPolicy && has(object.spec.rules) && object.spec.rules.exists(r, has(r.from) && r.from.exists(f, has(f.source) && (has(f.source.trustDomains) || has(f.source.notTrustDomains)))))',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: `stable-channel-policy-binding${ctx.revSuffix}-${ctx.namespace}.istio.io`, labels: ctx.labels(C) },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}
