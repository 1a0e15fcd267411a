/**
 * The `waypoint` template: istiod's gateway deployment controller renders it for a Gateway of
 * class istio-waypoint (ambient's L7 proxy). It is not an injection overlay but a list of
 * objects (ServiceAccount, Deployment, Service, HPA, PDB); the controller applies those it needs.
 *
 * Its data is pilot/pkg/config/kube/gatewaycommon.derivedInput: the Gateway itself (`.Name`,
 * `.Namespace`, `.UID`, `.Spec`, `.ObjectMeta`), `.GatewayClass`, `.DeploymentName`,
 * `.ServiceAccount`, `.Ports`, `.ServiceType`, `.KubeVersion`, `.Revision`, `.ProxyUID/GID`,
 * `.InfrastructureLabels/Annotations`, `.GatewayNameLabel`, `.ControllerLabel`, `.ProxyImage`,
 * `.ProxyConfig`, `.MeshConfig`, `.Values`.
 */
import { GATEWAY_SERVICE_ACCOUNT, resourceEnv } from './shared.js';

/** Variables every document of a controller template reads: metadata shared by all objects. */
export const CONTROLLER_PRELUDE = `{{- $infraAnnotations := omit .InfrastructureAnnotations "kubectl.kubernetes.io/last-applied-configuration" "gateway.istio.io/name-override" "gateway.istio.io/service-account" "gateway.istio.io/controller-version" }}
{{- $gatewayLabels := strdict "gateway.networking.k8s.io/gateway-name" .Name "gateway.networking.k8s.io/gateway-class-name" .GatewayClass }}
{{- $managedLabels := strdict "gateway.networking.k8s.io/gateway-name" .Name "gateway.networking.k8s.io/gateway-class-name" .GatewayClass "gateway.istio.io/managed" .ControllerLabel }}
{{- $owner := printf "[{apiVersion: gateway.networking.k8s.io/v1, kind: Gateway, name: %s, uid: %s}]" (toJson .Name) (toJson (printf "%v" .UID)) }}`;

/** name, namespace, annotations, labels (a toJsonMap expression) and the Gateway as owner. */
export const controllerMeta = (labels: string, opts: { owner?: string; extraAnnotations?: string } = {}): string => `metadata:
  name: {{ .DeploymentName | quote }}
  namespace: {{ .Namespace | quote }}
  annotations: {{ toJsonMap ${opts.extraAnnotations ?? ''}$infraAnnotations }}
  labels: {{ toJsonMap .InfrastructureLabels ${labels} }}
  ${opts.owner ?? 'ownerReferences: {{ $owner }}'}`;

/** The HorizontalPodAutoscaler and PodDisruptionBudget the controller keeps only when asked for. */
export const SCALING_DOCS = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
${controllerMeta('$gatewayLabels')}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: {{ .DeploymentName | quote }}}
  maxReplicas: 1
---
apiVersion: policy/v1
kind: PodDisruptionBudget
${controllerMeta('$gatewayLabels')}
spec:
  selector:
    matchLabels:
      gateway.networking.k8s.io/gateway-name: {{ .Name | quote }}
`;

/** A Service with one port per listener (from `.Ports`), selecting the gateway's pods. */
export const serviceDoc = (extraAnnotations: string, protocol = 'TCP'): string => `---
apiVersion: v1
kind: Service
${controllerMeta('$gatewayLabels', { extraAnnotations })}
spec:
  ipFamilyPolicy: PreferDualStack
  type: {{ .ServiceType | quote }}
  selector: {{ toJson (strdict .GatewayNameLabel .Name) }}
  {{- if and .Spec.Addresses (eq .ServiceType "LoadBalancer") }}
  loadBalancerIP: {{ (index .Spec.Addresses 0).Value | quote }}
  {{- end }}
  ports:
  {{- range .Ports }}
  - {name: {{ .Name | quote }}, port: {{ .Port }}, protocol: ${protocol}, appProtocol: {{ .AppProtocol }}}
  {{- end }}
