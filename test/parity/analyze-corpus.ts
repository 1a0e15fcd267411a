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

  for (const ns of [app, edge, ext]) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    istio-injection: enabled\n`);

  const services: [string, string[]][] = [
    ['productpage', ['v1']],
    ['reviews', ['v1', 'v2', 'v3']],
    ['ratings', ['v1']],
    ['details', ['v1']],
  ];
  for (const [svc, versions] of services) {
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${svc}
  namespace: ${app}
  labels: { app: ${svc} }
spec:
  selector: { app: ${svc} }
  ports:
  - { name: http, port: 9080, targetPort: 9080 }
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

  // Ingress.
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
`);
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
  - { name: v3, labels: { version: v3 } }
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
  - from: [{ source: { principals: ["cluster.local/ns/${app}/sa/bookinfo-reviews"] } }]
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
