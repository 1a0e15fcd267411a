/** ztunnel: the ambient mode node proxy, a DaemonSet. */
import type { KubeObject } from '../../model/k8s.js';
import type { RenderContext } from '../context.js';
import { compact } from '../values.js';
import { byteOrder, serviceAccount } from './shared.js';

export function renderZtunnel(ctx: RenderContext): KubeObject[] {
  const z = ctx.component('ztunnel');
  if (!z.enabled) return [];
  const v = ctx.values;
  const ns = z.namespace;
  const name = v.str('ztunnel.resourceName', 'ztunnel');
  const labels = ctx.labels('Ztunnel', { ...v.strMap('ztunnel.labels') });
  const resources = v.obj('ztunnel.resources');
  const limits = (resources['limits'] ?? {}) as Record<string, unknown>;
  const requests = (resources['requests'] ?? {}) as Record<string, unknown>;
  const cpuRef = (envName: string, resource: string) => ({ name: envName, valueFrom: { resourceFieldRef: { resource, divisor: '1' } } });
  const field = (envName: string, fieldPath: string) => ({ name: envName, valueFrom: { fieldRef: { fieldPath } } });
  const openshift = (v.str('ztunnel.platform') || v.str('global.platform')) === 'openshift';
  const rbacLabels = ctx.labels('Ztunnel', { app: 'ztunnel' });
  // The chart annotates its objects with the revision they belong to.
  const annotations = { ...v.strMap('ztunnel.annotations'), ...(ctx.revision !== '' ? { 'istio.io/rev': ctx.revision } : {}) };
  const withAnnotations = Object.keys(annotations).length > 0 ? { annotations } : {};
  const caAddress = v.str('ztunnel.caAddress') || `${ctx.istiodName}.${ctx.namespace}.svc:15012`;
  const xdsAddress = v.str('ztunnel.xdsAddress') || `${ctx.istiodName}.${ctx.namespace}.svc:15012`;
  return [
    serviceAccount({ name, namespace: ns, labels, annotations }),
    ...(openshift
      ? [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            metadata: { name, labels: rbacLabels, ...withAnnotations },
            rules: [{ apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: ['privileged'], verbs: ['use'] }],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name, labels: rbacLabels, ...withAnnotations },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
            subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
          },
        ]
      : []),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: ns, labels, ...withAnnotations },
      spec: {
        updateStrategy: v.get('ztunnel.updateStrategy') ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: { app: 'ztunnel' } },
        template: {
          metadata: {
            labels: { app: 'ztunnel', 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none', ...v.strMap('ztunnel.podLabels') },
            annotations: {
              'sidecar.istio.io/inject': 'false',
              ...(ctx.revision !== '' ? { 'istio.io/rev': ctx.revision } : {}),
              'prometheus.io/port': '15020',
              'prometheus.io/scrape': 'true',
              ...v.strMap('ztunnel.podAnnotations'),
            },
          },
          spec: compact({
            nodeSelector: { 'kubernetes.io/os': 'linux', ...v.strMap('ztunnel.nodeSelector') },
            serviceAccountName: name,
            tolerations: [
              { effect: 'NoSchedule', operator: 'Exists' },
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { effect: 'NoExecute', operator: 'Exists' },
              ...v.list('ztunnel.tolerations'),
            ],
            affinity: v.obj('ztunnel.affinity'),
            priorityClassName: v.str('ztunnel.priorityClassName') || 'system-node-critical',
            terminationGracePeriodSeconds: v.num('ztunnel.terminationGracePeriodSeconds', 30),
            imagePullSecrets: v.list('ztunnel.imagePullSecrets').map((n) => ({ name: n })),
            containers: [
              compact({
                name: 'istio-proxy',
                image: ctx.image({ component: z.spec, valuesPrefix: 'ztunnel', name: 'ztunnel' }),
                imagePullPolicy: v.str('ztunnel.imagePullPolicy') || v.str('global.imagePullPolicy') || undefined,
                ports: [{ containerPort: 15020, name: 'ztunnel-stats', protocol: 'TCP' }],
                resources,
                securityContext: {
                  allowPrivilegeEscalation: true,
                  privileged: false,
                  capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'SYS_ADMIN', 'NET_RAW'] },
                  readOnlyRootFilesystem: true,
                  runAsGroup: 1337,
                  runAsNonRoot: false,
                  runAsUser: 0,
                  ...((v.get('ztunnel.seLinuxOptions') ?? v.get('ztunnel.SELinuxOptions'))
                    ? { seLinuxOptions: v.get('ztunnel.seLinuxOptions') ?? v.get('ztunnel.SELinuxOptions') ?? null }
                    : {}),
                },
                readinessProbe: { httpGet: { port: 15021, path: '/healthz/ready' } },
                args: ['proxy', 'ztunnel'],
                env: [
                  { name: 'CA_ADDRESS', value: caAddress },
                  { name: 'XDS_ADDRESS', value: xdsAddress },
                  ...(v.bool('ztunnel.logAsJson') ? [{ name: 'LOG_FORMAT', value: 'json' }] : []),
                  ...(v.str('ztunnel.network') || v.str('global.network')
                    ? [{ name: 'NETWORK', value: v.str('ztunnel.network') || v.str('global.network') }]
                    : []),
                  { name: 'RUST_LOG', value: v.str('ztunnel.logLevel', 'info') },
                  { name: 'RUST_BACKTRACE', value: '1' },
                  { name: 'ISTIO_META_CLUSTER_ID', value: v.str('global.multiCluster.clusterName') || 'Kubernetes' },
                  { name: 'INPOD_ENABLED', value: 'true' },
                  { name: 'TERMINATION_GRACE_PERIOD_SECONDS', value: String(v.num('ztunnel.terminationGracePeriodSeconds', 30)) },
                  field('POD_NAME', 'metadata.name'),
                  field('POD_NAMESPACE', 'metadata.namespace'),
                  field('NODE_NAME', 'spec.nodeName'),
                  field('INSTANCE_IP', 'status.podIP'),
                  field('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
                  ...Object.entries(v.obj('meshConfig.defaultConfig.proxyMetadata'))
                    .sort(([a], [b]) => byteOrder(a, b))
                    .map(([n, value]) => ({ name: n, value: String(value) })),
                  cpuRef('ZTUNNEL_CPU_LIMIT', 'limits.cpu'),
                  ...(limits['cpu'] ? [cpuRef('ZTUNNEL_RESOURCE_CPU_LIMIT', 'limits.cpu')] : []),
                  ...(requests['cpu'] ? [cpuRef('ZTUNNEL_RESOURCE_CPU_REQUEST', 'requests.cpu')] : []),
                  ...Object.entries(v.obj('ztunnel.env'))
                    .sort(([a], [b]) => byteOrder(a, b))
                    .map(([n, value]) => ({ name: n, value: String(value) })),
                ],
                volumeMounts: [
                  { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
                  { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
                  { mountPath: '/var/run/ztunnel', name: 'cni-ztunnel-sock-dir' },
                  { mountPath: '/tmp', name: 'tmp' },
                ],
              }),
            ],
            volumes: [
              {
                name: 'istio-token',
                projected: { sources: [{ serviceAccountToken: { path: 'istio-token', expirationSeconds: 43200, audience: 'istio-ca' } }] },
              },
              { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } },
              { name: 'cni-ztunnel-sock-dir', hostPath: { path: '/var/run/ztunnel', type: 'DirectoryOrCreate' } },
              { name: 'tmp', emptyDir: {} },
            ],
          }),
        },
      },
    },
  ];
}
