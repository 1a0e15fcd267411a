/**
 * The `sidecar` template: the istio-init (or, with CNI, istio-validation) init container, the
 * istio-proxy container (a native sidecar under initContainers when enabled) and its volumes.
 */
import {
  APP_CONTAINERS,
  BOOTSTRAP_ENV,
  CA_ENV,
  COMPLIANCE_ENV,
  DEFAULT_CONTAINER_ANNOTATIONS,
  FIELD_ENV,
  IMAGE_PULL_SECRETS,
  ISTIOD_CA_VOLUME,
  MESH_ENV,
  OWNER_ENV,
  PROXY_CONFIG_AND_PORTS_ENV,
  PROXY_METADATA_ENV,
  PULL_POLICY,
  proxyImage,
  resourceEnv,
  PODINFO_AND_TOKEN_VOLUMES,
  proxyAgentArgs,
} from './shared.js';

/**
 * `resources` of the injected containers, as JSON: the sidecar.istio.io/proxy{CPU,Memory}[Limit]
 * annotations when any is set (only those), else values.global.proxy.resources.
 */
export const RESOURCES_HELPER = `{{- define "mesh.proxyResources" }}
  {{- $a := .ObjectMeta.Annotations }}
  {{- $req := dict }}{{ $lim := dict }}
  {{- with index $a "sidecar.istio.io/proxyCPU" }}{{ $_ := set $req "cpu" . }}{{ end }}
  {{- with index $a "sidecar.istio.io/proxyMemory" }}{{ $_ := set $req "memory" . }}{{ end }}
  {{- with index $a "sidecar.istio.io/proxyCPULimit" }}{{ $_ := set $lim "cpu" . }}{{ end }}
  {{- with index $a "sidecar.istio.io/proxyMemoryLimit" }}{{ $_ := set $lim "memory" . }}{{ end }}
  {{- $byAnnotation := or (isset $a "sidecar.istio.io/proxyCPU") (isset $a "sidecar.istio.io/proxyMemory") (isset $a "sidecar.istio.io/proxyCPULimit") (isset $a "sidecar.istio.io/proxyMemoryLimit") }}
  {{- if $byAnnotation }}
    {{- $r := dict }}
    {{- if or (isset $a "sidecar.istio.io/proxyCPU") (isset $a "sidecar.istio.io/proxyMemory") }}{{ $_ := set $r "requests" $req }}{{ end }}
    {{- if or (isset $a "sidecar.istio.io/proxyCPULimit") (isset $a "sidecar.istio.io/proxyMemoryLimit") }}{{ $_ := set $r "limits" $lim }}{{ end }}
    {{- toJson $r }}
  {{- else if .Values.global.proxy.resources }}
    {{- toJson (omitNil .Values.global.proxy.resources) }}
  {{- else }}null{{ end }}
{{- end }}`;

