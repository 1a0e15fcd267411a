/**
 * Pieces the injection templates share. Every template is Go text/template (with Sprig and the
 * injector's own functions: `annotation`, `isset`, `excludeInboundPort`, `structToJSON`,
 * `protoToJSON`, `omitNil`, `otelResourceAttributes` …) evaluated by istiod over
 * pkg/kube/inject.SidecarTemplateData: `.ObjectMeta`, `.Spec`, `.TypeMeta`, `.DeploymentMeta`,
 * `.ProxyConfig`, `.MeshConfig`, `.Values`, `.Revision`, `.NativeSidecars`, `.ProxyImage`,
 * `.ProxyInitImage`, `.ProxyUID`, `.ProxyGID`, `.InboundTrafficPolicyMode`, `.CompliancePolicy`.
 *
 * mesh writes values as JSON inside the YAML (`toJson` output is valid YAML) wherever a string must
 * come out byte for byte, so no block-scalar indentation can change it.
 */

/** `$apps`: the pod's containers other than istio-proxy, in order. */
export const APP_CONTAINERS = `{{- $apps := list }}
{{- range .Spec.Containers }}{{ if ne .Name "istio-proxy" }}{{ $apps = append $apps .Name }}{{ end }}{{ end }}`;

/** Sets `kubectl.kubernetes.io/default-{logs-,}container` to the first app container unless the pod chose. */
export const DEFAULT_CONTAINER_ANNOTATIONS = `{{- with $apps }}
    {{- if not (isset $.ObjectMeta.Annotations "kubectl.kubernetes.io/default-logs-container") }}
    kubectl.kubernetes.io/default-logs-container: {{ first . | quote }}
    {{- end }}
    {{- if not (isset $.ObjectMeta.Annotations "kubectl.kubernetes.io/default-container") }}
    kubectl.kubernetes.io/default-container: {{ first . | quote }}
    {{- end }}
    {{- end }}`;

/** The istio-proxy image: a full reference from the annotation or values, else the injector's own. */
export const proxyImage = (valuesPath: string, resolved: string): string =>
  `{{- $img := annotation .ObjectMeta "sidecar.istio.io/proxyImage" ${valuesPath} }}
    image: {{ if contains "/" $img }}{{ $img | quote }}{{ else }}{{ ${resolved} | quote }}{{ end }}`;

/** The downward-API env entries every Istio proxy container starts with, after CA_ADDR. */
export const FIELD_ENV = [
  ['POD_NAME', 'metadata.name'],
  ['POD_NAMESPACE', 'metadata.namespace'],
  ['INSTANCE_IP', 'status.podIP'],
  ['SERVICE_ACCOUNT', 'spec.serviceAccountName'],
  ['HOST_IP', 'status.hostIP'],
]
  .map(([n, p]) => `    - name: ${n}\n      valueFrom: {fieldRef: {fieldPath: ${p}}}`)
  .join('\n');

export const resourceEnv = (name: string, resource: string): string =>
  `    - name: ${name}\n      valueFrom: {resourceFieldRef: {resource: ${resource}, divisor: "1"}}`;

/** PILOT_CERT_PROVIDER and CA_ADDR (global.caAddress, else this revision's istiod). */
export const CA_ENV = `    - name: PILOT_CERT_PROVIDER
      value: {{ .Values.global.pilotCertProvider }}
    - name: CA_ADDR
      value: {{ with .Values.global.caAddress }}{{ . }}{{ else }}istiod{{ with .Values.revision }}-{{ . }}{{ end }}.{{ .Values.global.istioNamespace }}.svc:15012{{ end }}`;

/**
 * PROXY_CONFIG (the merged ProxyConfig as JSON, newline-terminated) and ISTIO_META_POD_PORTS (the
 * app ports, one JSON object a line, comma-led after the first: the agent reads it as JSON).
 */
export const PROXY_CONFIG_AND_PORTS_ENV = `    - name: PROXY_CONFIG
      value: {{ printf "%s\\n" (protoToJSON .ProxyConfig) | toJson }}
    {{- $ports := list }}
    {{- range .Spec.Containers }}{{ range .Ports }}{{ with structToJSON . }}{{ $ports = append $ports . }}{{ end }}{{ end }}{{ end }}
    - name: ISTIO_META_POD_PORTS
      value: {{ printf "[%s\\n]" (ternary (printf "\\n    %s" (join "\\n    ," $ports)) "" (gt (len $ports) 0)) | toJson }}`;

export const COMPLIANCE_ENV = `    {{- with .CompliancePolicy }}
    - name: COMPLIANCE_POLICY
      value: {{ . | quote }}
    {{- if eq . "fips-140-3" }}
    - name: GODEBUG
      value: "fips140=only"
    {{- end }}
    {{- end }}`;

