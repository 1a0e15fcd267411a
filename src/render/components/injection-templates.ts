/**
 * The injection templates istiod's sidecar injector evaluates (Go text/template over the pod and
 * the injector values). Written for mesh; the field names they read (`.Values.global.proxy.*`,
 * `.ProxyConfig`, annotations such as `sidecar.istio.io/proxyCPU`) are Istio's.
 */

export const SIDECAR_TEMPLATE = `{{- $containers := list }}
{{- range $index, $container := .Spec.Containers }}{{ if not (eq $container.Name "istio-proxy") }}{{ $containers = append $containers $container.Name }}{{end}}{{- end}}
metadata:
  labels:
    security.istio.io/tlsMode: {{ index .ObjectMeta.Labels "security.istio.io/tlsMode" | default "istio" | quote }}
    service.istio.io/canonical-name: {{ index .ObjectMeta.Labels "service.istio.io/canonical-name" | default (index .ObjectMeta.Labels "app.kubernetes.io/name") | default (index .ObjectMeta.Labels "app") | default .DeploymentMeta.Name | trunc 63 | trimSuffix "-" | quote }}
    service.istio.io/canonical-revision: {{ index .ObjectMeta.Labels "service.istio.io/canonical-revision" | default (index .ObjectMeta.Labels "app.kubernetes.io/version") | default (index .ObjectMeta.Labels "version") | default "latest" | quote }}
  annotations:
    istio.io/rev: {{ .Revision | default "default" | quote }}
    kubectl.kubernetes.io/default-container: {{ index .ObjectMeta.Annotations "kubectl.kubernetes.io/default-container" | default (first $containers) | quote }}
    sidecar.istio.io/status: ""
spec:
  {{- if not .Values.istio_cni.enabled }}
  initContainers:
  - name: istio-init
    image: "{{ annotation .ObjectMeta "sidecar.istio.io/proxyImage" .Values.global.proxy_init.image }}"
    args:
    - istio-iptables
    - "-p"
    - "15001"
    - "-z"
    - "15006"
    - "-u"
    - "1337"
    - "-m"
    - "{{ annotation .ObjectMeta "sidecar.istio.io/interceptionMode" .ProxyConfig.InterceptionMode }}"
    - "-i"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/includeOutboundIPRanges" .Values.global.proxy.includeIPRanges }}"
    - "-x"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/excludeOutboundIPRanges" .Values.global.proxy.excludeIPRanges }}"
    - "-b"
    - "{{ annotation .ObjectMeta "traffic.sidecar.istio.io/includeInboundPorts" .Values.global.proxy.includeInboundPorts }}"
    - "-d"
    - "15090,15021,{{ excludeInboundPort (annotation .ObjectMeta "status.sidecar.istio.io/port" .Values.global.proxy.statusPort) (annotation .ObjectMeta "traffic.sidecar.istio.io/excludeInboundPorts" .Values.global.proxy.excludeInboundPorts) }}"
    - "--run-validation"
    - "--skip-rule-apply"
    resources: {{ toJson .Values.global.proxy.resources }}
    securityContext:
      allowPrivilegeEscalation: {{ .Values.global.proxy.privileged }}
      privileged: {{ .Values.global.proxy.privileged }}
      capabilities:
        add: ["NET_ADMIN", "NET_RAW"]
        drop: ["ALL"]
      readOnlyRootFilesystem: false
      runAsGroup: 0
      runAsNonRoot: false
      runAsUser: 0
  {{- end }}
  containers:
  - name: istio-proxy
    image: "{{ annotation .ObjectMeta "sidecar.istio.io/proxyImage" .Values.global.proxy.image }}"
    ports:
    - containerPort: 15090
      protocol: TCP
      name: http-envoy-prom
    args:
    - proxy
    - sidecar
    - --domain
    - $(POD_NAMESPACE).svc.{{ .Values.global.proxy.clusterDomain }}
    - --proxyLogLevel={{ annotation .ObjectMeta "sidecar.istio.io/logLevel" .Values.global.proxy.logLevel }}
    - --proxyComponentLogLevel={{ annotation .ObjectMeta "sidecar.istio.io/componentLogLevel" .Values.global.proxy.componentLogLevel }}
    - --log_output_level={{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level }}
    env:
    - name: PILOT_CERT_PROVIDER
      value: {{ .Values.global.pilotCertProvider }}
    - name: CA_ADDR
      value: istiod{{- if not (eq .Values.revision "") }}-{{ .Values.revision }}{{- end }}.{{ .Values.global.istioNamespace }}.svc:15012
    - name: POD_NAME
      valueFrom: { fieldRef: { fieldPath: metadata.name } }
    - name: POD_NAMESPACE
      valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
    - name: INSTANCE_IP
      valueFrom: { fieldRef: { fieldPath: status.podIP } }
    - name: SERVICE_ACCOUNT
      valueFrom: { fieldRef: { fieldPath: spec.serviceAccountName } }
    - name: HOST_IP
      valueFrom: { fieldRef: { fieldPath: status.hostIP } }
    - name: ISTIO_CPU_LIMIT
      valueFrom: { resourceFieldRef: { resource: limits.cpu } }
    - name: PROXY_CONFIG
      value: |
        {{ protoToJSON .ProxyConfig }}
    - name: ISTIO_META_POD_PORTS
      value: |-
        [{{- range $index1, $c := .Spec.Containers }}{{- range $index2, $p := $c.Ports }}{{- if (structToJSON $p) }}{{if or (gt $index1 0) (gt $index2 0)}},{{end}}{{ structToJSON $p }}{{- end }}{{- end }}{{- end }}]
    - name: ISTIO_META_APP_CONTAINERS
      value: "{{ $containers | join "," }}"
    - name: ISTIO_META_CLUSTER_ID
      value: "{{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" }}"
    - name: ISTIO_META_NODE_NAME
      valueFrom: { fieldRef: { fieldPath: spec.nodeName } }
    - name: ISTIO_META_INTERCEPTION_MODE
      value: "{{ .ProxyConfig.InterceptionMode.String }}"
    - name: ISTIO_META_WORKLOAD_NAME
      value: "{{ .DeploymentMeta.Name }}"
    - name: ISTIO_META_OWNER
      value: kubernetes://apis/{{ .TypeMeta.APIVersion }}/namespaces/{{ .DeploymentMeta.Namespace }}/{{ toLower .TypeMeta.Kind }}s/{{ .DeploymentMeta.Name }}
    - name: ISTIO_META_MESH_ID
      value: "{{ .MeshConfig.TrustDomain | default "cluster.local" }}"
    - name: TRUST_DOMAIN
      value: "{{ .MeshConfig.TrustDomain | default "cluster.local" }}"
    readinessProbe:
      httpGet:
        path: /healthz/ready
        port: {{ .Values.global.proxy.statusPort }}
      initialDelaySeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/initialDelaySeconds" .Values.global.proxy.readinessInitialDelaySeconds }}
      periodSeconds: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/periodSeconds" .Values.global.proxy.readinessPeriodSeconds }}
      timeoutSeconds: 3
      failureThreshold: {{ annotation .ObjectMeta "readiness.status.sidecar.istio.io/failureThreshold" .Values.global.proxy.readinessFailureThreshold }}
    {{- if .Values.global.proxy.startupProbe.enabled }}
    startupProbe:
      httpGet:
        path: /healthz/ready
        port: 15021
      initialDelaySeconds: 0
      periodSeconds: 1
      timeoutSeconds: 3
      failureThreshold: {{ .Values.global.proxy.startupProbe.failureThreshold }}
    {{- end }}
    securityContext:
      allowPrivilegeEscalation: {{ .Values.global.proxy.privileged }}
      privileged: {{ .Values.global.proxy.privileged }}
      capabilities:
        drop: ["ALL"]
      readOnlyRootFilesystem: true
      runAsGroup: 1337
      runAsNonRoot: true
      runAsUser: 1337
    resources: {{ toJson .Values.global.proxy.resources }}
    volumeMounts:
    - name: workload-socket
      mountPath: /var/run/secrets/workload-spiffe-uds
    - name: credential-socket
      mountPath: /var/run/secrets/credential-uds
    - name: workload-certs
      mountPath: /var/run/secrets/workload-spiffe-credentials
    - name: istiod-ca-cert
      mountPath: /var/run/secrets/istio
    - name: istio-data
      mountPath: /var/lib/istio/data
    - name: istio-envoy
      mountPath: /etc/istio/proxy
    - name: istio-token
      mountPath: /var/run/secrets/tokens
    - name: istio-podinfo
      mountPath: /etc/istio/pod
  volumes:
  - name: workload-socket
    emptyDir: {}
  - name: credential-socket
    emptyDir: {}
  - name: workload-certs
    emptyDir: {}
  - name: istio-envoy
    emptyDir:
      medium: Memory
  - name: istio-data
    emptyDir: {}
  - name: istio-podinfo
    downwardAPI:
      items:
      - path: labels
        fieldRef: { fieldPath: metadata.labels }
      - path: annotations
        fieldRef: { fieldPath: metadata.annotations }
  - name: istio-token
    projected:
      sources:
      - serviceAccountToken:
          path: istio-token
          expirationSeconds: 43200
          audience: {{ .Values.global.sds.token.aud }}
  - name: istiod-ca-cert
    configMap:
      name: istio-ca-root-cert
`;

