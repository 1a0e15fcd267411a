// A seeded generator of realistic meshes for differential tests of `mesh analyze` against istioctl:
// a bookinfo-like app over a few namespaces (Services, Deployments, an ingress Gateway, routing with
// subsets, DestinationRules, ServiceEntries, a Sidecar, policies, Telemetry, sometimes an EnvoyFilter),
// with mistakes injected at random (wrong hosts, gateways and subsets, duplicate routes, conflicting
// protocols, TLS without CA certificates, extra namespace-wide Telemetries, relative EnvoyFilter
// patches). Every mesh lives in its own namespaces and uses its own external hosts and gateway
// selector, so many meshes can be analysed (or applied) together.

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedMesh {
  seed: number;
  namespaces: string[];
  /** Multi-document YAML. */
  yaml: string;
  /** The mistakes injected, for messages. */
  mistakes: string[];
}

export function generateMesh(seed: number): GeneratedMesh {
  const r = rng(seed);
  const chance = (p: number): boolean => r() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const id = `g${seed}`;
  const app = `${id}-app`;
  const edge = `${id}-edge`;
  const ext = `${id}-ext`;
  const host = `bookinfo-${id}.example.com`;
  const api = `api-${id}.example.com`;
  const mistakes: string[] = [];
  const docs: string[] = [];
  const mistake = (p: number, what: string): boolean => {
    if (!chance(p)) return false;
    mistakes.push(what);
    return true;
  };

  const nsLabels = mistake(0.1, 'a namespace with both injection labels')
    ? '    istio-injection: enabled\n    istio.io/rev: canary\n'
    : mistake(0.1, 'a namespace with no injection label')
      ? '    team: ext\n'
      : '    istio-injection: enabled\n';
  for (const ns of [app, edge, ext])
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n${ns === ext ? nsLabels : '    istio-injection: enabled\n'}`);

  const services: [string, string[]][] = [
    ['productpage', ['v1']],
    ['reviews', ['v1', 'v2', 'v3']],
    ['ratings', ['v1']],
    ['details', ['v1']],
  ];
  const badPortName = mistake(0.1, 'a Service port name without its protocol') ? pick(['details', 'ratings']) : '';
  const multiPort = mistake(0.1, 'ratings gets a second port, its route names none');
  const misplaced = mistake(0.1, 'a pod annotation on a Service');
  for (const [svc, versions] of services) {
    const annotations = misplaced && svc === 'details' ? `\n  annotations: { sidecar.istio.io/inject: "false" }` : '';
    const extraPort = multiPort && svc === 'ratings' ? `\n  - { name: grpc-admin, port: 9090, targetPort: 9090 }` : '';
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${svc}
  namespace: ${app}
  labels: { app: ${svc} }${annotations}
spec:
  selector: { app: ${svc} }
  ports:
  - { name: ${badPortName === svc ? 'web' : 'http'}, port: 9080, targetPort: 9080 }${extraPort}
`);
    for (const v of versions) {
      docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${svc}-${v}
  namespace: ${app}
spec:
  replicas: 1
  selector: { matchLabels: { app: ${svc}, version: ${v} } }
  template:
    metadata:
      labels: { app: ${svc}, version: ${v} }
    spec:
      containers:
      - name: ${svc}
        image: docker.io/istio/examples-bookinfo-${svc}-${v}:1.20.2
        ports: [{ containerPort: 9080 }]
`);
    }
  }

  if (mistake(0.1, 'a second Service on the reviews pods with another protocol on the same port')) {
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: reviews-raw
  namespace: ${app}
spec:
  selector: { app: reviews }
  ports:
  - { name: tcp, port: 9080, targetPort: 9080 }
`);
  }

  // Ingress: the gateway's pods exist unless that is the mistake (the selector then matches nothing).
  const gwPods = !mistake(0.2, 'no pod for the ingress gateway selector');
  if (gwPods) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress
  namespace: ${edge}
spec:
  replicas: 1
  selector: { matchLabels: { istio: ingress-${id} } }
  template:
    metadata:
      labels: { istio: ingress-${id}, app: ingress-${id} }
      annotations: { sidecar.istio.io/inject: "false" }
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.31.0
        args: [proxy, router]
        ports: [{ containerPort: 8080 }, { containerPort: 8443 }]
`);
  }
  const tls = chance(0.3);
  const secret = tls && !mistake(0.3, 'the gateway credential secret is missing');
  if (secret) {
    docs.push(`apiVersion: v1
kind: Secret
metadata:
  name: bookinfo-cert
  namespace: ${edge}
