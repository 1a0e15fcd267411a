/** The CNI node agent: a DaemonSet on every node that sets up traffic redirection for pods. */
import type { JsonObject } from '../../model/install.js';
import type { KubeObject } from '../../model/k8s.js';
import type { RenderContext } from '../context.js';
import { compact } from '../values.js';
import { emitDocument } from '../yaml.js';
import { fieldRef, resourceRequirements, rule, serviceAccount } from './shared.js';

export const CNI_NAME = 'istio-cni-node';

export function renderCni(ctx: RenderContext): KubeObject[] {
  const cni = ctx.component('cni');
  if (!cni.enabled) return [];
  const v = ctx.values;
  const ns = cni.namespace;
  // As Istio's istio-cni chart: `app: istio-cni` on RBAC and config, `k8s-app: istio-cni-node` on
  // the DaemonSet (its selector) and the service account.
  const labels = ctx.labels('Cni', { app: 'istio-cni' });
  const ambient = v.bool('cni.ambient.enabled');
  const shareHostNet = ambient && v.bool('cni.ambient.shareHostNetworkNamespace');
  const openshift = (v.str('cni.platform') || v.str('global.platform')) === 'openshift';
  const scope = v.str('global.resourceScope', 'all');
  const clusterScoped = scope === 'all' || scope === 'cluster';
  const namespaceScoped = scope === 'all' || scope === 'namespace';
  const repairPods = v.bool('cni.repair.repairPods', true);
  const out: KubeObject[] = [];
  const roleRef = (name: string): JsonObject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
  const subjects = [{ kind: 'ServiceAccount', name: 'istio-cni', namespace: ns }];
  const repairLabels = ctx.labels('Cni', { 'k8s-app': 'istio-cni-repair' });

  if (namespaceScoped) {
    const pullSecrets = v.list('global.imagePullSecrets');
    const account = serviceAccount({ name: 'istio-cni', namespace: ns, labels });
    out.push(pullSecrets.length > 0 ? { ...account, imagePullSecrets: pullSecrets.map((name) => ({ name })) } : account);
  }
  if (clusterScoped) {
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'istio-cni', labels },
      rules: [
        rule([''], ['pods', 'nodes', 'namespaces'], ['get', 'list', 'watch']),
        ...(openshift
          ? [{ apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: ['privileged'], verbs: ['use'] }]
          : []),
      ],
    });
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'istio-cni', labels },
      roleRef: roleRef('istio-cni'),
      subjects,
    });
    if (v.bool('cni.repair.enabled', true)) {
      out.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'istio-cni-repair-role', labels },
        rules: [
          rule([''], ['events'], ['create', 'patch']),
          rule([''], ['pods'], ['watch', 'get', 'list']),
          // Repairing in place needs nothing more; deleting or labelling broken pods does.
          ...(repairPods
            ? []
            : v.bool('cni.repair.deletePods')
              ? [rule([''], ['pods'], ['delete'])]
              : v.bool('cni.repair.labelPods')
                ? [rule([''], ['pods/status'], ['patch', 'update'])]
                : []),
        ],
      });
      out.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'istio-cni-repair-rolebinding', labels: repairLabels },
        roleRef: roleRef('istio-cni-repair-role'),
        subjects,
      });
    }
    if (ambient) {
      out.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'istio-cni-ambient', labels },
        rules: [
          rule([''], ['pods/status'], ['patch', 'update']),
          { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: [CNI_NAME], verbs: ['get'] },
        ],
      });
      out.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'istio-cni-ambient', labels: repairLabels },
        roleRef: roleRef('istio-cni-ambient'),
        subjects,
      });
    }
  }
  if (!namespaceScoped) return out;
  const ownedConfig = v.bool('cni.istioOwnedCNIConfig');
  const config: Record<string, string> = {
    CURRENT_AGENT_VERSION: v.str('cni.tag') || v.str('global.tag'),
    AMBIENT_ENABLED: String(ambient),
    AMBIENT_ENABLEMENT_SELECTOR: emitDocument(v.get('cni.ambient.enablementSelectors') ?? DEFAULT_ENABLEMENT_SELECTORS).replace(/\n$/, ''),
    AMBIENT_DNS_CAPTURE: String(v.bool('cni.ambient.dnsCapture', true)),
    AMBIENT_IPV6: String(v.bool('cni.ambient.ipv6', true)),
    AMBIENT_RECONCILE_POD_RULES_ON_STARTUP: String(v.bool('cni.ambient.reconcileIptablesOnStartup', true)),
    ENABLE_AMBIENT_DETECTION_RETRY: String(v.bool('cni.ambient.enableAmbientDetectionRetry')),
    ...(v.str('cni.cniConfFileName') !== '' ? { CNI_CONF_NAME: v.str('cni.cniConfFileName') } : {}),
    ISTIO_OWNED_CNI_CONFIG: String(ownedConfig),
    ...(ownedConfig ? { ISTIO_OWNED_CNI_CONF_FILENAME: v.str('cni.istioOwnedCNIConfigFileName') } : {}),
    CHAINED_CNI_PLUGIN: String(v.bool('cni.chained', true)),
    EXCLUDE_NAMESPACES: v.list('cni.excludeNamespaces').map(String).join(','),
    REPAIR_ENABLED: String(v.bool('cni.repair.enabled', true)),
    REPAIR_LABEL_PODS: String(v.bool('cni.repair.labelPods')),
    REPAIR_DELETE_PODS: String(v.bool('cni.repair.deletePods')),
    REPAIR_REPAIR_PODS: String(repairPods),
    REPAIR_INIT_CONTAINER_NAME: v.str('cni.repair.initContainerName', 'istio-validation'),
    REPAIR_BROKEN_POD_LABEL_KEY: v.str('cni.repair.brokenPodLabelKey', 'cni.istio.io/uninitialized'),
    REPAIR_BROKEN_POD_LABEL_VALUE: v.str('cni.repair.brokenPodLabelValue', 'true'),
    NATIVE_NFTABLES: String(v.bool('global.nativeNftables')),
  };
  for (const [k, x] of Object.entries(v.obj('cni.env')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) config[k] = String(x);
  out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-cni-config', namespace: ns, labels }, data: config });
  if (v.bool('cni.resourceQuotas.enabled')) {
    out.push({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'istio-cni-resource-quota', namespace: ns, labels },
      spec: {
        hard: { pods: String(v.num('cni.resourceQuotas.pods', 5000)) },
        scopeSelector: { matchExpressions: [{ operator: 'In', scopeName: 'PriorityClass', values: ['system-node-critical'] }] },
      },
    });
  }
  const selector = { 'k8s-app': CNI_NAME };
  const appArmorAnnotation = v.bool('cni.useAppArmorAnnotation', true);
  const logLevel = v.str('cni.logging.level') || v.str('global.logging.level');
  const resources = v.obj('cni.resources');
  const seLinux = v.obj('cni.seLinuxOptions');
  const seccomp = v.obj('cni.seccompProfile');
  const tag =
    (v.str('cni.tag') || v.str('global.tag')) + (v.str('cni.variant') || v.str('global.variant') ? `-${v.str('cni.variant') || v.str('global.variant')}` : '');
  const image = v.str('cni.image', 'install-cni');
  out.push({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: CNI_NAME, namespace: ns, labels: { ...ctx.labels('Cni', selector), ...v.strMap('cni.daemonSetLabels') } },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: v.get('cni.updateStrategy') ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: v.get('cni.rollingMaxUnavailable') ?? 1 } },
      template: {
        metadata: {
          labels: { ...selector, 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none', ...v.strMap('cni.podLabels') },
          annotations: {
            'sidecar.istio.io/inject': 'false',
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': '15014',
            'prometheus.io/path': '/metrics',
            ...(appArmorAnnotation ? { 'container.apparmor.security.beta.kubernetes.io/install-cni': 'unconfined' } : {}),
            ...v.strMap('cni.podAnnotations'),
          },
        },
        spec: compact({
          hostNetwork: shareHostNet ? true : undefined,
          dnsPolicy: shareHostNet ? 'ClusterFirstWithHostNet' : undefined,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          affinity: v.obj('cni.affinity'),
          tolerations: v.get('cni.tolerations') !== undefined && v.list('cni.tolerations').length > 0 ? v.list('cni.tolerations') : DEFAULT_TOLERATIONS,
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'istio-cni',
          terminationGracePeriodSeconds: v.num('cni.terminationGracePeriodSeconds', 30),
          containers: [
            compact({
              name: 'install-cni',
              image: image.includes('/')
                ? image
                : `${cni.spec.hub || v.str('cni.hub') || v.str('global.hub')}/${image}:${cni.spec.tag !== undefined ? String(cni.spec.tag) : tag}`,
              imagePullPolicy: v.str('cni.pullPolicy') || v.str('global.imagePullPolicy') || undefined,
              ports: [{ containerPort: 15014, name: 'metrics', protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/readyz', port: 8000 } },
              securityContext: {
                ...(appArmorAnnotation ? {} : { appArmorProfile: { type: 'Unconfined' } }),
                privileged: false,
                runAsGroup: 0,
                runAsUser: 0,
                runAsNonRoot: false,
                capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW', 'SYS_PTRACE', 'SYS_ADMIN', 'DAC_OVERRIDE'] },
                ...(Object.keys(seLinux).length > 0 ? { seLinuxOptions: { ...seLinux, type: 'spc_t' } } : {}),
                ...(Object.keys(seccomp).length > 0 ? { seccompProfile: seccomp } : {}),
              },
              command: ['install-cni'],
              args: [...(logLevel !== '' ? [`--log_output_level=${logLevel}`] : []), ...(v.bool('global.logAsJson') ? ['--log_as_json'] : [])],
              envFrom: [{ configMapRef: { name: 'istio-cni-config' } }],
              env: [
                { name: 'REPAIR_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'REPAIR_RUN_AS_DAEMON', value: 'true' },
                { name: 'REPAIR_SIDECAR_ANNOTATION', value: 'sidecar.istio.io/status' },
                ...(shareHostNet ? [] : [{ name: 'ALLOW_SWITCH_TO_HOST_NS', value: 'true' }]),
                fieldRef('NODE_NAME', 'spec.nodeName'),
                { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } } },
                { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                ...Object.entries(v.obj('cni.env'))
                  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
                  .map(([name, value]) => ({ name, value: String(value) })),
              ],
              volumeMounts: [
                { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
                ...(repairPods || ambient ? [{ mountPath: '/host/proc', name: 'cni-host-procfs', readOnly: true }] : []),
                { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
                { mountPath: '/var/run/istio-cni', name: 'cni-socket-dir' },
                ...(ambient
                  ? [
                      { mountPath: '/host/var/run/netns', mountPropagation: 'HostToContainer', name: 'cni-netns-dir' },
                      { mountPath: '/var/run/ztunnel', name: 'cni-ztunnel-sock-dir' },
                    ]
                  : []),
              ],
              resources: resourceRequirements(Object.keys(resources).length > 0 ? resources : v.obj('global.defaultResources')),
            }),
          ],
          volumes: [
            { name: 'cni-bin-dir', hostPath: { path: v.str('cni.cniBinDir', '/opt/cni/bin') } },
            ...(repairPods || ambient ? [{ name: 'cni-host-procfs', hostPath: { path: '/proc', type: 'Directory' } }] : []),
            ...(ambient ? [{ name: 'cni-ztunnel-sock-dir', hostPath: { path: '/var/run/ztunnel', type: 'DirectoryOrCreate' } }] : []),
            { name: 'cni-net-dir', hostPath: { path: v.str('cni.cniConfDir', '/etc/cni/net.d') } },
            { name: 'cni-socket-dir', hostPath: { path: '/var/run/istio-cni' } },
            { name: 'cni-netns-dir', hostPath: { path: v.str('cni.cniNetnsDir', '/var/run/netns'), type: 'DirectoryOrCreate' } },
          ],
        }),
      },
    },
  });
  if (v.str('cni.provider', 'default') === 'multus') {
    out.push({
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: 'istio-cni', namespace: 'default', labels: ctx.labels('Cni') },
    });
  }
  return out;
}

const DEFAULT_ENABLEMENT_SELECTORS = [
  { podSelector: { matchLabels: { 'istio.io/dataplane-mode': 'ambient' } } },
  {
    podSelector: { matchExpressions: [{ key: 'istio.io/dataplane-mode', operator: 'NotIn', values: ['none'] }] },
    namespaceSelector: { matchLabels: { 'istio.io/dataplane-mode': 'ambient' } },
  },
];

const DEFAULT_TOLERATIONS = [
  { effect: 'NoSchedule', operator: 'Exists' },
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  { effect: 'NoExecute', operator: 'Exists' },
];
