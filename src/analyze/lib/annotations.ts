/**
 * Istio's resource annotations (data), after the istio/api annotation reference as of Istio 1.31: the
 * kinds each applies to, its feature status, whether it is deprecated (and what replaces it), and for
 * the few whose values Istio's injector validates, the kind of value. `annotations.K8sAnalyzer` reads
 * it (IST0107 misplaced, IST0108 unknown, IST0125 invalid value, IST0135 deprecated).
 *
 * Keep entries sorted by name. An annotation in an Istio domain missing here is reported as unknown,
 * so adding one that Istio really supports is always safe; entries Istio has dropped stay (marked
 * deprecated) rather than turning objects written for older releases into "unknown" warnings.
 */

/** Resource kinds as istio/api names them; `Any` means every kind. */
export type AnnotationTarget =
  | 'Any'
  | 'AuthorizationPolicy'
  | 'BackendTLSPolicy'
  | 'Gateway'
  | 'GatewayClass'
  | 'Namespace'
  | 'Pod'
  | 'Service'
  | 'ServiceEntry'
  | 'WorkloadEntry'
  | 'XBackendTrafficPolicy';

/** Value syntaxes that the sidecar injector checks (an invalid value fails injection). */
export type AnnotationValue =
  /** Go's strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False. */
  | 'bool'
  /** A non-negative integer that fits in 32 bits. */
  | 'uint32'
  /** One port number, 0–65535. */
  | 'port'
  /** Comma-separated port numbers (may be empty). */
  | 'ports'
  /** `*`, or comma-separated port numbers. */
  | 'ports-or-star'
  /** Comma-separated CIDR ranges (may be empty). */
  | 'cidrs'
  /** `*`, or comma-separated CIDR ranges. */
  | 'cidrs-or-star'
  /** REDIRECT, TPROXY or NONE. */
  | 'interception-mode'
  /** A ProxyConfig as YAML (or JSON). */
  | 'proxy-config';

export interface IstioAnnotation {
  name: string;
  resources: readonly AnnotationTarget[];
  status: 'Alpha' | 'Beta' | 'Stable';
  /** Set when deprecated; `instead` names the replacement ("… deprecated in favor of <instead>"). */
  deprecated?: { instead?: string };
  value?: AnnotationValue;
}

const POD: readonly AnnotationTarget[] = ['Pod'];

