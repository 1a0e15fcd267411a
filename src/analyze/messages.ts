/**
 * The message catalog: every code mesh analyze can report, with Istio's codes, names and levels, so
 * documentation and suppressions written for istioctl carry over. This file is data only.
 *
 * - Keep entries in code order. IST0000–IST0100 are reserved.
 * - Retired codes stay retired and are never reused: IST0104, IST0105, IST0113, IST0114, IST0115,
 *   IST0117, IST0119, IST0120, IST0121, IST0122 (and IST0124 was never used).
 * - Templates are istioctl's text byte for byte (its typos too: IST0151 "INSERT_FIRST of ADD", IST0155
 *   "NSTERT_BEFORE"), so scripts that grep istioctl's output keep working; the parity test checks it.
 * - Templates use named placeholders `{name}`; every placeholder must be listed in `args`, and a
 *   report must fill every arg (the analyzer tester checks both). Array values print as `[a b c]`.
 */
export type Level = 'Info' | 'Warning' | 'Error';

export interface MessageType {
  code: string;
  name: string;
  level: Level;
  description: string;
  template: string;
  args: readonly string[];
}

export const RETIRED_CODES: readonly string[] = [
  'IST0104',
  'IST0105',
  'IST0113',
  'IST0114',
  'IST0115',
  'IST0117',
  'IST0119',
  'IST0120',
  'IST0121',
  'IST0122',
  'IST0124',
];