export const SIDECAR_TEMPLATE = `${RESOURCES_HELPER}
{{- /* Decisions made once, read below. */}}
{{- $a := .ObjectMeta.Annotations }}
{{- $px := .Values.global.proxy }}
{{- $cni := .Values.pilot.cni.enabled }}
{{- $mode := annotation .ObjectMeta "sidecar.istio.io/interceptionMode" .ProxyConfig.InterceptionMode }}
{{- $tproxy := eq $mode "TPROXY" }}
{{- $bindService := eq (annotation .ObjectMeta "sidecar.istio.io/capNetBindService" $px.capNetBindService) "true" }}
{{- $native := ne (index $a "sidecar.istio.io/nativeSidecar" | default (printf "%t" .NativeSidecars)) "false" }}
{{- $hold := and (or .ProxyConfig.HoldApplicationUntilProxyStarts.GetValue $px.holdApplicationUntilProxyStarts) (not $native) }}
{{- $statusPort := annotation .ObjectMeta "status.sidecar.istio.io/port" $px.statusPort }}
{{- $excludeIn := excludeInboundPort $statusPort (annotation .ObjectMeta "traffic.sidecar.istio.io/excludeInboundPorts" $px.excludeInboundPorts) }}
{{- $includeOut := annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundPorts" (valueOrDefault $px.includeOutboundPorts "") }}
{{- $excludeOut := annotation .ObjectMeta "traffic.sidecar.istio.io/excludeOutboundPorts" (valueOrDefault $px.excludeOutboundPorts "") }}
{{- $inRanges := annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundIPRanges" $px.includeIPRanges }}
{{- $exRanges := annotation .ObjectMeta "traffic.sidecar.istio.io/excludeOutboundIPRanges" $px.excludeIPRanges }}
{{- $inPorts := annotation .ObjectMeta "traffic.sidecar.istio.io/includeInboundPorts" $px.includeInboundPorts }}
{{- $virt := index $a "istio.io/reroute-virtual-interfaces" | default (index $a "traffic.sidecar.istio.io/kubevirtInterfaces") }}
{{- $uid := .ProxyUID | default "1337" }}
{{- $gid := .ProxyGID | default "1337" }}
${APP_CONTAINERS}
metadata:
  labels:
    security.istio.io/tlsMode: {{ index .ObjectMeta.Labels "security.istio.io/tlsMode" | default "istio" | quote }}
    {{- if eq (index .ProxyConfig.ProxyMetadata "ISTIO_META_ENABLE_HBONE") "true" }}
    networking.istio.io/tunnel: {{ index .ObjectMeta.Labels "networking.istio.io/tunnel" | default "http" | quote }}
    {{- end }}
    {{- $name := index .ObjectMeta.Labels "service.istio.io/canonical-name" | default (index .ObjectMeta.Labels "app.kubernetes.io/name") | default (index .ObjectMeta.Labels "app") | default .DeploymentMeta.Name }}
    service.istio.io/canonical-name: {{ $name | trunc 63 | trimAll "-_." | quote }}
    service.istio.io/canonical-revision: {{ index .ObjectMeta.Labels "service.istio.io/canonical-revision" | default (index .ObjectMeta.Labels "app.kubernetes.io/version") | default (index .ObjectMeta.Labels "version") | default "latest" | quote }}
  annotations:
    istio.io/rev: {{ .Revision | default "default" | quote }}
    ${DEFAULT_CONTAINER_ANNOTATIONS.trimStart()}
    {{- if $cni }}
    {{- /* With CNI the node plugin sets up redirection; it reads these annotations. */}}
    {{- if eq .Values.pilot.cni.provider "multus" }}
    k8s.v1.cni.cncf.io/networks: {{ appendMultusNetwork (index $a "k8s.v1.cni.cncf.io/networks") "default/istio-cni" | quote }}
    {{- end }}
    sidecar.istio.io/interceptionMode: {{ $mode | quote }}
    {{- with $inRanges }}
    traffic.sidecar.istio.io/includeOutboundIPRanges: {{ . | quote }}
    {{- end }}
    {{- with $exRanges }}
    traffic.sidecar.istio.io/excludeOutboundIPRanges: {{ . | quote }}
    {{- end }}
    traffic.sidecar.istio.io/includeInboundPorts: {{ $inPorts | quote }}
    traffic.sidecar.istio.io/excludeInboundPorts: {{ $excludeIn | quote }}
    {{- if $includeOut }}
    traffic.sidecar.istio.io/includeOutboundPorts: {{ $includeOut | quote }}
    {{- end }}
    {{- if $excludeOut }}
    traffic.sidecar.istio.io/excludeOutboundPorts: {{ $excludeOut | quote }}
    {{- end }}
    {{- range $k := list "traffic.sidecar.istio.io/kubevirtInterfaces" "istio.io/reroute-virtual-interfaces" "traffic.sidecar.istio.io/excludeInterfaces" }}
    {{- with index $a $k }}
    {{ $k }}: {{ . | quote }}
    {{- end }}
    {{- end }}
    {{- end }}
spec:
{{- if and (eq $mode "NONE") (not $native) }}
  initContainers: []
{{- else }}
  initContainers:
  {{- if ne $mode "NONE" }}
  - name: {{ if $cni }}istio-validation{{ else }}istio-init{{ end }}
    ${proxyImage('.Values.global.proxy_init.image', '.ProxyInitImage').trimStart()}
    args:
    - istio-iptables
    - "-p"
    - {{ .MeshConfig.ProxyListenPort | default "15001" | quote }}
    - "-z"
    - {{ .MeshConfig.ProxyInboundListenPort | default "15006" | quote }}
    - "-u"
    - {{ ternary "1337" $uid $tproxy | quote }}
    - "-m"
    - {{ $mode | quote }}
    - "-i"
    - {{ $inRanges | quote }}
    - "-x"
    - {{ $exRanges | quote }}
    - "-b"
    - {{ $inPorts | quote }}
    - "-d"
    - {{ ternary (printf "15090,15021,%s" $excludeIn) "15090,15021" (ne $excludeIn "") | quote }}
    {{- with $includeOut }}
    - "-q"
    - {{ . | quote }}
    {{- end }}
    {{- with $excludeOut }}
    - "-o"
    - {{ . | quote }}
    {{- end }}
    {{- with $virt }}
    - "-k"
    - {{ . | quote }}
    {{- end }}
    {{- with index $a "traffic.sidecar.istio.io/excludeInterfaces" }}
    - "-c"
    - {{ . | quote }}
    {{- end }}
    - {{ printf "--log_output_level=%s" (annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level) | quote }}
    {{- if .Values.global.logAsJson }}
    - "--log_as_json"
    {{- end }}
    {{- if $cni }}
    - "--run-validation"
    - "--skip-rule-apply"
    {{- else if .Values.global.proxy_init.forceApplyIptables }}
    - "--force-apply"
    {{- end }}
    {{- if .Values.global.nativeNftables }}
    - "--native-nftables"
    {{- end }}
${PULL_POLICY}
    {{- with .ProxyConfig.ProxyMetadata }}
    env:
    {{- range $k, $v := . }}
    - name: {{ $k }}
      value: {{ $v | quote }}
    {{- end }}
    {{- end }}
    resources: {{ template "mesh.proxyResources" . }}
    securityContext:
      allowPrivilegeEscalation: {{ $px.privileged }}
      privileged: {{ $px.privileged }}
      {{- if $cni }}
      capabilities: {drop: [ALL]}
      readOnlyRootFilesystem: true
      runAsNonRoot: true
      runAsUser: {{ ternary 1337 $uid $tproxy }}
      runAsGroup: {{ ternary 1337 $gid $tproxy }}
      {{- else }}
      {{- /* istio-iptables writes the pod's rules: it needs root and the network capabilities. */}}
      capabilities: {add: [NET_ADMIN, NET_RAW], drop: [ALL]}
      readOnlyRootFilesystem: false
      runAsNonRoot: false
      runAsUser: 0
      runAsGroup: 0
      {{- end }}
      {{- with $px.seccompProfile }}
      seccompProfile: {{ toJson . }}
      {{- end }}
  {{- end }}
{{- end }}
{{- /* A native sidecar is an init container with restartPolicy Always. */}}
{{- if not $native }}
  containers:
{{- end }}
  - name: istio-proxy
    ${proxyImage('.Values.global.proxy.image', '.ProxyImage').trimStart()}
    {{- if $native }}
    restartPolicy: Always
    {{- end }}
    ports:
    - {containerPort: 15090, protocol: TCP, name: http-envoy-prom}
${proxyAgentArgs('sidecar')}
    {{- with $px.outlierLogPath }}
    - --outlierLogPath={{ . }}
    {{- end }}
    {{- if $px.lifecycle }}
    lifecycle: {{ toJson $px.lifecycle }}
    {{- else if $hold }}
    {{- /* The app containers start once the proxy is ready. */}}
    lifecycle: {postStart: {exec: {command: [pilot-agent, wait]}}}
    {{- else if $native }}
    {{- /* Drain on shutdown; SIGTERM follows once the app containers are gone. */}}
    lifecycle: {preStop: {exec: {command: [pilot-agent, request, {{ printf "--debug-port=%s" $statusPort | quote }}, POST, drain]}}}
    {{- end }}
    env:
    {{- if eq .InboundTrafficPolicyMode "localhost" }}
    - name: REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION
      value: "true"
    {{- end }}
${CA_ENV}
${FIELD_ENV}
${resourceEnv('ISTIO_CPU_LIMIT', 'limits.cpu')}
${PROXY_CONFIG_AND_PORTS_ENV}
    - name: ISTIO_META_APP_CONTAINERS
      value: {{ join "," $apps | quote }}
${resourceEnv('GOMEMLIMIT', 'limits.memory')}
${resourceEnv('GOMAXPROCS', 'limits.cpu')}
${COMPLIANCE_ENV}
    - name: ISTIO_META_CLUSTER_ID
      value: {{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" | quote }}
    - name: ISTIO_META_NODE_NAME
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: ISTIO_META_INTERCEPTION_MODE
      value: {{ or (index $a "sidecar.istio.io/interceptionMode") .ProxyConfig.InterceptionMode.String | quote }}
    {{- with .Values.global.network }}
    - name: ISTIO_META_NETWORK
      value: {{ . | quote }}
    {{- end }}
    {{- with index .ObjectMeta.Labels "service.istio.io/workload-name" | default .DeploymentMeta.Name }}
    - name: ISTIO_META_WORKLOAD_NAME
      value: {{ . | quote }}
    {{- end }}
${OWNER_ENV}
${BOOTSTRAP_ENV}
${MESH_ENV}
    {{- if and (eq $px.tracer "datadog") (isset $a "apm.datadoghq.com/env") }}
    {{- range $k, $v := fromJSON (index $a "apm.datadoghq.com/env") }}
    - name: {{ $k }}
      value: {{ $v | quote }}
    {{- end }}
    {{- end }}
    {{- with otelResourceAttributes .MeshConfig .ObjectMeta.Annotations .ObjectMeta.Labels .DeploymentMeta.Namespace .Spec.Containers }}
    - name: OTEL_RESOURCE_ATTRIBUTES
      value: {{ . | quote }}
    {{- end }}
${PROXY_METADATA_ENV}
${PULL_POLICY}
    {{- if ne $statusPort "0" }}
    {{- /* Envoy's readiness endpoint (the agent proxies it on 15021). */}}
    {{- if $px.startupProbe.enabled }}
    startupProbe:
      httpGet: {path: /healthz/ready, port: 15021}
      initialDelaySeconds: 0
      periodSeconds: 1
      timeoutSeconds: 3
      failureThreshold: {{ $px.startupProbe.failureThreshold }}
    {{- end }}
    readinessProbe:
      httpGet: {path: /healthz/ready, port: 15021}
      initialDelaySeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/initialDelaySeconds" $px.readinessInitialDelaySeconds }}
      periodSeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/periodSeconds" $px.readinessPeriodSeconds }}
      timeoutSeconds: 3
      failureThreshold: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/failureThreshold" $px.readinessFailureThreshold }}
    {{- end }}
    securityContext:
      {{- if eq (index .ProxyConfig.ProxyMetadata "IPTABLES_TRACE_LOGGING") "true" }}
      {{- /* iptables trace logging runs the agent privileged. */}}
      allowPrivilegeEscalation: true
      privileged: true
      capabilities: {add: [NET_ADMIN], drop: [ALL]}
      readOnlyRootFilesystem: true
      runAsNonRoot: false
      runAsUser: 0
      runAsGroup: {{ $gid }}
      {{- else }}
      allowPrivilegeEscalation: {{ $px.privileged }}
      privileged: {{ $px.privileged }}
      readOnlyRootFilesystem: true
      {{- $caps := list }}
      {{- if $tproxy }}{{ $caps = append $caps "NET_ADMIN" }}{{ end }}
      {{- if $bindService }}{{ $caps = append $caps "NET_BIND_SERVICE" }}{{ end }}
      capabilities: {{ if $caps }}{add: {{ toJson $caps }}, drop: [ALL]}{{ else }}{drop: [ALL]}{{ end }}
      {{- if $caps }}
      runAsNonRoot: false
      runAsUser: 0
      runAsGroup: 1337
      {{- else }}
      runAsNonRoot: true
      runAsUser: {{ $uid }}
      runAsGroup: {{ $gid }}
      {{- end }}
      {{- end }}
      {{- with $px.seccompProfile }}
      seccompProfile: {{ toJson . }}
      {{- end }}
    resources: {{ template "mesh.proxyResources" . }}
    volumeMounts:
    - {name: workload-socket, mountPath: /var/run/secrets/workload-spiffe-uds}
    - {name: credential-socket, mountPath: /var/run/secrets/credential-uds}
    {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
    - {name: gke-workload-certificate, mountPath: /var/run/secrets/workload-spiffe-credentials, readOnly: true}
    {{- else }}
    - {name: workload-certs, mountPath: /var/run/secrets/workload-spiffe-credentials}
    {{- end }}
    {{- if eq .Values.global.pilotCertProvider "istiod" }}
    - {name: istiod-ca-cert, mountPath: /var/run/secrets/istio}
    - {name: istio-ca-crl, mountPath: /var/run/secrets/istio/crl}
    {{- end }}
    - {name: istio-data, mountPath: /var/lib/istio/data}
    {{- if isset $a "sidecar.istio.io/bootstrapOverride" }}
    - {name: custom-bootstrap-volume, mountPath: /etc/istio/custom-bootstrap}
    {{- end }}
    - {name: istio-envoy, mountPath: /etc/istio/proxy}
    - {name: istio-token, mountPath: /var/run/secrets/tokens}
    {{- if .Values.global.mountMtlsCerts }}
    - {name: istio-certs, mountPath: /etc/certs/, readOnly: true}
    {{- end }}
    - {name: istio-podinfo, mountPath: /etc/istio/pod}
    {{- if and (eq $px.tracer "lightstep") .ProxyConfig.GetTracing.GetTlsSettings }}
    - {name: lightstep-certs, mountPath: {{ directory .ProxyConfig.GetTracing.GetTlsSettings.GetCaCertificates | quote }}, readOnly: true}
    {{- end }}
    {{- if isset $a "sidecar.istio.io/userVolumeMount" }}
    {{- range $n, $m := fromJSON (index $a "sidecar.istio.io/userVolumeMount") }}
    - {{ toJson (set $m "name" $n) }}
    {{- end }}
    {{- end }}
  volumes:
  {{- /* Sockets and certificates the agent writes: their source is left to the API server's default. */}}
  - name: workload-socket
  - name: credential-socket
  {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
  - {name: gke-workload-certificate, csi: {driver: workloadcertificates.security.cloud.google.com}}
  {{- else }}
  - name: workload-certs
  {{- end }}
  {{- if isset $a "sidecar.istio.io/bootstrapOverride" }}
  - {name: custom-bootstrap-volume, configMap: {name: {{ annotation .ObjectMeta "sidecar.istio.io/bootstrapOverride" "" | quote }}}}
  {{- end }}
  - {name: istio-envoy, emptyDir: {medium: Memory}}
  - {name: istio-data, emptyDir: {}}
${PODINFO_AND_TOKEN_VOLUMES}
  {{- if eq .Values.global.pilotCertProvider "istiod" }}
${ISTIOD_CA_VOLUME}
  {{- end }}
  - {name: istio-ca-crl, configMap: {name: {{ .Values.pilot.crlConfigMapName | default "istio-ca-crl" | quote }}, optional: true}}
  {{- if .Values.global.mountMtlsCerts }}
  - {name: istio-certs, secret: {optional: true, secretName: {{ printf "istio.%s" (.Spec.ServiceAccountName | default "default") | quote }}}}
  {{- end }}
  {{- if isset $a "sidecar.istio.io/userVolume" }}
  {{- range $n, $vol := fromJSON (index $a "sidecar.istio.io/userVolume") }}
  - {{ toJson (set $vol "name" $n) }}
  {{- end }}
  {{- end }}
  {{- if and (eq $px.tracer "lightstep") .ProxyConfig.GetTracing.GetTlsSettings }}
  - {name: lightstep-certs, secret: {optional: true, secretName: lightstep.cacert}}
  {{- end }}
${IMAGE_PULL_SECRETS}
`;
