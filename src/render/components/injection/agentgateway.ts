/**
 * The `agentgateway` and `agentgateway-waypoint` templates: istiod's gateway deployment controller
 * renders them for Gateways whose class runs agentgateway (the Rust data plane) instead of Envoy,
 * as an ingress gateway or as an ambient waypoint. Data as for the waypoint template (waypoint.ts),
 * plus `.AgentgatewayImage`.
 */
import { resourceEnv } from './shared.js';
import { CONTROLLER_PRELUDE, SCALING_DOCS, controllerMeta, serviceDoc } from './waypoint.js';

const env = (name: string, resource: string): string => `    ${resourceEnv(name, resource).replace(/\n/g, '\n    ')}`;
const PROBE = (failureThreshold: number, initialDelay: number, period: number): string =>
  `{httpGet: {path: /healthz/ready, port: 15021, scheme: HTTP}, failureThreshold: ${failureThreshold}, initialDelaySeconds: ${initialDelay}, periodSeconds: ${period}, successThreshold: 1, timeoutSeconds: 1}`;
const token = (name: string): string =>
  `      - name: ${name}
        projected:
          sources:
          - serviceAccountToken: {path: ${name}, expirationSeconds: 43200, audience: {{ .Values.global.sds.token.aud | quote }}}`;

function agentgateway(waypoint: boolean): string {
  const controller = waypoint ? 'istio.io-agentgateway-waypoint-controller' : 'istio.io-agentgateway-controller';
  const podLabels = waypoint
    ? '(strdict "sidecar.istio.io/inject" "false" "istio.io/dataplane-mode" "none" "service.istio.io/canonical-name" .DeploymentName "service.istio.io/canonical-revision" "latest")'
    : '(strdict "sidecar.istio.io/inject" "false" "service.istio.io/canonical-name" .DeploymentName "service.istio.io/canonical-revision" "latest")';
  return `${CONTROLLER_PRELUDE}
{{- $px := .Values.global.proxy }}
{{- $labels := strdict "gateway.networking.k8s.io/gateway-name" .Name "gateway.networking.k8s.io/gateway-class-name" .GatewayClass "gateway.istio.io/managed" "${controller}" }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .ServiceAccount | quote }}
  namespace: {{ .Namespace | quote }}
  annotations: {{ toJsonMap $infraAnnotations }}
  labels: {{ toJsonMap .InfrastructureLabels $gatewayLabels }}
  ownerReferences: {{ $owner }}
---
apiVersion: apps/v1
kind: Deployment
${controllerMeta('$labels')}
spec:
  selector:
    matchLabels: {{ toJson (strdict .GatewayNameLabel .Name) }}
  template:
    metadata:
      annotations: {{ toJsonMap $infraAnnotations (strdict "istio.io/rev" (.Revision | default "default") "prometheus.io/path" "/stats/prometheus" "prometheus.io/port" "15020" "prometheus.io/scrape" "true") }}
      labels: {{ toJsonMap ${podLabels} .InfrastructureLabels $labels }}
    spec:
${
  waypoint
    ? ''
    : `      {{- /* values.gateways.securityContext, else bind 80 and 443 without root. */}}
      {{- if .Values.gateways.securityContext }}
      securityContext: {{ toJson .Values.gateways.securityContext }}
      {{- else }}
      securityContext:
        sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]
        {{- with .Values.gateways.seccompProfile }}
        seccompProfile: {{ toJson . }}
        {{- end }}
      {{- end }}
`
}      serviceAccountName: {{ .ServiceAccount | quote }}
      containers:
      - name: agentgateway
        {{- $img := annotation .ObjectMeta "gateway.istio.io/agentgatewayImage" (dig "agentgateway" "image" "" .Values.global) }}
        image: {{ if contains "/" $img }}{{ $img | quote }}{{ else }}{{ .AgentgatewayImage | quote }}{{ end }}
        {{- with ${waypoint ? '.Values.global.waypoint.resources' : '$px.resources'} }}
        resources: {{ toJson (omitNil .) }}
        {{- end }}
        {{- with .Values.global.imagePullPolicy }}
        imagePullPolicy: {{ . | quote }}
        {{- end }}
        securityContext:
          capabilities: {drop: [ALL]}
          allowPrivilegeEscalation: false
          privileged: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          runAsUser: {{ .ProxyUID | default "10101" }}
          runAsGroup: {{ .ProxyGID | default "10101" }}
${
  waypoint
    ? `          {{- with .Values.gateways.seccompProfile }}
          seccompProfile: {{ toJson . }}
          {{- end }}
