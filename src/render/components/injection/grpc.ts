/**
 * Proxyless gRPC templates. `grpc-simple`: a busybox init container writes an xDS bootstrap that
 * points the app's gRPC library straight at istiod (no agent, no mTLS). `grpc-agent`: istio-proxy
 * runs the agent only (DISABLE_ENVOY) and serves xDS and certificates to the app over a socket.
 */
import {
  APP_CONTAINERS,
  CA_ENV,
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
  PODINFO_AND_TOKEN_VOLUMES,
  proxyAgentArgs,
} from './shared.js';
import { RESOURCES_HELPER } from './sidecar.js';

const BOOTSTRAP_DIR = '/var/lib/grpc/data/';

/** The shell script of grpc-simple's init container (kept as one literal block). */
const SIMPLE_BOOTSTRAP_SCRIPT = [
  'NODE_ID="sidecar~${INSTANCE_IP}~${POD_NAME}.${POD_NAMESPACE}~cluster.local"',
  'SERVER_URI="dns:///istiod.${ISTIO_NAMESPACE}.svc:15010"',
  "echo '",
  '{',
  '  "xds_servers": [',
  '    {',
  '      "server_uri": "\'${SERVER_URI}\'",',
  '      "channel_creds": [{"type": "insecure"}],',
  '      "server_features" : ["xds_v3"]',
  '    }',
  '  ],',
  '  "node": {',
  '    "id": "\'${NODE_ID}\'",',
  '    "metadata": {',
  '      "GENERATOR": "grpc"',
  '    }',
  '  }',
  `}' > ${BOOTSTRAP_DIR}bootstrap.json`,
].join('\n');

export const GRPC_SIMPLE_TEMPLATE = `metadata:
  annotations:
    sidecar.istio.io/rewriteAppHTTPProbers: "false"
spec:
  initContainers:
  - name: grpc-bootstrap-init
    image: busybox:1.28
    command: [sh, "-c", ${JSON.stringify(SIMPLE_BOOTSTRAP_SCRIPT)}]
    env:
    - name: INSTANCE_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: POD_NAMESPACE
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    - name: ISTIO_NAMESPACE
      value: {{ printf "%s\\n" .Values.global.istioNamespace | toJson }}
    volumeMounts:
    - {name: grpc-io-proxyless-bootstrap, mountPath: ${BOOTSTRAP_DIR}}
  containers:
  {{- range .Spec.Containers }}
  - name: {{ .Name }}
    env:
    - {name: GRPC_XDS_BOOTSTRAP, value: ${BOOTSTRAP_DIR}bootstrap.json}
    - {name: GRPC_GO_LOG_VERBOSITY_LEVEL, value: "99"}
    - {name: GRPC_GO_LOG_SEVERITY_LEVEL, value: info}
    volumeMounts:
    - {name: grpc-io-proxyless-bootstrap, mountPath: ${BOOTSTRAP_DIR}}
  {{- end }}
  volumes:
  - {name: grpc-io-proxyless-bootstrap, emptyDir: {}}
`;