`;

const PROBE = (failureThreshold: number, initialDelay: number, period: number): string =>
  `{httpGet: {path: /healthz/ready, port: 15021, scheme: HTTP}, failureThreshold: ${failureThreshold}, initialDelaySeconds: ${initialDelay}, periodSeconds: ${period}, successThreshold: 1, timeoutSeconds: 1}`;

export const WAYPOINT_TEMPLATE = `${CONTROLLER_PRELUDE}
{{- $px := .Values.global.proxy }}
{{- $wp := .Values.global.waypoint }}
{{- $td := valueOrDefault .MeshConfig.TrustDomain .Values.global.trustDomain }}
${GATEWAY_SERVICE_ACCOUNT}
---
apiVersion: apps/v1
kind: Deployment
${controllerMeta('$managedLabels')}
spec:
  selector:
    matchLabels: {{ toJson (strdict .GatewayNameLabel .Name) }}
  template:
    metadata:
      annotations: {{ toJsonMap $infraAnnotations (strdict "istio.io/rev" (.Revision | default "default") "prometheus.io/path" "/stats/prometheus" "prometheus.io/port" "15020" "prometheus.io/scrape" "true") }}
      {{- /* The waypoint is a proxy itself: never injected, never captured by ztunnel. */}}
      labels: {{ toJsonMap (strdict "sidecar.istio.io/inject" "false" "istio.io/dataplane-mode" "none" "service.istio.io/canonical-name" .DeploymentName "service.istio.io/canonical-revision" "latest") .InfrastructureLabels $managedLabels }}
    spec:
      {{- range $field := list "affinity" "topologySpreadConstraints" "nodeSelector" "tolerations" }}
      {{- with index $wp $field }}
      {{ $field }}: {{ toJson . }}
      {{- end }}
      {{- end }}
      serviceAccountName: {{ .ServiceAccount | quote }}
      containers:
      - name: istio-proxy
        {{- $img := annotation .ObjectMeta "sidecar.istio.io/proxyImage" $px.image }}
        image: {{ if contains "/" $img }}{{ $img | quote }}{{ else }}{{ .ProxyImage | quote }}{{ end }}
        {{- with .Values.global.imagePullPolicy }}
        imagePullPolicy: {{ . | quote }}
        {{- end }}
        ports:
        - {containerPort: 15020, name: metrics, protocol: TCP}
        - {containerPort: 15021, name: status-port, protocol: TCP}
        - {containerPort: 15090, protocol: TCP, name: http-envoy-prom}
        args:
        - proxy
        - waypoint
        - --domain
        - $(POD_NAMESPACE).svc.{{ $px.clusterDomain }}
        - --serviceCluster
        - {{ .ServiceAccount }}.$(POD_NAMESPACE)
        - --proxyLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/logLevel" $px.logLevel | quote }}
        - --proxyComponentLogLevel
        - {{ annotation .ObjectMeta "sidecar.istio.io/componentLogLevel" $px.componentLogLevel | quote }}
        - --log_output_level
        - {{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level | quote }}
        {{- if .Values.global.logAsJson }}
        - --log_as_json
        {{- end }}
        {{- with $px.outlierLogPath }}
        - --outlierLogPath={{ . }}
        {{- end }}
        env:
        - name: ISTIO_META_SERVICE_ACCOUNT
          valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
        - name: ISTIO_META_NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: PILOT_CERT_PROVIDER
          value: {{ .Values.global.pilotCertProvider }}
        - name: CA_ADDR
          value: {{ with .Values.global.caAddress }}{{ . }}{{ else }}istiod{{ with .Values.revision }}-{{ . }}{{ end }}.{{ .Values.global.istioNamespace }}.svc:15012{{ end }}
        {{- range $e := list (list "POD_NAME" "metadata.name") (list "POD_NAMESPACE" "metadata.namespace") (list "INSTANCE_IP" "status.podIP") (list "SERVICE_ACCOUNT" "spec.serviceAccountName") (list "HOST_IP" "status.hostIP") }}
        - name: {{ index $e 0 }}
          valueFrom: {fieldRef: {fieldPath: {{ index $e 1 }}}}
        {{- end }}
    ${resourceEnv('ISTIO_CPU_LIMIT', 'limits.cpu').replace(/\n/g, '\n    ')}
        - name: PROXY_CONFIG
          value: {{ printf "%s\\n" (protoToJSON .ProxyConfig) | toJson }}
        {{- range $k, $v := .ProxyConfig.ProxyMetadata }}
        - name: {{ $k }}
          value: {{ $v | quote }}
        {{- end }}
    ${resourceEnv('GOMEMLIMIT', 'limits.memory').replace(/\n/g, '\n    ')}
    ${resourceEnv('GOMAXPROCS', 'limits.cpu').replace(/\n/g, '\n    ')}
        - name: ISTIO_META_CLUSTER_ID
          value: {{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" | quote }}
        {{- with valueOrDefault (index .InfrastructureLabels "topology.istio.io/network") .Values.global.network }}
        - name: ISTIO_META_NETWORK
          value: {{ . | quote }}
        {{- if eq $.ControllerLabel "istio.io-eastwest-controller" }}
        - name: ISTIO_META_REQUESTED_NETWORK_VIEW
          value: {{ . | quote }}
        {{- end }}
        {{- end }}
        - name: ISTIO_META_INTERCEPTION_MODE
          value: REDIRECT
        - name: ISTIO_META_WORKLOAD_NAME
          value: {{ .DeploymentName }}
        - name: ISTIO_META_OWNER
          value: {{ printf "kubernetes://apis/apps/v1/namespaces/%s/deployments/%s" .Namespace .DeploymentName }}
        {{- with (.Values.global.meshID | default $td) }}
        - name: ISTIO_META_MESH_ID
          value: {{ . | quote }}
        {{- end }}
        {{- with $td }}
        - name: TRUST_DOMAIN
          value: {{ . | quote }}
        {{- end }}
        {{- with $wp.resources }}
        resources: {{ toJson (omitNil .) }}
        {{- end }}
        startupProbe: ${PROBE(30, 1, 1)}
        readinessProbe: ${PROBE(4, 0, 15)}
        securityContext:
          privileged: false
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          capabilities: {drop: [ALL]}
          {{- /* OpenShift assigns the user and group from the namespace's range. */}}
          {{- if ne (.Values.global.platform | default "") "openshift" }}
          runAsUser: 1337
          runAsGroup: 1337
          {{- end }}
          {{- with .Values.gateways.seccompProfile }}
          seccompProfile: {{ toJson . }}
          {{- end }}
        volumeMounts:
        - {name: workload-socket, mountPath: /var/run/secrets/workload-spiffe-uds}
        - {name: istiod-ca-cert, mountPath: /var/run/secrets/istio}
        - {name: istio-data, mountPath: /var/lib/istio/data}
        - {name: istio-envoy, mountPath: /etc/istio/proxy}
        - {name: istio-token, mountPath: /var/run/secrets/tokens}
        - {name: istio-podinfo, mountPath: /etc/istio/pod}
      volumes:
      - name: workload-socket
      - {name: istio-envoy, emptyDir: {medium: Memory}}
      - {name: go-proxy-envoy, emptyDir: {medium: Memory}}
      - {name: istio-data, emptyDir: {}}
      - {name: go-proxy-data, emptyDir: {}}
      - name: istio-podinfo
        downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - name: istio-token
        projected:
          sources:
          - serviceAccountToken: {path: istio-token, expirationSeconds: 43200, audience: istio-ca}
      - name: istiod-ca-cert
        {{- if eq (.Values.pilot.env).ENABLE_CLUSTER_TRUST_BUNDLE_API true }}
        projected: {sources: [{clusterTrustBundle: {name: {{ printf "istio.io:istiod-ca:%s" (.Values.global.trustBundleName | default "root-cert") | quote }}, path: root-cert.pem}}]}
        {{- else }}
        configMap: {name: {{ .Values.global.trustBundleName | default "istio-ca-root-cert" | quote }}}
        {{- end }}
      {{- with .Values.global.imagePullSecrets }}
      imagePullSecrets:
      {{- range . }}
      - name: {{ . }}
      {{- end }}
      {{- end }}
${serviceDoc('(strdict "networking.istio.io/traffic-distribution" "PreferClose") ')}${SCALING_DOCS}`;
