/** The CNI node agent: a DaemonSet on every node that sets up traffic redirection for pods. */
import type { JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';
import type { RenderContext } from '../context.js';
import { compact } from '../values.js';
import { fieldRef, rule, serviceAccount } from './shared.js';

export const CNI_NAME = 'istio-cni-node';

export function renderCni(ctx: RenderContext): KubeObject[] {
  const cni = ctx.component('cni');
  if (!cni.enabled) return [];
  const v = ctx.values;
  const ns = cni.namespace;
  const labels = ctx.labels('Cni', { app: 'istio-cni-node', 'k8s-app': 'istio-cni-node' });
  const ambient = v.bool('cni.ambient.enabled');
  const out: KubeObject[] = [];
  const roleRef = (name: string): JsonObject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
  const subjects = [{ kind: 'ServiceAccount', name: 'istio-cni', namespace: ns }];

  out.push(serviceAccount({ name: 'istio-cni', namespace: ns, labels }));
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'istio-cni', labels },
    rules: [rule([''], ['pods', 'nodes', 'namespaces'], ['get', 'list', 'watch']), ...(ambient ? [rule(['discovery.k8s.io'], ['endpointslices'], ['get', 'list', 'watch'])] : [])],
  });
  out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'istio-cni', labels }, roleRef: roleRef('istio-cni'), subjects });
  if (v.bool('cni.repair.enabled', true)) {
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'istio-cni-repair-role', labels },
      rules: [rule([''], ['pods'], ['watch', 'get', 'list', 'delete', 'patch', 'update']), rule([''], ['events'], ['create', 'patch'])],
    });
    out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'istio-cni-repair-rolebinding', labels }, roleRef: roleRef('istio-cni-repair-role'), subjects });
  }
  if (ambient) {
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'istio-cni-ambient', labels },
      rules: [rule([''], ['pods/status'], ['patch', 'update'])],
    });
    out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'istio-cni-ambient', labels }, roleRef: roleRef('istio-cni-ambient'), subjects });
  }
  const config: Record<string, string> = {
    CURRENT_AGENT_VERSION: String(v.str('global.tag')),
    AMBIENT_ENABLED: String(ambient),
    AMBIENT_DNS_CAPTURE: String(v.bool('cni.ambient.dnsCapture', true)),
    AMBIENT_IPV6: String(v.bool('cni.ambient.ipv6', true)),
    AMBIENT_RECONCILE_POD_RULES_ON_STARTUP: String(v.bool('cni.ambient.reconcileIptablesOnStartup')),
    CHAINED_CNI_PLUGIN: String(v.bool('cni.chained', true)),
    CNI_NET_DIR: v.str('cni.cniConfDir', '/etc/cni/net.d'),
    EXCLUDE_NAMESPACES: v.list('cni.excludeNamespaces').map(String).join(','),
    REPAIR_ENABLED: String(v.bool('cni.repair.enabled', true)),
    REPAIR_LABEL_PODS: String(v.bool('cni.repair.labelPods')),
    REPAIR_DELETE_PODS: String(v.bool('cni.repair.deletePods')),
    REPAIR_REPAIR_PODS: String(v.bool('cni.repair.repairPods', true)),
    REPAIR_INIT_CONTAINER_NAME: v.str('cni.repair.initContainerName', 'istio-validation'),
    REPAIR_BROKEN_POD_LABEL_KEY: v.str('cni.repair.brokenPodLabelKey', 'cni.istio.io/uninitialized'),
    REPAIR_BROKEN_POD_LABEL_VALUE: v.str('cni.repair.brokenPodLabelValue', 'true'),
    LOG_LEVEL: v.str('cni.logging.level', 'info'),
  };
  if (v.str('cni.cniConfFileName') !== '') config['CNI_CONF_NAME'] = v.str('cni.cniConfFileName');
  out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-cni-config', namespace: ns, labels }, data: config });
  if (v.bool('cni.resourceQuotas.enabled')) {
    out.push({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'istio-cni-resource-quota', namespace: ns, labels },
      spec: { hard: { pods: String(v.num('cni.resourceQuotas.pods', 5000)) }, scopeSelector: { matchExpressions: [{ operator: 'In', scopeName: 'PriorityClass', values: ['system-node-critical'] }] } },
    });
  }
  const selector = { 'k8s-app': 'istio-cni-node' };
  out.push({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: CNI_NAME, namespace: ns, labels: { ...labels, ...v.strMap('cni.daemonSetLabels') } },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: v.get('cni.rollingMaxUnavailable') ?? 1 } },
      template: {
        metadata: {
          labels: { ...selector, 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none', 'operator.istio.io/component': 'Cni', ...v.strMap('cni.podLabels') },
          annotations: { 'sidecar.istio.io/inject': 'false', 'prometheus.io/port': '15014', 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics', ...v.strMap('cni.podAnnotations') },
        },
        spec: compact({
          nodeSelector: { 'kubernetes.io/os': 'linux', ...v.strMap('cni.nodeSelector') },
          tolerations: [{ effect: 'NoSchedule', operator: 'Exists' }, { key: 'CriticalAddonsOnly', operator: 'Exists' }, { effect: 'NoExecute', operator: 'Exists' }],
          affinity: v.obj('cni.affinity'),
          priorityClassName: v.str('cni.priorityClassName') || 'system-node-critical',
          serviceAccountName: 'istio-cni',
          terminationGracePeriodSeconds: 5,
          hostNetwork: ambient ? undefined : true,
          containers: [
            compact({
              name: 'install-cni',
              image: ctx.image({ component: cni.spec, valuesPrefix: 'cni', name: 'install-cni' }),
              imagePullPolicy: v.str('cni.pullPolicy') || v.str('global.imagePullPolicy') || undefined,
              ports: [{ containerPort: 15014, name: 'metrics', protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/readyz', port: 8000 } },
              securityContext: {
                privileged: v.bool('cni.privileged'),
                runAsGroup: 0,
                runAsUser: 0,
                runAsNonRoot: false,
                capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', ...(ambient ? ['SYS_PTRACE'] : [])] },
                ...(v.get('cni.seLinuxOptions') !== undefined ? { seLinuxOptions: v.get('cni.seLinuxOptions') } : {}),
                ...(v.get('cni.seccompProfile') !== undefined ? { seccompProfile: v.get('cni.seccompProfile') } : {}),
              },
              command: ['install-cni'],
              args: [`--log_output_level=${v.str('cni.logging.level', 'info')}`],
              envFrom: [{ configMapRef: { name: 'istio-cni-config' } }],
              env: [
                { name: 'REPAIR_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'REPAIR_RUN_AS_DAEMON', value: 'true' },
                { name: 'REPAIR_SIDECAR_ANNOTATION', value: 'sidecar.istio.io/status' },
                ...(ambient ? [{ name: 'ALLOW_SWITCH_TO_HOST_NS', value: 'true' }] : []),
                fieldRef('NODE_NAME', 'spec.nodeName'),
                { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
                { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
                fieldRef('POD_NAME', 'metadata.name'),
                fieldRef('POD_NAMESPACE', 'metadata.namespace'),
                ...Object.entries(v.obj('cni.env'))
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([name, value]) => ({ name, value: String(value) })),
              ],
              volumeMounts: [
                { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
                { mountPath: '/host/proc', name: 'cni-host-procfs', readOnly: true },
                { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
                { mountPath: '/var/run/istio-cni', name: 'cni-socket-dir' },
                ...(ambient
                  ? [
                      { mountPath: '/host/var/run/netns', mountPropagation: 'HostToContainer', name: 'cni-netns-dir' },
                      { mountPath: '/etc/ambient-config', name: 'cni-ambient-dir' },
                    ]
                  : []),
                { mountPath: '/var/run/secrets/tokens', name: 'istio-token', readOnly: true },
              ],
              resources: v.obj('cni.resources'),
            }),
          ],
          volumes: [
            { name: 'cni-bin-dir', hostPath: { path: v.str('cni.cniBinDir', '/opt/cni/bin') } },
            { name: 'cni-host-procfs', hostPath: { path: '/proc', type: 'Directory' } },
            { name: 'cni-net-dir', hostPath: { path: v.str('cni.cniConfDir', '/etc/cni/net.d') } },
            { name: 'cni-socket-dir', hostPath: { path: '/var/run/istio-cni' } },
            ...(ambient
              ? [
                  { name: 'cni-netns-dir', hostPath: { path: v.str('cni.cniNetnsDir', '/var/run/netns'), type: 'DirectoryOrCreate' } },
                  { name: 'cni-ambient-dir', hostPath: { path: '/etc/ambient-config', type: 'DirectoryOrCreate' } },
                ]
              : []),
            { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { audience: v.str('global.sds.token.aud', 'istio-ca'), expirationSeconds: 43200, path: 'istio-token' } }] } },
          ],
        }),
      },
    },
  });
  return out;
}
