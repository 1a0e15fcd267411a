/**
 * The `gateway` template: for gateway Deployments whose istio-proxy container has `image: auto`.
 * The proxy runs as a router; no init container, no traffic capture.
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

export const GATEWAY_TEMPLATE = `{{- $px := .Values.global.proxy }}
${APP_CONTAINERS}
metadata:
  labels:
    service.istio.io/canonical-name: {{ index .ObjectMeta.Labels "service.istio.io/canonical-name" | default (index .ObjectMeta.Labels "app.kubernetes.io/name") | default (index .ObjectMeta.Labels "app") | default .DeploymentMeta.Name | quote }}
    service.istio.io/canonical-revision: {{ index .ObjectMeta.Labels "service.istio.io/canonical-revision" | default (index .ObjectMeta.Labels "app.kubernetes.io/version") | default (index .ObjectMeta.Labels "version") | default "latest" | quote }}
  annotations:
    istio.io/rev: {{ .Revision | default "default" | quote }}
    ${DEFAULT_CONTAINER_ANNOTATIONS.trimStart()}
spec:
  {{- /* values.gateways.securityContext, else let the proxy bind ports below 1024 unprivileged. */}}
  securityContext: {{ with .Values.gateways.securityContext }}{{ toJson . }}{{ else }}{sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]}{{ end }}
  containers:
  - name: istio-proxy
    ${proxyImage('.Values.global.proxy.image', '.ProxyImage').trimStart()}
    ports:
    - {containerPort: 15090, protocol: TCP, name: http-envoy-prom}
${proxyAgentArgs('router')}
    {{- with $px.lifecycle }}
    lifecycle: {{ toJson . }}
    {{- end }}
    securityContext:
      runAsUser: {{ .ProxyUID | default "1337" }}
      runAsGroup: {{ .ProxyGID | default "1337" }}
    env:
${CA_ENV}
${FIELD_ENV}
${resourceEnv('ISTIO_CPU_LIMIT', 'limits.cpu')}
${PROXY_CONFIG_AND_PORTS_ENV}
${resourceEnv('GOMEMLIMIT', 'limits.memory')}
${resourceEnv('GOMAXPROCS', 'limits.cpu')}
${COMPLIANCE_ENV}
    - name: ISTIO_META_APP_CONTAINERS
      value: {{ join "," $apps | quote }}
    - name: ISTIO_META_CLUSTER_ID
      value: {{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" | quote }}
    - name: ISTIO_META_NODE_NAME
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: ISTIO_META_INTERCEPTION_MODE
      value: {{ .ProxyConfig.InterceptionMode.String | quote }}
    {{- with .Values.global.network }}
    - name: ISTIO_META_NETWORK
      value: {{ . | quote }}
    {{- end }}
    {{- with .DeploymentMeta.Name }}
    - name: ISTIO_META_WORKLOAD_NAME
      value: {{ . | quote }}
    {{- end }}
${OWNER_ENV}
${BOOTSTRAP_ENV}
${MESH_ENV}
${PROXY_METADATA_ENV}
${PULL_POLICY}
    readinessProbe:
      httpGet: {path: /healthz/ready, port: 15021}
      initialDelaySeconds: {{ $px.readinessInitialDelaySeconds }}
      periodSeconds: {{ $px.readinessPeriodSeconds }}
      timeoutSeconds: 3
      failureThreshold: {{ $px.readinessFailureThreshold }}
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
    {{- if isset .ObjectMeta.Annotations "sidecar.istio.io/bootstrapOverride" }}
    - {name: custom-bootstrap-volume, mountPath: /etc/istio/custom-bootstrap}
    {{- end }}
    - {name: istio-envoy, mountPath: /etc/istio/proxy}
    - {name: istio-token, mountPath: /var/run/secrets/tokens}
    {{- if .Values.global.mountMtlsCerts }}
    - {name: istio-certs, mountPath: /etc/certs/, readOnly: true}
    {{- end }}
    - {name: istio-podinfo, mountPath: /etc/istio/pod}
  volumes:
  - name: workload-socket
  - {name: credential-socket, emptyDir: {}}
  {{- if eq .Values.global.caName "GkeWorkloadCertificate" }}
  - {name: gke-workload-certificate, csi: {driver: workloadcertificates.security.cloud.google.com}}
  {{- else }}
  - {name: workload-certs, emptyDir: {}}
  {{- end }}
  {{- if isset .ObjectMeta.Annotations "sidecar.istio.io/bootstrapOverride" }}
  - {name: custom-bootstrap-volume, configMap: {name: {{ annotation .ObjectMeta "sidecar.istio.io/bootstrapOverride" "" | quote }}}}
  {{- end }}
  - {name: istio-envoy, emptyDir: {medium: Memory}}
  - {name: istio-data, emptyDir: {}}
${PODINFO_AND_TOKEN_VOLUMES}
  {{- if eq .Values.global.pilotCertProvider "istiod" }}
${ISTIOD_CA_VOLUME}
  {{- end }}
  {{- if .Values.global.mountMtlsCerts }}
  - {name: istio-certs, secret: {optional: true, secretName: {{ printf "istio.%s" (.Spec.ServiceAccountName | default "default") | quote }}}}
  {{- end }}
${IMAGE_PULL_SECRETS}
`;