/** ISTIO_META_MESH_ID (global.meshID, else the trust domain) and TRUST_DOMAIN. */
export const MESH_ENV = `    {{- $td := valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
    {{- with (.Values.global.meshID | default $td) }}
    - name: ISTIO_META_MESH_ID
      value: {{ . | quote }}
    {{- end }}
    {{- with $td }}
    - name: TRUST_DOMAIN
      value: {{ . | quote }}
    {{- end }}`;

export const OWNER_ENV = `    {{- if and .TypeMeta.APIVersion .DeploymentMeta.Name }}
    - name: ISTIO_META_OWNER
      value: {{ printf "kubernetes://apis/%s/namespaces/%s/%ss/%s" .TypeMeta.APIVersion (valueOrDefault .DeploymentMeta.Namespace "default") (toLower .TypeMeta.Kind) .DeploymentMeta.Name | quote }}
    {{- end }}`;

export const BOOTSTRAP_ENV = `    {{- if isset .ObjectMeta.Annotations "sidecar.istio.io/bootstrapOverride" }}
    - name: ISTIO_BOOTSTRAP_OVERRIDE
      value: "/etc/istio/custom-bootstrap/custom_bootstrap.json"
    {{- end }}`;

export const PROXY_METADATA_ENV = `    {{- range $k, $v := .ProxyConfig.ProxyMetadata }}
    - name: {{ $k }}
      value: {{ $v | quote }}
    {{- end }}`;

export const PULL_POLICY = `    {{- with .Values.global.imagePullPolicy }}
    imagePullPolicy: {{ . | quote }}
    {{- end }}`;

/** The istiod root-cert volume: a ClusterTrustBundle when istiod publishes one, else its ConfigMap. */
export const ISTIOD_CA_VOLUME = `  - name: istiod-ca-cert
    {{- if eq (.Values.pilot.env).ENABLE_CLUSTER_TRUST_BUNDLE_API true }}
    projected: {sources: [{clusterTrustBundle: {name: {{ printf "istio.io:istiod-ca:%s" (.Values.global.trustBundleName | default "root-cert") | quote }}, path: root-cert.pem}}]}
    {{- else }}
    configMap: {name: {{ .Values.global.trustBundleName | default "istio-ca-root-cert" | quote }}}
    {{- end }}`;

export const IMAGE_PULL_SECRETS = `  {{- with .Values.global.imagePullSecrets }}
  imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
  {{- end }}`;

/** The pod's labels and annotations for the agent, and its istio-ca token (pod-level volume items). */
export const PODINFO_AND_TOKEN_VOLUMES = `  - name: istio-podinfo
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
  - name: istio-token
    projected:
      sources:
      - serviceAccountToken: {path: istio-token, expirationSeconds: 43200, audience: {{ .Values.global.sds.token.aud | quote }}}`;

/**
 * The istio-proxy container's `args` for pilot-agent in ROLE (`sidecar` or `router`): domain, the
 * Envoy and agent log levels (each overridable by its annotation), STS port and JSON logs. `$px` is
 * `.Values.global.proxy`, bound by the template.
 */
export const proxyAgentArgs = (role: 'sidecar' | 'router'): string => `    args:
    - proxy
    - ${role}
    - --domain
    - $(POD_NAMESPACE).svc.{{ $px.clusterDomain }}
    - --proxyLogLevel={{ annotation .ObjectMeta "sidecar.istio.io/logLevel" $px.logLevel }}
    - --proxyComponentLogLevel={{ annotation .ObjectMeta "sidecar.istio.io/componentLogLevel" $px.componentLogLevel }}
    - --log_output_level={{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level }}
    {{- with .Values.global.sts.servicePort }}
    - --stsPort={{ . }}
    {{- end }}
    {{- if .Values.global.logAsJson }}
    - --log_as_json
    {{- end }}`;

/**
 * The ServiceAccount istiod's gateway controller makes for a Gateway API gateway or waypoint
 * (`$infraAnnotations`, `$gatewayLabels` and `$owner` are bound by the template).
 */
export const GATEWAY_SERVICE_ACCOUNT = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .ServiceAccount | quote }}
  namespace: {{ .Namespace | quote }}
  annotations: {{ toJsonMap $infraAnnotations }}
  labels: {{ toJsonMap .InfrastructureLabels $gatewayLabels }}
  {{- /* Owner references on a ServiceAccount are safe from Kubernetes 1.28 on (kubernetes#117412). */}}
  {{- if ge .KubeVersion 128 }}
  ownerReferences: {{ $owner }}
  {{- end }}`;