export const MESSAGES: readonly MessageType[] = [
  {
    code: 'IST0001',
    name: 'InternalError',
    level: 'Error',
    description: 'The analysis itself failed; this is a bug in mesh.',
    template: 'Internal error: {detail}',
    args: ['detail'],
  },
  {
    code: 'IST0002',
    name: 'Deprecated',
    level: 'Warning',
    description: 'The configuration relies on a deprecated field or feature.',
    template: 'Deprecated: {detail}',
    args: ['detail'],
  },
  {
    code: 'IST0101',
    name: 'ReferencedResourceNotFound',
    level: 'Error',
    description: 'The resource refers to another object (host, gateway, subset, secret, selector, namespace) that does not exist or is not visible from here.',
    template: 'Referenced {reftype} not found: "{refval}"',
    args: ['reftype', 'refval'],
  },
  {
    code: 'IST0102',
    name: 'NamespaceNotInjected',
    level: 'Info',
    description: 'The namespace has no injection label, so its pods get no sidecar.',
    template:
      "The namespace is not enabled for Istio injection. Run 'kubectl label namespace {namespace} istio-injection=enabled' to enable it, or 'kubectl label namespace {namespace} istio-injection=disabled' to explicitly mark it as not needing injection.",
    args: ['namespace'],
  },
  {
    code: 'IST0103',
    name: 'PodMissingProxy',
    level: 'Warning',
    description: 'A pod in an injection-enabled namespace runs without the Istio proxy.',
    template: 'The pod {podName} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.',
    args: ['podName'],
  },
  {
    code: 'IST0106',
    name: 'SchemaValidationError',
    level: 'Error',
    description: 'The resource does not match the schema of its Istio kind; the API server or istiod will reject or ignore it.',
    template: 'Schema validation error: {err}',
    args: ['err'],
  },
  {
    code: 'IST0107',
    name: 'MisplacedAnnotation',
    level: 'Warning',
    description: 'An Istio annotation sits on a kind of resource it has no effect on.',
    template: 'Misplaced annotation: {annotation} can only be applied to {kind}',
    args: ['annotation', 'kind'],
  },
  {
    code: 'IST0108',
    name: 'UnknownAnnotation',
    level: 'Warning',
    description: 'An annotation in an Istio domain that Istio does not know (often a typo).',
    template: 'Unknown annotation: {annotation}',
    args: ['annotation'],
  },
  {
    code: 'IST0109',
    name: 'ConflictingMeshGatewayVirtualServiceHosts',
    level: 'Error',
    description: 'Several VirtualServices bound to the mesh gateway define the same host; which one applies is undefined.',
    template:
      'The VirtualServices {virtualServices} associated with mesh gateway define the same host {host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.',
    args: ['virtualServices', 'host'],
  },
  {
    code: 'IST0110',
    name: 'ConflictingSidecarWorkloadSelectors',
    level: 'Error',
    description: 'Two or more Sidecar resources select the same workload.',
    template:
      'The Sidecars {conflictingSidecars} in namespace "{namespace}" select the same workload pod "{workloadPod}", which can lead to undefined behavior.',
    args: ['conflictingSidecars', 'namespace', 'workloadPod'],
  },
  {
    code: 'IST0111',
    name: 'MultipleSidecarsWithoutWorkloadSelectors',
    level: 'Error',
    description: 'More than one Sidecar resource in a namespace has no workload selector.',
    template: 'The Sidecars {conflictingSidecars} in namespace "{namespace}" have no workload selector, which can lead to undefined behavior.',
    args: ['conflictingSidecars', 'namespace'],
  },
  {
    code: 'IST0112',
    name: 'VirtualServiceDestinationPortSelectorRequired',
    level: 'Error',
    description: 'A route sends traffic to a service with several ports without saying which port.',
    template:
      'This VirtualService routes to a service "{destHost}" that exposes multiple ports {destPorts}. Specifying a port in the destination is required to disambiguate.',
    args: ['destHost', 'destPorts'],
  },
  {
    code: 'IST0116',
    name: 'DeploymentAssociatedToMultipleServices',
    level: 'Warning',
    description: "A deployment's pods are selected by services that use the same port number with different protocols.",
    template: 'This deployment {deployment} is associated with multiple services using port {port} but different protocols: {services}',
    args: ['deployment', 'port', 'services'],
  },
  {
    code: 'IST0118',
    name: 'PortNameIsNotUnderNamingConvention',
    level: 'Info',
    description: 'A Service port name does not start with a protocol, so Istio falls back to protocol sniffing.',
    template: "Port name {portName} (port: {port}, targetPort: {targetPort}) doesn't follow the naming convention of Istio port.",
    args: ['portName', 'port', 'targetPort'],
  },
  {
    code: 'IST0123',
    name: 'NamespaceMultipleInjectionLabels',
    level: 'Warning',
    description: 'The namespace carries both istio-injection and istio.io/rev labels.',
    template:
      'The namespace has more than one type of injection labels {labels}, which may lead to undefined behavior. Make sure only one injection label exists.',
    args: ['labels'],
  },
  {
    code: 'IST0125',
    name: 'InvalidAnnotation',
    level: 'Warning',
    description: 'An Istio annotation has a value Istio cannot use.',
    template: 'Invalid annotation {annotation}: {problem}',
    args: ['annotation', 'problem'],
  },
  {
    code: 'IST0126',
    name: 'UnknownMeshNetworksServiceRegistry',
    level: 'Error',
    description: 'meshNetworks names a service registry that does not exist.',
    template: 'Unknown service registry {serviceregistry} in network {network}',
    args: ['serviceregistry', 'network'],
  },
  {
    code: 'IST0127',
    name: 'NoMatchingWorkloadsFound',
    level: 'Warning',
    description: "A policy's selector matches no workload.",
    template: 'No matching workloads for this resource with the following labels: {labels}',
    args: ['labels'],
  },
  {
    code: 'IST0128',
    name: 'NoServerCertificateVerificationDestinationLevel',
    level: 'Warning',
    description: 'A DestinationRule originates TLS without caCertificates, so the server certificate is not verified.',
    template:
      'DestinationRule {destinationrule} in namespace {namespace} has TLS mode set to {mode} but no caCertificates are set to validate server identity for host: {host}',
    args: ['destinationrule', 'namespace', 'mode', 'host'],
  },
  {
    code: 'IST0129',
    name: 'NoServerCertificateVerificationPortLevel',
    level: 'Warning',
    description: 'A DestinationRule port setting originates TLS without caCertificates, so the server certificate is not verified for that port.',
    template:
      'DestinationRule {destinationrule} in namespace {namespace} has TLS mode set to {mode} but no caCertificates are set to validate server identity for host: {host} at port number:{port}',
    args: ['destinationrule', 'namespace', 'mode', 'host', 'port'],
  },
  {
    code: 'IST0130',
    name: 'VirtualServiceUnreachableRule',
    level: 'Warning',
    description: 'A VirtualService rule can never match because an earlier rule matches everything it would.',
    template: 'VirtualService rule {ruleno} not used ({reason}).',
    args: ['ruleno', 'reason'],
  },
  {
    code: 'IST0131',
    name: 'VirtualServiceIneffectiveMatch',
    level: 'Info',
    description: 'A match in a VirtualService rule repeats a match of an earlier rule, so it never applies.',
    template: 'VirtualService rule {ruleno} match {matchno} is not used (duplicate/overlapping match in rule {dupno}).',
    args: ['ruleno', 'matchno', 'dupno'],
  },
  {
    code: 'IST0132',
    name: 'VirtualServiceHostNotFoundInGateway',
    level: 'Warning',
    description: 'A VirtualService host is not served by any server of a Gateway it binds to.',
    template: 'one or more host {host} defined in VirtualService {virtualservice} not found in Gateway {gateway}.',
    args: ['host', 'virtualservice', 'gateway'],
  },
  {
    code: 'IST0133',
    name: 'SchemaWarning',
    level: 'Warning',
    description: 'The resource validates, but uses a field or value Istio warns about.',
    template: 'Schema validation warning: {err}',
    args: ['err'],
  },
  {
    code: 'IST0134',
    name: 'ServiceEntryAddressesRequired',
    level: 'Warning',
    description: 'A ServiceEntry with TCP (or unset protocol) ports has no addresses and addresses are not auto-allocated.',
    template: 'ServiceEntry addresses are required for this protocol.',
    args: [],
  },
  {
    code: 'IST0135',
    name: 'DeprecatedAnnotation',
    level: 'Info',
    description: 'The resource uses a deprecated Istio annotation.',
    template: 'Annotation "{annotation}" has been deprecated{extra} and may not work in future Istio versions.',
    args: ['annotation', 'extra'],
  },
  {
    code: 'IST0136',
    name: 'AlphaAnnotation',
    level: 'Info',
    description: 'The annotation belongs to an alpha feature.',
    template: 'Annotation "{annotation}" is part of an alpha-phase feature and may be incompletely supported.',
    args: ['annotation'],
  },
  {
    code: 'IST0137',
    name: 'DeploymentConflictingPorts',
    level: 'Warning',
    description: 'Two services selecting one workload use the same targetPort with different ports.',
    template: 'This deployment {deployment} is associated with multiple services {services} using targetPort "{targetPort}" but different ports: {ports}.',
    args: ['deployment', 'services', 'targetPort', 'ports'],
  },
  {
    code: 'IST0138',
    name: 'GatewayDuplicateCertificate',
    level: 'Warning',
    description: 'Several Gateways use the same certificate; clients reusing HTTP/2 connections may get 404s.',
    template: 'Duplicate certificate in multiple gateways {gateways} may cause 404s if clients re-use HTTP2 connections.',
    args: ['gateways'],
  },
  {
    code: 'IST0139',
    name: 'InvalidWebhook',
    level: 'Error',
    description: 'A webhook configuration is invalid, overlaps another, or points at a control-plane Service that does not exist.',
    template: '{error}',
    args: ['error'],
  },
  {
    code: 'IST0140',
    name: 'IngressRouteRulesNotAffected',
    level: 'Warning',
    description: 'Subset routing in a VirtualService has no effect on requests arriving through an ingress gateway.',
    template: 'Subset in virtual service {virtualservicesubset} has no effect on ingress gateway {virtualservice} requests',
    args: ['virtualservicesubset', 'virtualservice'],
  },
  {
    code: 'IST0141',
    name: 'InsufficientPermissions',
    level: 'Error',
    description: 'Permissions needed to install Istio are missing.',
    template: 'Missing required permission to create resource {resource} ({error})',
    args: ['resource', 'error'],
  },
  {
    code: 'IST0142',
    name: 'UnsupportedKubernetesVersion',
    level: 'Error',
    description: 'The Kubernetes version is below the minimum Istio supports.',
    template: 'The Kubernetes Version "{version}" is lower than the minimum version: {minimumVersion}',
    args: ['version', 'minimumVersion'],
  },
  {
    code: 'IST0143',
    name: 'LocalhostListener',
    level: 'Error',
    description: 'A Service port is served by a process listening on localhost only.',
    template: 'Port {port} is exposed in a Service but listens on localhost. It will not be exposed to other pods.',
    args: ['port'],
  },
  {
    code: 'IST0144',
    name: 'InvalidApplicationUID',
    level: 'Warning',
    description: 'An application container runs as UID 1337, which is reserved for the proxy.',
    template: 'User ID (UID) 1337 is reserved for the sidecar proxy.',
    args: [],
  },
  {
    code: 'IST0145',
    name: 'ConflictingGateways',
    level: 'Error',
    description: 'Gateways with the same selector and port declare overlapping hosts.',
    template: 'Conflict with gateways {gateway} (workload selector {selector}, port {portnumber}, hosts {hosts}).',
    args: ['gateway', 'selector', 'portnumber', 'hosts'],
  },
  {
    code: 'IST0146',
    name: 'ImageAutoWithoutInjectionWarning',
    level: 'Warning',
    description: 'A Deployment uses `image: auto` but no injection webhook selects it.',
    template: '{resourceType} {resourceName} contains `image: auto` but does not match any Istio injection webhook selectors.',
    args: ['resourceType', 'resourceName'],
  },
  {
    code: 'IST0147',
    name: 'ImageAutoWithoutInjectionError',
    level: 'Error',
    description: 'A Pod uses `image: auto` but no injection webhook selects it.',
    template: '{resourceType} {resourceName} contains `image: auto` but does not match any Istio injection webhook selectors.',
    args: ['resourceType', 'resourceName'],
  },
  {
    code: 'IST0148',
    name: 'NamespaceInjectionEnabledByDefault',
    level: 'Info',
    description: 'The namespace has no injection label but is injected because the mesh enables namespaces by default.',
    template: 'is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.',
    args: [],
  },
  {
    code: 'IST0149',
    name: 'JwtClaimBasedRoutingWithoutRequestAuthN',
    level: 'Error',
    description: 'A VirtualService routes on JWT claims but the gateway has no RequestAuthentication.',
    template:
      'The virtual service uses the JWT claim based routing (key: {key}) but found no request authentication for the gateway ({gateway}) pod ({pod}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.',
    args: ['key', 'gateway', 'pod'],
  },
  {
    code: 'IST0150',
    name: 'ExternalNameServiceTypeInvalidPortName',
    level: 'Warning',
    description: 'An ExternalName Service has tcp-style or unmatched port names.',
    template:
      'Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly',
    args: [],
  },
  {
    code: 'IST0151',
    name: 'EnvoyFilterUsesRelativeOperation',
    level: 'Warning',
    description: 'An EnvoyFilter uses a relative patch operation without a priority.',
    template:
      'This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST of ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
    args: [],
  },
  {
    code: 'IST0152',
    name: 'EnvoyFilterUsesReplaceOperationIncorrectly',
    level: 'Error',
    description: 'REPLACE is only valid for HTTP_FILTER and NETWORK_FILTER.',
    template: 'The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.',
    args: [],
  },
  {
    code: 'IST0153',
    name: 'EnvoyFilterUsesAddOperationIncorrectly',
    level: 'Error',
    description: 'ADD is ignored when applyTo is ROUTE_CONFIGURATION or HTTP_ROUTE.',
    template: 'The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
    args: [],
  },
  {
    code: 'IST0154',
    name: 'EnvoyFilterUsesRemoveOperationIncorrectly',
    level: 'Error',
    description: 'REMOVE is ignored when applyTo is ROUTE_CONFIGURATION or HTTP_ROUTE.',
    template: 'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
    args: [],
  },
  {
    code: 'IST0155',
    name: 'EnvoyFilterUsesRelativeOperationWithProxyVersion',
    level: 'Warning',
    description: 'An EnvoyFilter with a relative operation and a proxyVersion match has no priority; it may stop applying during upgrades.',
    template:
      'This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
    args: [],
  },
  {
    code: 'IST0156',
    name: 'UnsupportedGatewayAPIVersion',
    level: 'Error',
    description: 'The Gateway API CRDs are older than Istio supports.',
    template: 'The Gateway API CRD version {version} is lower than the minimum version: {minimumVersion}',
    args: ['version', 'minimumVersion'],
  },
  {
    code: 'IST0157',
    name: 'InvalidTelemetryProvider',
    level: 'Warning',
    description: 'A Telemetry resource has an empty providers list and is ignored.',
    template: 'The Telemetry {name} in namespace "{namespace}" with empty providers will be ignored.',
    args: ['name', 'namespace'],
  },
  {
    code: 'IST0158',
    name: 'PodsIstioProxyImageMismatchInNamespace',
    level: 'Warning',
    description: "Pods run an istio-proxy image other than the injector's; they need a restart after an upgrade.",
    template:
      'The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: {podNames}). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.',
    args: ['podNames'],
  },
  {
    code: 'IST0159',
    name: 'ConflictingTelemetryWorkloadSelectors',
    level: 'Error',
    description: 'Two or more Telemetry resources select the same workload.',
    template:
      'The Telemetries {conflictingTelemetries} in namespace "{namespace}" select the same workload pod "{workloadPod}", which can lead to undefined behavior.',
    args: ['conflictingTelemetries', 'namespace', 'workloadPod'],
  },
  {
    code: 'IST0160',
    name: 'MultipleTelemetriesWithoutWorkloadSelectors',
    level: 'Error',
    description: 'More than one Telemetry resource in a namespace has no workload selector.',
    template: 'The Telemetries {conflictingTelemetries} in namespace "{namespace}" have no workload selector, which can lead to undefined behavior.',
    args: ['conflictingTelemetries', 'namespace'],
  },
  {
    code: 'IST0161',
    name: 'InvalidGatewayCredential',
    level: 'Error',
    description: "A Gateway's credentialName secret is missing or unusable.",
    template:
      'The credential referenced by the Gateway {gatewayName} in namespace {gatewayNamespace} is invalid, which can cause the traffic not to work as expected.',
    args: ['gatewayName', 'gatewayNamespace'],
  },
  {
    code: 'IST0162',
    name: 'GatewayPortNotDefinedOnService',
    level: 'Warning',
    description: "A Gateway listens on a port that its workload's Service does not expose.",
    template:
      'The gateway is listening on a target port (port {port}) that is not defined in the Service associated with its workload instances (Pod selector {selector}). If you need to access the gateway port through the gateway Service, it will not be available.',
    args: ['port', 'selector'],
  },
  {
    code: 'IST0163',
    name: 'InvalidExternalControlPlaneConfig',
    level: 'Warning',
    description: 'The webhook address of an external control plane is not valid or does not resolve.',
    template:
      'The hostname ({hostname}) that was provided for the webhook ({webhook}) to reach the ingress gateway on the external control plane cluster {msg}. Traffic may not flow properly.',
    args: ['hostname', 'webhook', 'msg'],
  },
  {
    code: 'IST0164',
    name: 'ExternalControlPlaneAddressIsNotAHostname',
    level: 'Info',
    description: 'The external control plane address is an IP address rather than a hostname.',
    template:
      'The address ({hostname}) that was provided for the webhook ({webhook}) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.',
    args: ['hostname', 'webhook'],
  },
  {
    code: 'IST0165',
    name: 'ReferencedInternalGateway',
    level: 'Warning',
    description: 'A VirtualService binds to a Gateway that an implementation generated for internal use.',
    template: 'Gateway {gateway} is generated for internal use and should not be referenced by VirtualService {virtualservice}.',
    args: ['gateway', 'virtualservice'],
  },
  {
    code: 'IST0166',
    name: 'IneffectiveSelector',
    level: 'Warning',
    description: 'A workload selector is used where a Kubernetes Gateway needs targetRef; it has no effect there.',
    template: 'Ineffective selector on Kubernetes Gateway {gateway}. Use the TargetRef field instead.',
    args: ['gateway'],
  },
  {
    code: 'IST0167',
    name: 'IneffectivePolicy',
    level: 'Warning',
    description: 'A policy, or part of one, has no effect.',
    template: 'The policy has no impact: {reason}.',
    args: ['reason'],
  },
  {
    code: 'IST0168',
    name: 'UnknownUpgradeCompatibility',
    level: 'Warning',
    description: 'The configuration is touched by a behaviour change whose impact cannot be detected automatically.',
    template:
      'The configuration may be affected by a behavioral change in Istio {previous} -> {current}: {msg}. Consider setting compatibilityVersion {previous} if in doubt.',
    args: ['previous', 'current', 'msg'],
  },
  {
    code: 'IST0169',
    name: 'UpdateIncompatibility',
    level: 'Warning',
    description: 'The configuration is likely affected by a behaviour change in the new version.',
    template:
      'The configuration is likely affected by a behavioral change in Istio {previous} -> {current}: {msg}. Consider setting compatibilityVersion {previous}.',
    args: ['previous', 'current', 'msg'],
  },
  {
    code: 'IST0170',
    name: 'MultiClusterInconsistentService',
    level: 'Warning',
    description: 'The same Service differs between clusters of a multi-cluster mesh.',
    template:
      'The service {serviceName} in namespace "{namespace}" is inconsistent across clusters {clusters}, which can lead to undefined behaviors. The inconsistent behaviors are: {error}.',
    args: ['serviceName', 'namespace', 'clusters', 'error'],
  },
  {
    code: 'IST0171',
    name: 'NegativeConditionStatus',
    level: 'Warning',
    description: "A condition in the resource's status reports a negative state.",
    template: 'A condition with a negative status is present: type={condition}, reason={reason}, message={message}',
    args: ['condition', 'reason', 'message'],
  },
  {
    code: 'IST0172',
    name: 'FutureUnsupportedGatewayAPIVersion',
    level: 'Warning',
    description: 'The installed Gateway API CRD version will stop being supported.',
    template: 'The Gateway API CRD version {version} will become unsupported; upgrade to at least {minimumVersion}.',
    args: ['version', 'minimumVersion'],
  },
  {
    code: 'IST0173',
    name: 'DestinationRuleSubsetNotSelectPods',
    level: 'Error',
    description: "A DestinationRule subset's labels select no pods of its host; traffic to it fails (503 UH).",
    template: 'The Subset {subset} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
    args: ['subset'],
  },
  {
    code: 'IST0174',
    name: 'UnknownDestinationRuleHost',
    level: 'Warning',
    description: "A DestinationRule's host matches no service in the mesh.",
    template: 'DestinationRule for non-existent service {host} in namespace {namespace}',
    args: ['host', 'namespace'],
  },
  {
    code: 'IST0175',
    name: 'JwksUriFetchUnrestricted',
    level: 'Warning',
    description: 'RequestAuthentications exist but istiod does not restrict the addresses jwksUri may be fetched from.',
    template:
      'BLOCKED_CIDRS_IN_JWKS_URIS is not configured but {count} RequestAuthentication resource(s) exist ({names}). Consider configuring it to restrict JWKS URI fetches to trusted networks.',
    args: ['count', 'names'],
  },
  {
    code: 'IST0176',
    name: 'GatewayAPICRDVersionBelowMinimum',
    level: 'Warning',
    description: "A Gateway API CRD is older than Istio's minimum, so that kind is ignored.",
    template:
      'Gateway API CRD "{crd}" is at version "{version}" but Istio requires at least "{minimumVersion}"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
    args: ['crd', 'version', 'minimumVersion'],
  },
  {
    code: 'IST0177',
    name: 'ConflictingServiceEntryProtocol',
    level: 'Warning',
    description: 'Several ServiceEntries define the same host and port with different protocols.',
    template: 'Multiple ServiceEntries ({serviceEntries}) define the same host "{host}" and port {port} with conflicting protocols ({protocols}).',
    args: ['serviceEntries', 'host', 'port', 'protocols'],
  },
];

const byCode = new Map(MESSAGES.map((m) => [m.code, m]));

export function messageType(code: string): MessageType | undefined {
  return byCode.get(code);
}

export const LEVELS: readonly Level[] = ['Info', 'Warning', 'Error'];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** Parses a level name case-insensitively; undefined when it is not one. */
export function parseLevel(value: string): Level | undefined {
  return LEVELS.find((l) => l.toLowerCase() === value.toLowerCase());
}

export type MessageValue = string | number | boolean | readonly (string | number)[];

/** Fills a template's `{name}` placeholders. Arrays print Go-style, `[a b c]`, as istioctl does. */
export function formatMessage(type: MessageType, data: Readonly<Record<string, MessageValue>>): string {
  return type.template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = data[name];
    if (v === undefined) return whole;
    return Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
  });
}

export function documentationUrl(code: string, istioMinor: string): string {
  return `https://istio.io/v${istioMinor}/docs/reference/config/analysis/${code.toLowerCase()}/`;
}
