/** Ingress and egress gateways: one Deployment, Service, identity and autoscaling per gateway. */
import type { JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';
import type { GatewayInstance, RenderContext } from '../context.js';
import { type Values, compact } from '../values.js';
import { byteOrder, fieldRef, hpa, pdb, resourceRequirements, rule, serviceAccount } from './shared.js';

export function renderGateway(ctx: RenderContext, gw: GatewayInstance): KubeObject[] {
  const component = gw.kind === 'ingress' ? 'IngressGateways' : 'EgressGateways';
  const v = gw.values;
  const g = ctx.values;
  const selector = v.strMap('labels');
  const labels = ctx.labels(component, { ...selector });
  // The chart's Role and RoleBinding carry only the owner labels, not the gateway's selector labels.
  const rbacLabels = ctx.labels(component);
  const runAsRoot = v.bool('runAsRoot');
  const pullSecrets = g.list('global.imagePullSecrets');
  const sa = `${gw.name}-service-account`;
  const ns = gw.namespace;
  const out: KubeObject[] = [];

  const account = serviceAccount({ name: sa, namespace: ns, labels, annotations: v.strMap('serviceAccount.annotations') });
  out.push(pullSecrets.length > 0 ? { ...account, imagePullSecrets: pullSecrets.map((name) => ({ name })) } : account);
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `${gw.name}-sds`, namespace: ns, labels: rbacLabels },
    rules: [rule([''], ['secrets'], ['get', 'watch', 'list'])],
  });
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${gw.name}-sds`, namespace: ns, labels: rbacLabels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${gw.name}-sds` },
    subjects: [{ kind: 'ServiceAccount', name: sa }],
  });

  const ports = (gw.spec.k8s?.service?.['ports'] as JsonObject[] | undefined) ?? (v.list('ports') as JsonObject[]);
  const containerPorts: JsonObject[] = [];
  for (const p of ports) {
    // As the chart: one container port per port (targetPort, else port), unnamed. Like istioctl,
    // k8s.service.ports stand in for the values' ports.
    const target = p['targetPort'] ?? p['port'];
    if (target === undefined || target === null) continue;
    containerPorts.push({ containerPort: target, protocol: (p['protocol'] as string | undefined) ?? 'TCP' });
  }
  containerPorts.push({ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' });

  const autoscale = v.bool('autoscaleEnabled', true);
  const min = v.num('autoscaleMin', 1);
  const max = v.num('autoscaleMax', 5);
  const trustDomain = g.str('meshConfig.trustDomain', 'cluster.local');
  const caAddr = g.str('global.caAddress') || `${ctx.istiodName}.${ctx.namespace}.svc:15012`;
  const env: JsonObject[] = [
    { name: 'PILOT_CERT_PROVIDER', value: g.str('global.pilotCertProvider', 'istiod') },
    { name: 'CA_ADDR', value: caAddr },
    fieldRef('NODE_NAME', 'spec.nodeName'),
    fieldRef('POD_NAME', 'metadata.name'),
    fieldRef('POD_NAMESPACE', 'metadata.namespace'),
    fieldRef('INSTANCE_IP', 'status.podIP'),
    fieldRef('HOST_IP', 'status.hostIP'),
    { name: 'ISTIO_CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
    { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
    { name: 'ISTIO_META_WORKLOAD_NAME', value: gw.name },
    { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${gw.name}` },
    ...(g.str('global.meshID') !== ''
      ? [{ name: 'ISTIO_META_MESH_ID', value: g.str('global.meshID') }]
      : trustDomain !== ''
        ? [{ name: 'ISTIO_META_MESH_ID', value: trustDomain }]
        : []),
    ...(trustDomain !== '' ? [{ name: 'TRUST_DOMAIN', value: trustDomain }] : []),
    ...(runAsRoot ? [] : [{ name: 'ISTIO_META_UNPRIVILEGED_POD', value: 'true' }]),
    ...envList(v.obj('env')),
    ...envList(g.obj('meshConfig.defaultConfig.proxyMetadata')),
    ...(g.str('global.network') !== '' && v.get('env.ISTIO_META_NETWORK') === undefined
      ? [{ name: 'ISTIO_META_NETWORK', value: g.str('global.network') }]
      : []),
    { name: 'ISTIO_META_CLUSTER_ID', value: g.str('global.multiCluster.clusterName') || 'Kubernetes' },
    { name: 'ISTIO_META_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
  ];

  const pilotCa = g.str('global.pilotCertProvider', 'istiod') === 'istiod';
  const trustBundle = g.str('global.trustBundleName');
  const secretVolumes = v.list('secretVolumes') as JsonObject[];
  const configVolumes = v.list('configVolumes') as JsonObject[];
  const replicas = v.get('replicaCount');
  const openshift = (g.str('platform') || g.str('global.platform')) === 'openshift';
  const canonicalRevision = selector['app.kubernetes.io/version'] || selector['version'] || ctx.revision || 'latest';
  const resources = v.obj('resources');
  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: gw.name, namespace: ns, labels: { ...labels, 'istio.io/dataplane-mode': 'none' } },
    spec: {
      ...(!autoscale && typeof replicas === 'number' && replicas !== 0 ? { replicas } : {}),
      selector: { matchLabels: selector },
      strategy: { rollingUpdate: { maxSurge: v.get('rollingMaxSurge') ?? '100%', maxUnavailable: v.get('rollingMaxUnavailable') ?? '25%' } },
      template: {
        metadata: {
          labels: {
            ...selector,
            'service.istio.io/canonical-name': gw.name,
            'service.istio.io/canonical-revision': canonicalRevision,
            'istio.io/rev': ctx.revLabel,
            'install.operator.istio.io/owning-resource': g.str('ownerName') || 'unknown',
            'operator.istio.io/component': component,
            'sidecar.istio.io/inject': 'false',
            'istio.io/dataplane-mode': 'none',
          },
          annotations: {
            'istio.io/rev': ctx.revLabel,
            ...(g.get('meshConfig.enablePrometheusMerge') !== false
              ? { 'prometheus.io/port': '15020', 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/stats/prometheus' }
              : {}),
            'sidecar.istio.io/inject': 'false',
            ...v.strMap('podAnnotations'),
          },
        },
        spec: compact({
          securityContext: runAsRoot ? undefined : { ...(openshift ? {} : { runAsUser: 1337, runAsGroup: 1337 }), runAsNonRoot: true },
          serviceAccountName: sa,
          priorityClassName: g.str('global.priorityClassName') || undefined,
          containers: [
            compact({
              name: 'istio-proxy',
              image: ctx.image({ component: gw.spec, valuesPrefix: 'global.proxy', name: 'proxyv2' }),
              imagePullPolicy: g.str('global.imagePullPolicy') || undefined,
              ports: containerPorts,
              args: [
                'proxy',
                'router',
                '--domain',
                `$(POD_NAMESPACE).svc.${g.str('global.proxy.clusterDomain', 'cluster.local')}`,
                ...(g.str('global.proxy.logLevel') !== '' ? [`--proxyLogLevel=${g.str('global.proxy.logLevel')}`] : []),
                ...(g.str('global.proxy.componentLogLevel') !== '' ? [`--proxyComponentLogLevel=${g.str('global.proxy.componentLogLevel')}`] : []),
                ...(g.str('global.logging.level') !== '' ? [`--log_output_level=${g.str('global.logging.level')}`] : []),
                ...(g.bool('global.logAsJson') ? ['--log_as_json'] : []),
                ...(g.num('global.sts.servicePort', 0) > 0 ? [`--stsPort=${g.num('global.sts.servicePort', 0)}`] : []),
              ],
              securityContext: runAsRoot
                ? undefined
                : { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true },
              readinessProbe: {
                failureThreshold: 30,
                httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' },
                initialDelaySeconds: 1,
                periodSeconds: 2,
                successThreshold: 1,
                timeoutSeconds: 1,
              },
              resources: resourceRequirements(Object.keys(resources).length > 0 ? resources : g.obj('global.defaultResources')),
              env,
              volumeMounts: [
                { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
                { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
                { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
                { name: 'istio-envoy', mountPath: '/etc/istio/proxy' },
                { name: 'config-volume', mountPath: '/etc/istio/config' },
                ...(pilotCa ? [{ mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' }] : []),
                { name: 'istio-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
                ...(g.bool('global.mountMtlsCerts') ? [{ name: 'istio-certs', mountPath: '/etc/certs', readOnly: true }] : []),
                { mountPath: '/var/lib/istio/data', name: 'istio-data' },
                { name: 'podinfo', mountPath: '/etc/istio/pod' },
                ...secretVolumes.map((x) => ({ name: x['name'] ?? null, mountPath: x['mountPath'] ?? null, readOnly: true })),
                ...configVolumes.filter((x) => x['mountPath']).map((x) => ({ name: x['name'] ?? null, mountPath: x['mountPath'] ?? null, readOnly: true })),
              ],
            }),
            ...(v.list('additionalContainers') as JsonObject[]),
          ],
          volumes: [
            { emptyDir: {}, name: 'workload-socket' },
            { emptyDir: {}, name: 'credential-socket' },
            { emptyDir: {}, name: 'workload-certs' },
            ...(pilotCa
              ? [
                  g.get('pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE_API') === true
                    ? {
                        name: 'istiod-ca-cert',
                        projected: { sources: [{ clusterTrustBundle: { name: `istio.io:istiod-ca:${trustBundle || 'root-cert'}`, path: 'root-cert.pem' } }] },
                      }
                    : { name: 'istiod-ca-cert', configMap: { name: trustBundle || 'istio-ca-root-cert' } },
                ]
              : []),
            {
              name: 'podinfo',
              downwardAPI: {
                items: [
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                  { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
                ],
              },
            },
            { name: 'istio-envoy', emptyDir: {} },
            { name: 'istio-data', emptyDir: {} },
            {
              name: 'istio-token',
              projected: {
                sources: [{ serviceAccountToken: { path: 'istio-token', expirationSeconds: 43200, audience: g.str('global.sds.token.aud', 'istio-ca') } }],
              },
            },
            ...(g.bool('global.mountMtlsCerts') ? [{ name: 'istio-certs', secret: { secretName: `istio.${sa}`, optional: true } }] : []),
            { name: 'config-volume', configMap: { name: `istio${ctx.revSuffix}`, optional: true } },
            ...secretVolumes.map((x) => ({ name: x['name'] ?? null, secret: { secretName: x['secretName'] ?? null, optional: true } })),
            ...configVolumes.map((x) => ({ name: x['name'] ?? null, configMap: { name: x['configMapName'] ?? null, optional: true } })),
          ],
          affinity: compact({ nodeAffinity: nodeAffinity(g, v), podAntiAffinity: podAntiAffinity(v) }),
          tolerations: v.list('tolerations').length > 0 ? v.list('tolerations') : g.list('global.defaultTolerations'),
        }),
      },
    },
  });

  const serviceAnnotations = v.strMap('serviceAnnotations');
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: gw.name, namespace: ns, labels, ...(Object.keys(serviceAnnotations).length > 0 ? { annotations: serviceAnnotations } : {}) },
    spec: compact({
      type: v.str('type', gw.kind === 'ingress' ? 'LoadBalancer' : 'ClusterIP'),
      loadBalancerIP: v.str('loadBalancerIP') || undefined,
      loadBalancerSourceRanges: v.list('loadBalancerSourceRanges'),
      externalTrafficPolicy: v.str('externalTrafficPolicy') || undefined,
      ipFamilyPolicy: v.str('ipFamilyPolicy') || undefined,
      ipFamilies: v.list('ipFamilies'),
      selector,
      ports: ports.map((p) => compact({ ...p })),
    }),
  });

  if (autoscale && min > 0 && max > 0) {
    out.push(hpa({ name: gw.name, namespace: ns, labels, min, max, cpu: v.num('cpu.targetAverageUtilization', 80), behavior: v.get('autoscaleBehavior') }));
  }
  const replicaCount = v.num('replicaCount', 0);
  if (g.bool('global.defaultPodDisruptionBudget.enabled', true) && ((autoscale && min > 1) || (!autoscale && replicaCount > 1))) {
    out.push(pdb({ name: gw.name, namespace: ns, labels, selector }));
  }
  return out;
}

/** A values map as env entries, sorted by name as Helm ranges over a map; values become strings. */
function envList(m: JsonObject): JsonObject[] {
  return Object.entries(m)
    .sort(([a], [b]) => byteOrder(a, b))
    .map(([name, value]) => (typeof value === 'object' && value !== null ? { name, ...(value as JsonObject) } : { name, value: String(value) }));
}

/**
 * The gateway chart schedules by node affinity, not nodeSelector: the gateway's nodeSelector (or
 * global.defaultNodeSelector) and global.arch become required and preferred terms.
 */
function nodeAffinity(g: Values, v: Values): JsonObject | undefined {
  const own = v.strMap('nodeSelector');
  const nodeSelector = Object.keys(own).length > 0 ? own : g.strMap('global.defaultNodeSelector');
  const arch = Object.entries(g.obj('global.arch')).filter(([, w]) => typeof w === 'number' && w > 0) as [string, number][];
  arch.sort(([a], [b]) => byteOrder(a, b));
  const expressions: JsonObject[] = [
    ...(arch.length > 0 ? [{ key: 'kubernetes.io/arch', operator: 'In', values: arch.map(([a]) => a) }] : []),
    ...Object.entries(nodeSelector)
      .sort(([a], [b]) => byteOrder(a, b))
      .map(([key, val]) => ({ key, operator: 'In', values: [val] })),
  ];
  const out: JsonObject = {};
  if (expressions.length > 0) out['requiredDuringSchedulingIgnoredDuringExecution'] = { nodeSelectorTerms: [{ matchExpressions: expressions }] };
  if (arch.length > 0)
    out['preferredDuringSchedulingIgnoredDuringExecution'] = arch.map(([a, w]) => ({
      weight: w,
      preference: { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: [a] }] },
    }));
  return Object.keys(out).length > 0 ? out : undefined;
}

function podAntiAffinity(v: Values): JsonObject | undefined {
  const required = v.list('podAntiAffinityLabelSelector') as JsonObject[];
  const preferred = v.list('podAntiAffinityTermLabelSelector') as JsonObject[];
  if (required.length === 0 && preferred.length === 0) return undefined;
  const expr = (x: JsonObject): JsonObject => ({
    key: x['key'] ?? null,
    operator: x['operator'] ?? null,
    ...(x['values'] ? { values: String(x['values']).split(',') } : {}),
  });
  const term = (x: JsonObject, withNamespaces: boolean): JsonObject => ({
    labelSelector: { matchExpressions: [expr(x)] },
    topologyKey: x['topologyKey'] ?? null,
    ...(withNamespaces && x['namespaces'] ? { namespaces: String(x['namespaces']).split(',') } : {}),
  });
  return compact({
    requiredDuringSchedulingIgnoredDuringExecution: required.map((x) => term(x, true)),
    preferredDuringSchedulingIgnoredDuringExecution: preferred.map((x) => ({ podAffinityTerm: term(x, false), weight: 100 })),
  });
}