type: kubernetes.io/tls
data: { tls.crt: "", tls.key: "" }
`);
  }
  const gwHost = mistake(0.15, 'gateway serves another host') ? `*/other-${id}.example.com` : pick([`*/${host}`, `${app}/${host}`, `*/*.example.com`]);
  docs.push(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: ${edge}
spec:
  selector: { istio: ingress-${id} }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: ["${gwHost}"]
${tls ? `  - port: { number: 443, name: https, protocol: HTTPS }\n    hosts: ["${gwHost}"]\n    tls: { mode: SIMPLE, credentialName: bookinfo-cert }\n` : ''}`);
  if (mistake(0.1, 'a second Gateway on the same workloads, port and host')) {
    docs.push(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public-copy
  namespace: ${edge}
spec:
  selector: { istio: ingress-${id} }
  servers:
  - port: { number: 80, name: http2, protocol: HTTP }
    hosts: ["${gwHost}"]
`);
  }
  const gwRef = mistake(0.1, 'VirtualService names a missing gateway') ? `${edge}/pubilc` : `${edge}/public`;
  docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: productpage-ingress
  namespace: ${app}
spec:
  hosts: [${host}]
  gateways: [${gwRef}]
  http:
  - match: [{ uri: { prefix: /productpage } }, { uri: { prefix: /static } }]
    route:
    - destination: { host: productpage, port: { number: 9080 } }
`);

  // Routing with subsets.
  const subsetA = mistake(0.15, 'route to a subset no DestinationRule defines') ? 'v4' : 'v1';
  const reviewsHost = mistake(0.1, 'route to a host that does not exist') ? 'reviewz' : 'reviews';
  docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: ${app}
spec:
  hosts: [reviews]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route:
    - destination: { host: ${reviewsHost}, subset: v2 }
  - route:
    - destination: { host: reviews, subset: ${subsetA} }
      weight: 80
    - destination: { host: reviews, subset: v3 }
      weight: 20
`);
  docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: ${app}
spec:
  host: reviews
  trafficPolicy: { loadBalancer: { simple: ${pick(['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM'])} } }
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
  - { name: v3, labels: { version: ${mistake(0.15, 'a subset whose labels select no pod') ? 'v3-canary' : 'v3'} } }
`);
  docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
  namespace: ${app}
spec:
  hosts: [ratings]
  http:
  - retries: { attempts: ${1 + Math.floor(r() * 4)}, perTryTimeout: 2s }
    route:
    - destination: { host: ratings }
`);
  if (mistake(0.15, 'two mesh VirtualServices for one host')) {
    docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings-canary
  namespace: ${app}
spec:
  hosts: [ratings.${app}.svc.cluster.local]
  http:
  - fault: { delay: { percentage: { value: 10 }, fixedDelay: 2s } }
    route:
    - destination: { host: ratings }
`);
  }

  // External services.
  docs.push(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: api
  namespace: ${ext}
spec:
  hosts: [${api}]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
  - { number: 443, name: https, protocol: HTTPS }
`);
  if (mistake(0.15, 'a second ServiceEntry with another protocol')) {
    docs.push(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: api-tls
  namespace: ${app}
spec:
  hosts: [${api}]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
  - { number: 443, name: tls, protocol: TLS }
`);
  }
  const noCa = mistake(0.2, 'TLS origination without caCertificates');
  const portNoCa = mistake(0.1, 'port-level TLS without caCertificates');
  docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api
  namespace: ${ext}
spec:
  host: ${api}
  trafficPolicy:
    tls: { mode: SIMPLE, sni: ${api}${noCa ? '' : ', caCertificates: /etc/certs/ca.pem'} }
${portNoCa ? `    portLevelSettings:\n    - port: { number: 8443 }\n      tls: { mode: MUTUAL, clientCertificate: /etc/certs/cert.pem, privateKey: /etc/certs/key.pem }\n` : ''}`);

  // Sidecar, policies, telemetry.
  docs.push(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: ${app}
spec:
  egress:
  - hosts: ["./*", "${ext}/*", "istio-system/*"]
`);
  if (mistake(0.1, 'a second Sidecar without a workload selector')) {
    docs.push(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: egress-all
  namespace: ${app}
spec:
  egress:
  - hosts: ["*/*"]
`);
  }
  if (chance(0.2)) {
    const wrong = mistake(0.5, 'a Sidecar selecting no pod');
    docs.push(`apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: ratings
  namespace: ${app}
spec:
  workloadSelector: { labels: { app: ${wrong ? 'ratingz' : 'ratings'} } }
  egress:
  - hosts: ["./*"]
`);
  }
  docs.push(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: ${app}
spec:
  mtls: { mode: ${pick(['STRICT', 'PERMISSIVE'])} }
`);
  docs.push(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ratings-viewer
  namespace: ${app}
spec:
  selector: { matchLabels: { app: ratings } }
  action: ALLOW
  rules:
  - from: [{ source: { principals: ["cluster.local/ns/${app}/sa/bookinfo-reviews"]${mistake(0.1, 'an AuthorizationPolicy names a namespace that does not exist') ? `, namespaces: [${id}-frontend]` : ''} } }]
    to: [{ operation: { methods: [GET] } }]
`);
  docs.push(`apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: mesh-logs
  namespace: ${app}
spec:
  accessLogging:
  - providers: [{ name: envoy }]
`);
  if (mistake(0.1, 'a second namespace-wide Telemetry')) {
    docs.push(`apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: more-logs
  namespace: ${app}
spec:
  accessLogging:
  - providers: [{ name: envoy }]
`);
  }
  if (chance(0.25)) {
    const relative = mistake(0.5, 'a relative EnvoyFilter patch without priority');
    docs.push(`apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: ratings-lua
  namespace: ${app}
spec:
  workloadSelector: { labels: { app: ratings } }
${relative ? '' : '  priority: 10\n'}  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_INBOUND
      listener: { filterChain: { filter: { name: envoy.filters.network.http_connection_manager, subFilter: { name: envoy.filters.http.router } } } }
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.http.lua
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
          defaultSourceCode: { inlineString: "function envoy_on_request(h) end" }
`);
  }
  return { seed, namespaces: [app, edge, ext], yaml: docs.join('---\n'), mistakes };
}