`
    : ''
}        ports:
        - {containerPort: 15020, name: metrics, protocol: TCP}
        - {containerPort: 15021, name: status-port, protocol: TCP}
        {{- /* The configuration comes over xDS from istiod. */}}
        args: [--config, "{}"]
${
  waypoint
    ? ''
    : `        {{- with $px.lifecycle }}
        lifecycle: {{ toJson . }}
        {{- end }}
`
}        env:
        {{- range $e := list (list "POD_NAME" "metadata.name") (list "POD_NAMESPACE" "metadata.namespace") (list "NAMESPACE" "metadata.namespace") (list "INSTANCE_IP" "status.podIP") (list "SERVICE_ACCOUNT" "spec.serviceAccountName") }}
        - name: {{ index $e 0 }}
          valueFrom: {fieldRef: {fieldPath: {{ index $e 1 }}}}
        {{- end }}
${env('CPU_LIMIT', 'limits.cpu')}
        - name: GATEWAY
          value: {{ .Name | quote }}
        - {name: RUST_BACKTRACE, value: "1"}
        - name: CLUSTER_ID
          value: {{ valueOrDefault .Values.global.multiCluster.clusterName .ClusterID | quote }}
        {{- with valueOrDefault (index .InfrastructureLabels "topology.istio.io/network") .Values.global.network }}
        - name: NETWORK
          value: {{ . | quote }}
        {{- end }}
        {{- with valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
        - name: TRUST_DOMAIN
          value: {{ . | quote }}
        {{- end }}
        {{- range $k, $v := .ProxyConfig.ProxyMetadata }}
        - name: {{ $k }}
          value: {{ $v | quote }}
        {{- end }}
        - name: XDS_ADDRESS
          value: {{ .ProxyConfig.DiscoveryAddress | quote }}
        - name: CA_ADDRESS
          value: {{ with .Values.global.caAddress }}{{ . }}{{ else }}istiod{{ with .Values.revision }}-{{ . }}{{ end }}.{{ .Values.global.istioNamespace }}.svc:15012{{ end }}
        startupProbe: ${PROBE(30, 1, 1)}
        readinessProbe: ${PROBE(4, 0, 15)}
        volumeMounts:
        - {name: istiod-ca-cert, mountPath: /var/run/secrets/xds}
        - {name: xds-token, mountPath: /var/run/secrets/xds-tokens}
        - {name: tmp, mountPath: /tmp}
        - {name: istiod-ca-cert, mountPath: /var/run/secrets/istio}
        - {name: istio-token, mountPath: /var/run/secrets/tokens}
      volumes:
      - {name: tmp, emptyDir: {}}
${token('xds-token')}
${token('istio-token')}
      {{- if eq .Values.global.pilotCertProvider "istiod" }}
      - name: istiod-ca-cert
        {{- if eq ((.Values.pilot).env).ENABLE_CLUSTER_TRUST_BUNDLE_API true }}
        projected: {sources: [{clusterTrustBundle: {name: {{ printf "istio.io:istiod-ca:%s" (.Values.global.trustBundleName | default "root-cert") | quote }}, path: root-cert.pem}}]}
        {{- else }}
        configMap: {name: {{ .Values.global.trustBundleName | default "istio-ca-root-cert" | quote }}}
        {{- end }}
      {{- end }}
      {{- with .Values.global.imagePullSecrets }}
      imagePullSecrets:
      {{- range . }}
      - name: {{ . }}
      {{- end }}
      {{- end }}
${serviceDoc('')}${SCALING_DOCS}`;
}

export const AGENTGATEWAY_TEMPLATE = agentgateway(false);
export const AGENTGATEWAY_WAYPOINT_TEMPLATE = agentgateway(true);
