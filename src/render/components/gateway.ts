/** Ingress and egress gateways: one Deployment, Service, identity and autoscaling per gateway. */
import type { JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';
import type { GatewayInstance, RenderContext } from '../context.js';
import { compact } from '../values.js';
import { fieldRef, hpa, pdb, rule, serviceAccount } from './shared.js';

export function renderGateway(ctx: RenderContext, gw: GatewayInstance): KubeObject[] {
  const component = gw.kind === 'ingress' ? 'IngressGateways' : 'EgressGateways';
  const v = gw.values;
  const g = ctx.values;
  const selector = v.strMap('labels');
  const labels = ctx.labels(component, { ...selector });
  const sa = `${gw.name}-service-account`;
  const ns = gw.namespace;
  const out: KubeObject[] = [];

  out.push(serviceAccount({ name: sa, namespace: ns, labels, annotations: v.strMap('serviceAccount.annotations') }));
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: `${gw.name}-sds`, namespace: ns, labels },
    rules: [rule([''], ['secrets'], ['get', 'watch', 'list'])],
  });
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${gw.name}-sds`, namespace: ns, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${gw.name}-sds` },
    subjects: [{ kind: 'ServiceAccount', name: sa }],
  });

  const ports = (gw.spec.k8s?.service?.['ports'] as JsonObject[] | undefined) ?? (v.list('ports') as JsonObject[]);
  const containerPorts: JsonObject[] = [];
  const seen = new Set<number>();
  for (const p of ports) {
    const target = typeof p['targetPort'] === 'number' ? p['targetPort'] : typeof p['port'] === 'number' ? p['port'] : undefined;
    if (target === undefined || seen.has(target)) continue;
    seen.add(target);
    containerPorts.push(compact({ containerPort: target, protocol: (p['protocol'] as string | undefined) ?? 'TCP', name: typeof p['name'] === 'string' ? p['name'] : undefined }) as JsonObject);
  }
  containerPorts.push({ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' });

  const autoscale = v.bool('autoscaleEnabled', true);
  const min = v.num('autoscaleMin', 1);
  const max = v.num('autoscaleMax', 5);
  const caAddr = g.str('global.caAddress') || `${ctx.istiodName}.${ctx.namespace}.svc:15012`;
  const env: JsonObject[] = [
    { name: 'PILOT_CERT_PROVIDER', value: g.str('global.pilotCertProvider', 'istiod') },
    { name: 'CA_ADDR', value: caAddr },
    fieldRef('NODE_NAME', 'spec.nodeName'),
    fieldRef('POD_NAME', 'metadata.name'),
    fieldRef('POD_NAMESPACE', 'metadata.namespace'),
    fieldRef('INSTANCE_IP', 'status.podIP'),
    fieldRef('HOST_IP', 'status.hostIP'),
    { name: 'ISTIO_CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
    fieldRef('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
    { name: 'ISTIO_META_WORKLOAD_NAME', value: gw.name },
    { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${gw.name}` },
    { name: 'ISTIO_META_MESH_ID', value: g.str('global.meshID') || 'cluster.local' },
    { name: 'TRUST_DOMAIN', value: 'cluster.local' },
    { name: 'ISTIO_META_UNPRIVILEGED_POD', value: 'true' },
    { name: 'ISTIO_META_CLUSTER_ID', value: g.str('global.multiCluster.clusterName') || 'Kubernetes' },
    fieldRef('ISTIO_META_NODE_NAME', 'spec.nodeName'),
    ...(g.str('global.network') !== '' ? [{ name: 'ISTIO_META_NETWORK', value: g.str('global.network') }] : []),
    ...Object.entries(v.obj('env'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => (typeof value === 'object' && value !== null ? { name, ...(value as JsonObject) } : { name, value: String(value) })),
  ];

  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: gw.name, namespace: ns, labels },
    spec: {
      ...(autoscale ? {} : { replicas: v.num('replicaCount', 1) }),
      selector: { matchLabels: selector },
      strategy: { rollingUpdate: { maxSurge: v.get('rollingMaxSurge') ?? '100%', maxUnavailable: v.get('rollingMaxUnavailable') ?? '25%' } },
      template: {
        metadata: {
          labels: {
            ...selector,
            'service.istio.io/canonical-name': gw.name,
            'service.istio.io/canonical-revision': 'latest',
            'istio.io/rev': ctx.revLabel,
            'install.operator.istio.io/owning-resource': ctx.owner,
            'operator.istio.io/component': component,
            'sidecar.istio.io/inject': 'false',
          },
          annotations: {
            'istio.io/rev': ctx.revLabel,
            'prometheus.io/port': '15020',
            'prometheus.io/scrape': 'true',
            'prometheus.io/path': '/stats/prometheus',
            'sidecar.istio.io/inject': 'false',
            ...v.strMap('podAnnotations'),
          },
        },
        spec: compact({
          securityContext: v.bool('runAsRoot')
            ? { runAsUser: 0, runAsGroup: 1337, runAsNonRoot: false, fsGroup: 1337 }
            : { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
          serviceAccountName: sa,
          nodeSelector: { ...g.strMap('global.defaultNodeSelector'), ...v.strMap('nodeSelector') },
          tolerations: [...v.list('tolerations'), ...g.list('global.defaultTolerations')],
          affinity: v.obj('affinity'),
          topologySpreadConstraints: v.list('topologySpreadConstraints'),
          priorityClassName: g.str('global.priorityClassName') || undefined,
          imagePullSecrets: g.list('global.imagePullSecrets').map((name) => ({ name })),
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
                `--proxyLogLevel=${g.str('global.proxy.logLevel', 'warning')}`,
                `--proxyComponentLogLevel=${g.str('global.proxy.componentLogLevel', 'misc:error')}`,
                `--log_output_level=${g.str('global.logging.level', 'default:info')}`,
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                privileged: false,
                readOnlyRootFilesystem: true,
                ...(v.bool('runAsRoot') ? { runAsUser: 0, runAsNonRoot: false } : {}),
              },
              readinessProbe: {
                failureThreshold: 30,
                httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' },
                initialDelaySeconds: 1,
                periodSeconds: 2,
                successThreshold: 1,
                timeoutSeconds: 1,
              },
              resources: v.obj('resources'),
              env,
              volumeMounts: [
                { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
                { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
                { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
                { name: 'istio-envoy', mountPath: '/etc/istio/proxy' },
                { name: 'config-volume', mountPath: '/etc/istio/config' },
                { name: 'istiod-ca-cert', mountPath: '/var/run/secrets/istio' },
                { name: 'istio-token', mountPath: '/var/run/secrets/tokens', readOnly: true },
                { name: 'istio-data', mountPath: '/var/lib/istio/data' },
                { name: 'podinfo', mountPath: '/etc/istio/pod' },
              ],
            }),
          ],
          volumes: [
            { name: 'workload-socket', emptyDir: {} },
            { name: 'credential-socket', emptyDir: {} },
            { name: 'workload-certs', emptyDir: {} },
            { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } },
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
            { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { path: 'istio-token', expirationSeconds: 43200, audience: g.str('global.sds.token.aud', 'istio-ca') } }] } },
            { name: 'config-volume', configMap: { name: `istio${ctx.revSuffix}`, optional: true } },
          ],
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
      ports: ports.map((p) => compact({ ...p, protocol: p['protocol'] ?? 'TCP' })),
    }),
  });

  if (autoscale && min < max) {
    out.push(hpa({ name: gw.name, namespace: ns, labels, min, max, cpu: v.num('cpu.targetAverageUtilization', 80), behavior: v.get('autoscaleBehavior') }));
  }
  const replicas = v.num('replicaCount', 1);
  if (g.bool('global.defaultPodDisruptionBudget.enabled', true) && ((autoscale && min > 1) || (!autoscale && replicas > 1))) {
    out.push(pdb({ name: gw.name, namespace: ns, labels, selector }));
  }
  return out;
}