export const GATEWAY_TEMPLATE = `metadata:
  labels:
    service.istio.io/canonical-name: {{ index .ObjectMeta.Labels "service.istio.io/canonical-name" | default (index .ObjectMeta.Labels "app") | default .DeploymentMeta.Name | quote }}
    service.istio.io/canonical-revision: {{ index .ObjectMeta.Labels "service.istio.io/canonical-revision" | default "latest" | quote }}
  annotations:
    istio.io/rev: {{ .Revision | default "default" | quote }}
    prometheus.io/port: "15020"
    prometheus.io/scrape: "true"
    prometheus.io/path: "/stats/prometheus"
spec:
  securityContext:
    sysctls:
    - name: net.ipv4.ip_unprivileged_port_start
      value: "0"
  containers:
  - name: istio-proxy
    image: "{{ annotation .ObjectMeta "sidecar.istio.io/proxyImage" .Values.global.proxy.image }}"
    ports:
    - containerPort: 15090
      protocol: TCP
      name: http-envoy-prom
    args:
    - proxy
    - router
    - --domain
    - $(POD_NAMESPACE).svc.{{ .Values.global.proxy.clusterDomain }}
    - --proxyLogLevel={{ annotation .ObjectMeta "sidecar.istio.io/logLevel" .Values.global.proxy.logLevel }}
    - --proxyComponentLogLevel={{ annotation .ObjectMeta "sidecar.istio.io/componentLogLevel" .Values.global.proxy.componentLogLevel }}
    - --log_output_level={{ annotation .ObjectMeta "sidecar.istio.io/agentLogLevel" .Values.global.logging.level }}
    env:
    - name: PILOT_CERT_PROVIDER
      value: {{ .Values.global.pilotCertProvider }}
    - name: CA_ADDR
      value: istiod{{- if not (eq .Values.revision "") }}-{{ .Values.revision }}{{- end }}.{{ .Values.global.istioNamespace }}.svc:15012
    - name: POD_NAME
      valueFrom: { fieldRef: { fieldPath: metadata.name } }
    - name: POD_NAMESPACE
      valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
    - name: INSTANCE_IP
      valueFrom: { fieldRef: { fieldPath: status.podIP } }
    - name: SERVICE_ACCOUNT
      valueFrom: { fieldRef: { fieldPath: spec.serviceAccountName } }
    - name: ISTIO_META_CLUSTER_ID
      value: "{{ valueOrDefault .Values.global.multiCluster.clusterName "Kubernetes" }}"
    - name: ISTIO_META_WORKLOAD_NAME
      value: "{{ .DeploymentMeta.Name }}"
    readinessProbe:
      httpGet:
        path: /healthz/ready
        port: 15021
      initialDelaySeconds: 1
      periodSeconds: 2
      failureThreshold: 30
    securityContext:
      allowPrivilegeEscalation: false
      privileged: false
      capabilities:
        drop: ["ALL"]
      readOnlyRootFilesystem: true
      runAsUser: 1337
      runAsGroup: 1337
      runAsNonRoot: true
    resources: {{ toJson .Values.global.proxy.resources }}
`;