export const ISTIO_ANNOTATIONS: readonly IstioAnnotation[] = [
  { name: 'alpha.istio.io/canonical-serviceaccounts', resources: ['Service'], status: 'Alpha', deprecated: {} },
  { name: 'alpha.istio.io/identity', resources: POD, status: 'Alpha', deprecated: {} },
  { name: 'alpha.istio.io/kubernetes-serviceaccounts', resources: ['Service'], status: 'Alpha', deprecated: {} },
  { name: 'ambient.istio.io/bypass-inbound-capture', resources: POD, status: 'Alpha' },
  { name: 'ambient.istio.io/dns-capture', resources: POD, status: 'Alpha' },
  { name: 'ambient.istio.io/redirection', resources: POD, status: 'Beta' },
  { name: 'ambient.istio.io/waypoint-inbound-binding', resources: ['GatewayClass', 'Gateway'], status: 'Alpha' },
  { name: 'ambient.istio.io/xfcc-include-client-identity', resources: ['Gateway', 'GatewayClass'], status: 'Alpha' },
  { name: 'galley.istio.io/analyze-suppress', resources: ['Any'], status: 'Alpha' },
  { name: 'gateway.istio.io/controller-version', resources: ['Any'], status: 'Alpha' },
  { name: 'gateway.istio.io/name-override', resources: ['Gateway'], status: 'Alpha' },
  { name: 'gateway.istio.io/service-account', resources: ['Gateway'], status: 'Alpha' },
  { name: 'inject.istio.io/templates', resources: POD, status: 'Alpha' },
  // Written by the IstioOperator-based installer of older releases; kept so such objects stay quiet.
  { name: 'install.operator.istio.io/chart-owner', resources: ['Any'], status: 'Alpha' },
  { name: 'install.operator.istio.io/owner-generation', resources: ['Any'], status: 'Alpha' },
  { name: 'install.operator.istio.io/version', resources: ['Any'], status: 'Alpha' },
  { name: 'istio.io/autoRegistrationGroup', resources: ['WorkloadEntry'], status: 'Alpha' },
  { name: 'istio.io/connect-strategy', resources: ['ServiceEntry'], status: 'Alpha' },
  { name: 'istio.io/connectedAt', resources: ['WorkloadEntry'], status: 'Alpha' },
  { name: 'istio.io/disconnectedAt', resources: ['WorkloadEntry'], status: 'Alpha' },
  { name: 'istio.io/dry-run', resources: ['AuthorizationPolicy'], status: 'Alpha' },
  { name: 'istio.io/ignore-policy-attachment', resources: ['BackendTLSPolicy', 'XBackendTrafficPolicy'], status: 'Alpha' },
  { name: 'istio.io/reroute-virtual-interfaces', resources: POD, status: 'Alpha' },
  { name: 'istio.io/rev', resources: POD, status: 'Alpha' },
  { name: 'istio.io/use-waypoint-canary-weight', resources: ['Namespace', 'Service', 'ServiceEntry'], status: 'Alpha' },
  { name: 'istio.io/workloadController', resources: ['WorkloadEntry'], status: 'Alpha' },
  { name: 'networking.istio.io/exportTo', resources: ['Service'], status: 'Alpha' },
  { name: 'networking.istio.io/service-type', resources: ['Gateway'], status: 'Alpha' },
  { name: 'networking.istio.io/traffic-distribution', resources: ['Namespace', 'Service', 'ServiceEntry'], status: 'Alpha' },
  { name: 'prometheus.istio.io/merge-metrics', resources: POD, status: 'Alpha', value: 'bool' },
  { name: 'prometheus.istio.io/scrape-targets', resources: POD, status: 'Alpha' },
  { name: 'proxy.istio.io/config', resources: POD, status: 'Beta', value: 'proxy-config' },
  { name: 'proxy.istio.io/overrides', resources: POD, status: 'Alpha' },
  { name: 'readiness.status.sidecar.istio.io/applicationPorts', resources: POD, status: 'Alpha' },
  { name: 'readiness.status.sidecar.istio.io/failureThreshold', resources: POD, status: 'Alpha', value: 'uint32' },
  { name: 'readiness.status.sidecar.istio.io/initialDelaySeconds', resources: POD, status: 'Alpha', value: 'uint32' },
  { name: 'readiness.status.sidecar.istio.io/periodSeconds', resources: POD, status: 'Alpha', value: 'uint32' },
  { name: 'sidecar.istio.io/agentLogLevel', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/bootstrapOverride', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/componentLogLevel', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/controlPlaneAuthPolicy', resources: POD, status: 'Alpha', deprecated: {} },
  { name: 'sidecar.istio.io/discoveryAddress', resources: POD, status: 'Alpha', deprecated: {} },
  { name: 'sidecar.istio.io/enableCoreDump', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/extraStatTags', resources: POD, status: 'Alpha', deprecated: {} },
  { name: 'sidecar.istio.io/inject', resources: POD, status: 'Beta', deprecated: { instead: 'the "sidecar.istio.io/inject" label' } },
  { name: 'sidecar.istio.io/interceptionMode', resources: POD, status: 'Alpha', value: 'interception-mode' },
  { name: 'sidecar.istio.io/logLevel', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/nativeSidecar', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/proxyCPU', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/proxyCPULimit', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/proxyImage', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/proxyImageType', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/proxyMemory', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/proxyMemoryLimit', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/rewriteAppHTTPProbers', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/statsCompression', resources: POD, status: 'Alpha', deprecated: { instead: 'the statsCompression field of ProxyConfig' } },
  { name: 'sidecar.istio.io/statsEvictionInterval', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/statsFlushInterval', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/statsHistogramBuckets', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/statsInclusionPrefixes', resources: POD, status: 'Alpha', deprecated: {} },
  { name: 'sidecar.istio.io/statsInclusionRegexps', resources: POD, status: 'Alpha', deprecated: {} },
  { name: 'sidecar.istio.io/statsInclusionSuffixes', resources: POD, status: 'Alpha', deprecated: {} },
  { name: 'sidecar.istio.io/status', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/userVolume', resources: POD, status: 'Alpha' },
  { name: 'sidecar.istio.io/userVolumeMount', resources: POD, status: 'Alpha' },
  { name: 'status.sidecar.istio.io/port', resources: POD, status: 'Alpha', value: 'port' },
  { name: 'topology.istio.io/controlPlaneClusters', resources: ['Namespace'], status: 'Alpha' },
  { name: 'traffic.istio.io/nodeSelector', resources: ['Service'], status: 'Stable' },
  { name: 'traffic.sidecar.istio.io/excludeInboundPorts', resources: POD, status: 'Alpha', value: 'ports' },
  { name: 'traffic.sidecar.istio.io/excludeInterfaces', resources: POD, status: 'Alpha' },
  { name: 'traffic.sidecar.istio.io/excludeOutboundIPRanges', resources: POD, status: 'Alpha', value: 'cidrs' },
  { name: 'traffic.sidecar.istio.io/excludeOutboundPorts', resources: POD, status: 'Alpha', value: 'ports' },
  { name: 'traffic.sidecar.istio.io/includeInboundPorts', resources: POD, status: 'Alpha', value: 'ports-or-star' },
  { name: 'traffic.sidecar.istio.io/includeOutboundIPRanges', resources: POD, status: 'Alpha', value: 'cidrs-or-star' },
  { name: 'traffic.sidecar.istio.io/includeOutboundPorts', resources: POD, status: 'Alpha' },
  {
    name: 'traffic.sidecar.istio.io/kubevirtInterfaces',
    resources: POD,
    status: 'Alpha',
    // Replaced by istio.io/reroute-virtual-interfaces, but istioctl's message names no replacement.
    deprecated: {},
  },
];

const BY_NAME = new Map(ISTIO_ANNOTATIONS.map((a) => [a.name, a]));

export function istioAnnotation(name: string): IstioAnnotation | undefined {
  return BY_NAME.get(name);
}

/** Whether an annotation key is in an Istio domain (`istio.io` or a subdomain of it) and so Istio's to define. */
export function inIstioDomain(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const domain = key.slice(0, slash);
  return domain === 'istio.io' || domain.endsWith('.istio.io');
}
