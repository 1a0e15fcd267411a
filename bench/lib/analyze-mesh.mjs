// The benchmark's synthetic mesh (bench/analyze.mjs from files, bench/analyze-live.mjs on the local
// control plane): per namespace 10 Services, 10 Deployments (2 replicas each), 8 VirtualServices, 8
// DestinationRules, 2 Gateways, 2 Sidecars, 5 AuthorizationPolicies and 5 PeerAuthentications, 50
// objects; 200 namespaces make 10,000. One VirtualService in a hundred routes to a missing host.

/** The YAML documents of namespace n of `namespaces` (named `${prefix}-${n}`). */
export function namespaceDocs(n, namespaces, prefix = 'team') {
  const ns = `${prefix}-${n}`;
  const other = `${prefix}-${(n + 1) % namespaces}`;
  const docs = [];
  for (let s = 0; s < 10; s++) {
    const app = `svc-${s}`;
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
  labels: { app: ${app} }
spec:
  selector: { app: ${app} }
  ports:
  - { name: http, port: 8080, targetPort: 8080 }
`);
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}-v1
  namespace: ${ns}
spec:
  replicas: 2
  selector: { matchLabels: { app: ${app}, version: v1 } }
  template:
    metadata:
      labels: { app: ${app}, version: v1 }
    spec:
      containers:
      - name: app
        image: registry.example.com/${app}:1.0.${s}
        ports: [{ containerPort: 8080 }]
        resources: { requests: { cpu: 100m, memory: 128Mi } }
`);
  }
  for (let v = 0; v < 8; v++) {
    const app = `svc-${v}`;
    // One in a hundred VirtualServices routes to a host that does not exist.
    const broken = (n * 8 + v) % 100 === 0;
    docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  hosts: [${app}]
  http:
  - name: canary
    match:
    - headers: { x-canary: { exact: "true" } }
    route:
    - destination: { host: ${broken ? 'missing-' + app : app}, subset: v1 }
  - name: default
    timeout: 10s
    retries: { attempts: 3, perTryTimeout: 2s }
    route:
    - destination: { host: ${app}, subset: v1 }
      weight: 90
    - destination: { host: svc-9.${other}.svc.cluster.local }
      weight: 10
`);
    docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  host: ${app}
  trafficPolicy:
    connectionPool: { tcp: { maxConnections: 100 } }
    outlierDetection: { consecutive5xxErrors: 5, interval: 30s, baseEjectionTime: 30s }
  subsets:
  - { name: v1, labels: { version: v1 } }
`);
  }
  for (let g = 0; g < 2; g++) {
    docs.push(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gw-${g}
  namespace: ${ns}
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: ${8000 + g}, name: http-${g}, protocol: HTTP }
    hosts: ["./${ns}-${g}.example.com"]
`);
    docs.push(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: sidecar-${g}
  namespace: ${ns}
spec:
  workloadSelector: { labels: { app: svc-${g} } }
  egress:
  - hosts: ["./*", "istio-system/*"]
`);
  }
  for (let p = 0; p < 5; p++) {
    docs.push(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-${p}
  namespace: ${ns}
spec:
  selector: { matchLabels: { app: svc-${p} } }
  action: ALLOW
  rules:
  - from: [{ source: { principals: ["cluster.local/ns/${other}/sa/default"] } }]
    to: [{ operation: { methods: [GET], paths: ["/api/*"] } }]
`);
  }
  for (let p = 0; p < 5; p++) {
    docs.push(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: mtls-${p}
  namespace: ${ns}
spec:
  selector: { matchLabels: { app: svc-${p} } }
  mtls: { mode: STRICT }
`);
  }
  return { ns, docs };
}
