/**
 * The `kube-gateway` template: istiod's gateway deployment controller renders it for a Gateway API
 * Gateway of class istio (ServiceAccount, Deployment running `proxy router`, Service, HPA, PDB).
 * Data as for the waypoint template (see waypoint.ts).
 */
import { GATEWAY_SERVICE_ACCOUNT, resourceEnv } from './shared.js';
import { CONTROLLER_PRELUDE, SCALING_DOCS, controllerMeta, serviceDoc } from './waypoint.js';

const env = (name: string, resource: string): string => `    ${resourceEnv(name, resource).replace(/\n/g, '\n    ')}`;
const PROBE = (failureThreshold: number, initialDelay: number, period: number): string =>
  `{httpGet: {path: /healthz/ready, port: 15021, scheme: HTTP}, failureThreshold: ${failureThreshold}, initialDelaySeconds: ${initialDelay}, periodSeconds: ${period}, successThreshold: 1, timeoutSeconds: 1}`;

export const KUBE_GATEWAY_TEMPLATE = `${CONTROLLER_PRELUDE}
{{- $px := .Values.global.proxy }}
{{- $td := valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
{{- $labels := strdict "gateway.networking.k8s.io/gateway-name" .Name "gateway.networking.k8s.io/gateway-class-name" .GatewayClass "gateway.istio.io/managed" "istio.io-gateway-controller" }}
{{- $network := index .InfrastructureLabels "topology.istio.io/network" }}
${GATEWAY_SERVICE_ACCOUNT}
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
      labels: {{ toJsonMap (strdict "sidecar.istio.io/inject" "false" "service.istio.io/canonical-name" .DeploymentName "service.istio.io/canonical-revision" "latest") .InfrastructureLabels $labels }}
    spec:
      {{- /* values.gateways.securityContext, else bind ports below 1024 unprivileged. */}}
      {{- if .Values.gateways.securityContext }}
      securityContext: {{ toJson .Values.gateways.securityContext }}
      {{- else }}
      securityContext:
        sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]
        {{- with .Values.gateways.seccompProfile }}
        seccompProfile: {{ toJson . }}
        {{- end }}
      {{- end }}
      serviceAccountName: {{ .ServiceAccount | quote }}
      containers:
      - name: istio-proxy
        {{- $img := annotation .ObjectMeta "sidecar.istio.io/proxyImage" $px.image }}
        image: {{ if contains "/" $img }}{{ $img | quote }}{{ else }}{{ .ProxyImage | quote }}{{ end }}
        {{- with $px.resources }}
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
          runAsUser: {{ .ProxyUID | default "1337" }}
          runAsGroup: {{ .ProxyGID | default "1337" }}
        ports:
        - {containerPort: 15020, name: metrics, protocol: TCP}
        - {containerPort: 15021, name: status-port, protocol: TCP}
        - {containerPort: 15090, protocol: TCP, name: http-envoy-prom}
        args:
        - proxy
        - router
        - --domain
        - $(POD_NAMESPACE).svc.{{ $px.clusterDomain }}
        - --proxyLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/logLevel" $px.logLevel | quote }}
        - --proxyComponentLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/componentLogLevel" $px.componentLogLevel | quote }}
        - --log_output_level
        - {{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level | quote }}
        {{- with .Values.global.sts.servicePort }}
        - --stsPort={{ . }}
        {{- end }}
        {{- if .Values.global.logAsJson }}
        - --log_as_json
        {{- end }}
        {{- with $px.lifecycle }}
        lifecycle: {{ toJson . }}
        {{- end }}
        env:
        - name: PILOT_CERT_PROVIDER
          value: {{ .Values.global.pilotCertProvider }}
        - name: CA_ADDR
          value: {{ with .Values.global.caAddress }}{{ . }}{{ else }}istiod{{ with .Values.revision }}-{{ . }}{{ end }}.{{ .Values.global.istioNamespace }}.svc:15012{{ end }}
        {{- range $e := list (list "POD_NAME" "metadata.name") (list "POD_NAMESPACE" "metadata.namespace") (list "INSTANCE_IP" "status.podIP") (list "SERVICE_ACCOUNT" "spec.serviceAccountName") (list "HOST_IP" "status.hostIP") }}
        - name: {{ index $e 0 }}
          valueFrom: {fieldRef: {fieldPath: {{ index $e 1 }}}}
        {{- end }}
${env('ISTIO_CPU_LIMIT', 'limits.cpu')}
        - name: PROXY_CONFIG
          value: {{ printf "%s\\n" (protoToJSON .ProxyConfig) | toJson }}
        {{- /* A gateway pod has no app containers or ports of its own. */}}
        - {name: ISTIO_META_POD_PORTS, value: "[]"}
        - {name: ISTIO_META_APP_CONTAINERS, value: ""}
${env('GOMEMLIMIT', 'limits.memory')}
${env('GOMAXPROCS', 'limits.cpu')}
        - name: ISTIO_META_CLUSTER_ID
          value: {{ valueOrDefault .Values.global.multiCluster.clusterName .ClusterID | quote }}
        - name: ISTIO_META_NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: ISTIO_META_INTERCEPTION_MODE
          value: {{ .ProxyConfig.InterceptionMode.String | quote }}
        {{- with valueOrDefault $network .Values.global.network }}
        - name: ISTIO_META_NETWORK
          value: {{ . | quote }}
        {{- end }}
        - name: ISTIO_META_WORKLOAD_NAME
          value: {{ .DeploymentName | quote }}
        - name: ISTIO_META_OWNER
          value: {{ printf "kubernetes://apis/apps/v1/namespaces/%s/deployments/%s" .Namespace .DeploymentName | quote }}
        {{- with (.Values.global.meshID | default $td) }}
        - name: ISTIO_META_MESH_ID
          value: {{ . | quote }}
        {{- end }}
        {{- with $td }}
        - name: TRUST_DOMAIN
          value: {{ . | quote }}
        {{- end }}
        {{- range $k, $v := .ProxyConfig.ProxyMetadata }}
        - name: {{ $k }}
          value: {{ $v | quote }}
        {{- end }}
        {{- with $network }}
        - name: ISTIO_META_REQUESTED_NETWORK_VIEW
          value: {{ . | quote }}
        {{- end }}
        startupProbe: ${PROBE(30, 1, 1)}
        readinessProbe: ${PROBE(4, 0, 15)}
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
        {{- end }}
        - {name: istio-data, mountPath: /var/lib/istio/data}
        - {name: istio-envoy, mountPath: /etc/istio/proxy}
        - {name: istio-token, mountPath: /var/run/secrets/tokens}
        - {name: istio-podinfo, mountPath: /etc/istio/pod}
      volumes:
      - name: workload-socket
      - {name: credential-socket, emptyDir: {}}
      {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
      - {name: gke-workload-certificate, csi: {driver: workloadcertificates.security.cloud.google.com}}
      {{- else }}
      - {name: workload-certs, emptyDir: {}}
      {{- end }}
      - {name: istio-envoy, emptyDir: {medium: Memory}}
      - {name: istio-data, emptyDir: {}}
      - name: istio-podinfo
        downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - name: istio-token
        projected:
          sources:
          - serviceAccountToken: {path: istio-token, expirationSeconds: 43200, audience: {{ .Values.global.sds.token.aud | quote }}}
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
${serviceDoc('', '{{ .Protocol }}')}${SCALING_DOCS}`;