export const GRPC_AGENT_TEMPLATE = `${RESOURCES_HELPER}
{{- $px := .Values.global.proxy }}
{{- $statusPort := annotation .ObjectMeta "status.sidecar.istio.io/port" $px.statusPort }}
${APP_CONTAINERS}
metadata:
  labels:
    {{- /* No security.istio.io/tlsMode: only the app knows whether its gRPC library does mTLS. */}}
    service.istio.io/canonical-name: {{ index .ObjectMeta.Labels "service.istio.io/canonical-name" | default (index .ObjectMeta.Labels "app.kubernetes.io/name") | default (index .ObjectMeta.Labels "app") | default .DeploymentMeta.Name | quote }}
    service.istio.io/canonical-revision: {{ index .ObjectMeta.Labels "service.istio.io/canonical-revision" | default (index .ObjectMeta.Labels "app.kubernetes.io/version") | default (index .ObjectMeta.Labels "version") | default "latest" | quote }}
  annotations:
    istio.io/rev: {{ .Revision | default "default" | quote }}
    ${DEFAULT_CONTAINER_ANNOTATIONS.trimStart()}
    sidecar.istio.io/rewriteAppHTTPProbers: "false"
spec:
  containers:
  - name: istio-proxy
    ${proxyImage('.Values.global.proxy.image', '.ProxyImage').trimStart()}
    ports:
    - {containerPort: 15020, protocol: TCP, name: mesh-metrics}
${proxyAgentArgs('sidecar')}
    lifecycle: {postStart: {exec: {command: [pilot-agent, wait, "--url=http://localhost:15020/healthz/ready"]}}}
    env:
    - {name: ISTIO_META_GENERATOR, value: grpc}
    - {name: OUTPUT_CERTS, value: /var/lib/istio/data}
    {{- if eq .InboundTrafficPolicyMode "localhost" }}
    - name: REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION
      value: "true"
    {{- end }}
${CA_ENV}
${FIELD_ENV}
${PROXY_CONFIG_AND_PORTS_ENV}
    - name: ISTIO_META_APP_CONTAINERS
      value: {{ join "," $apps | quote }}
    - name: ISTIO_META_CLUSTER_ID
      value: {{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" | quote }}
    - name: ISTIO_META_NODE_NAME
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    {{- with .Values.global.network }}
    - name: ISTIO_META_NETWORK
      value: {{ . | quote }}
    {{- end }}
    {{- with .DeploymentMeta.Name }}
    - name: ISTIO_META_WORKLOAD_NAME
      value: {{ . | quote }}
    {{- end }}
${OWNER_ENV}
${MESH_ENV}
${PROXY_METADATA_ENV}
    {{- /* gRPC resolves xds:/// names itself: no DNS capture, and the agent runs without Envoy. */}}
    - {name: ISTIO_META_DNS_CAPTURE, value: "false"}
    - {name: DISABLE_ENVOY, value: "true"}
${PULL_POLICY}
    {{- if ne $statusPort "0" }}
    readinessProbe:
      httpGet: {path: /healthz/ready, port: 15020}
      initialDelaySeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/initialDelaySeconds" $px.readinessInitialDelaySeconds }}
      periodSeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/periodSeconds" $px.readinessPeriodSeconds }}
      timeoutSeconds: 3
      failureThreshold: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/failureThreshold" $px.readinessFailureThreshold }}
    resources: {{ template "mesh.proxyResources" . }}
    volumeMounts:
    - {name: workload-socket, mountPath: /var/run/secrets/workload-spiffe-uds}
    {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
    - {name: gke-workload-certificate, mountPath: /var/run/secrets/workload-spiffe-credentials, readOnly: true}
    {{- else }}
    - {name: workload-certs, mountPath: /var/run/secrets/workload-spiffe-credentials}
    {{- end }}
    {{- if eq .Values.global.pilotCertProvider "istiod" }}
    - {name: istiod-ca-cert, mountPath: /var/run/secrets/istio}
    {{- end }}
    - {name: istio-data, mountPath: /var/lib/istio/data}
    - {name: istio-xds, mountPath: /etc/istio/proxy}
    - {name: istio-token, mountPath: /var/run/secrets/tokens}
    {{- if .Values.global.mountMtlsCerts }}
    - {name: istio-certs, mountPath: /etc/certs/, readOnly: true}
    {{- end }}
    - {name: istio-podinfo, mountPath: /etc/istio/pod}
    {{- if isset .ObjectMeta.Annotations "sidecar.istio.io/userVolumeMount" }}
    {{- range $n, $m := fromJSON (index .ObjectMeta.Annotations "sidecar.istio.io/userVolumeMount") }}
    - {{ toJson (set $m "name" $n) }}
    {{- end }}
    {{- end }}
    {{- end }}
  {{- /* Each app container reads the agent's bootstrap and certificates. */}}
  {{- range $apps }}
  - name: {{ . }}
    env:
    - {name: GRPC_XDS_EXPERIMENTAL_SECURITY_SUPPORT, value: "true"}
    - {name: GRPC_XDS_BOOTSTRAP, value: /etc/istio/proxy/grpc-bootstrap.json}
    volumeMounts:
    - {name: istio-data, mountPath: /var/lib/istio/data}
    - {name: istio-xds, mountPath: /etc/istio/proxy}
    {{- if eq $.Values.global.caName "GkeWorkloadCertificate" }}
    - {name: gke-workload-certificate, mountPath: /var/run/secrets/workload-spiffe-credentials, readOnly: true}
    {{- else }}
    - {name: workload-certs, mountPath: /var/run/secrets/workload-spiffe-credentials}
    {{- end }}
  {{- end }}
  volumes:
  - name: workload-socket
  {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
  - {name: gke-workload-certificate, csi: {driver: workloadcertificates.security.cloud.google.com}}
  {{- else }}
  - name: workload-certs
  {{- end }}
  {{- if isset .ObjectMeta.Annotations "sidecar.istio.io/bootstrapOverride" }}
  - {name: custom-bootstrap-volume, configMap: {name: {{ annotation .ObjectMeta "sidecar.istio.io/bootstrapOverride" "" | quote }}}}
  {{- end }}
  - {name: istio-xds, emptyDir: {medium: Memory}}
  - {name: istio-data, emptyDir: {}}
${PODINFO_AND_TOKEN_VOLUMES}
  {{- if eq .Values.global.pilotCertProvider "istiod" }}
${ISTIOD_CA_VOLUME}
  {{- end }}
  {{- if .Values.global.mountMtlsCerts }}
  - {name: istio-certs, secret: {optional: true, secretName: {{ printf "istio.%s" (.Spec.ServiceAccountName | default "default") | quote }}}}
  {{- end }}
  {{- if isset .ObjectMeta.Annotations "sidecar.istio.io/userVolume" }}
  {{- range $n, $vol := fromJSON (index .ObjectMeta.Annotations "sidecar.istio.io/userVolume") }}
  - {{ toJson (set $vol "name" $n) }}
  {{- end }}
  {{- end }}
${IMAGE_PULL_SECRETS}
`;
