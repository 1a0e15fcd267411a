#!/usr/bin/env node
// fake-istiod: the part of istiod that the local e2e control plane needs, plus
// the kube-apiserver's `cluster` egress proxy. No dependencies beyond Node.js.
//
// There is no pod network here: ClusterIPs and pod IPs are just numbers. The
// apiserver is started with an EgressSelectorConfiguration whose `cluster`
// egress is HTTP CONNECT to this process, so every connection the apiserver
// makes "into the cluster" arrives here as `CONNECT host:port`:
//   * kubelet traffic (logs, exec, port-forward) to the kwok nodes
//     (localhost / the fake node IP) is tunnelled to 127.0.0.1:port;
//   * connections to the ClusterIP:port of an `istiod[-<rev>]` Service whose port
//     targets 15017 (istiod's webhook port) go to the fake webhook server below,
//     but only while the Service has a ready endpoint, as on a real cluster;
//   * anything else is refused at once (503), like an unreachable address.
//
// The fake webhook server presents a certificate for istiod.<ns>.svc signed by
// its own CA and, like istiod, patches that CA into the caBundle of every
// webhook configuration that points at an istiod Service. It answers
//   /inject*    with a minimal but realistic sidecar injection (istio-init and a
//               native istio-proxy sidecar using the proxyv2 image from the
//               injector ConfigMap's `values`, the sidecar.istio.io/status
//               annotation and the usual labels);
//   /validate*  with "allowed".
//
// Usage: node fake-istiod.mjs --kubeconfig=F --listen=127.0.0.1:PORT --uds=SOCKET
//          --cert=F --key=F --ca=F [--node-ip=IP]
import { readFileSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`bad argument ${a}`);
    return [m[1], m[2]];
  }),
);
for (const k of ['kubeconfig', 'listen', 'cert', 'key', 'ca']) {
  if (!args[k]) throw new Error(`missing --${k}`);
}
const log = (...m) => console.log(new Date().toISOString(), ...m);

// ----------------------------------------------------------------------------- API client
// The kubeconfig is the one control-plane.sh writes: file paths, one cluster/user.
const kc = readFileSync(args.kubeconfig, 'utf8');
const field = (name) => {
  const m = new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, 'm').exec(kc);
  if (!m) throw new Error(`kubeconfig has no ${name}`);
  return m[1];
};
const server = new URL(field('server'));
const agent = new https.Agent({
  ca: readFileSync(field('certificate-authority')),
  cert: readFileSync(field('client-certificate')),
  key: readFileSync(field('client-key')),
  keepAlive: true,
});

function api(method, path, body, contentType = 'application/json') {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: server.hostname,
        port: server.port,
        method,
        path,
        agent,
        headers: body === undefined ? {} : { 'content-type': contentType },
        timeout: 15000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

// ----------------------------------------------------------------------------- webhook server
const caPem = readFileSync(args.ca, 'utf8');
const caBundle = Buffer.from(caPem).toString('base64');
const stats = { connects: 0, tunnelled: 0, refused: 0, webhook: 0, injected: 0, validated: 0, caBundlePatched: 0 };

const ISTIOD_SERVICE = /^istiod(-.+)?$/;

async function injectorValues(namespace, service) {
  const suffix = service === 'istiod' ? '' : service.slice('istiod'.length);
  const name = `istio-sidecar-injector${suffix}`;
  const res = await api('GET', `/api/v1/namespaces/${namespace}/configmaps/${name}`);
  if (res.status !== 200) return { name, values: undefined };
  try {
    return { name, values: JSON.parse(res.json?.data?.values ?? '{}') };
  } catch {
    return { name, values: undefined };
  }
}

function proxyImage(values) {
  const g = values?.global ?? {};
  const image = g.proxy?.image ?? 'proxyv2';
  if (image.includes('/')) return image;
  const hub = g.hub ?? 'docker.io/istio';
  let tag = String(g.tag ?? 'latest');
  if (g.variant) tag += `-${g.variant}`;
  return `${hub}/${image}:${tag}`;
}

const esc = (s) => s.replaceAll('~', '~0').replaceAll('/', '~1');

async function inject(review, sni) {
  const req = review.request;
  const pod = req.object ?? {};
  const meta = pod.metadata ?? {};
  const spec = pod.spec ?? {};
  const annotations = meta.annotations ?? {};
  const labels = meta.labels ?? {};
  const allowed = { uid: req.uid, allowed: true };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  if (spec.hostNetwork || annotations['sidecar.istio.io/inject'] === 'false' || labels['sidecar.istio.io/inject'] === 'false') {
    return allowed;
  }
  const [service = 'istiod', namespace = 'istio-system'] = (sni ?? '').split('.');
  const existing = (spec.containers ?? []).findIndex((c) => c.name === 'istio-proxy');
  if (existing >= 0 && spec.containers[existing].image !== 'auto') return allowed;
  if (existing < 0 && all.some((c) => c.name === 'istio-proxy')) return allowed;

  const { name: cmName, values } = await injectorValues(namespace, service);
  if (!values) {
    return { ...allowed, warnings: [`fake-istiod: ConfigMap ${namespace}/${cmName} not found; not injected`] };
  }
  if (existing >= 0) {
    // Gateway injection (`inject.istio.io/templates: gateway`): the pod brings its own
    // istio-proxy container with `image: auto`, and the injector fills in the image.
    stats.injected++;
    const image = proxyImage(values);
    const ops = [{ op: 'replace', path: `/spec/containers/${existing}/image`, value: image }];
    log(`injected gateway image into ${req.namespace}/${meta.name ?? meta.generateName ?? '?'} (${image})`);
    return { ...allowed, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
  }
  const revision = values.revision || (service === 'istiod' ? 'default' : service.slice('istiod-'.length));
  const image = proxyImage(values);
  const native = annotations['sidecar.istio.io/nativeSidecar'] !== 'false';
  const appName = labels['app.kubernetes.io/name'] ?? labels.app ?? meta.generateName?.replace(/-[a-z0-9]+-$/, '') ?? meta.name ?? 'unknown';
  const appVersion = labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest';
  const firstApp = spec.containers?.[0]?.name;

  const init = {
    name: 'istio-init',
    image,
    args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info'],
    securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } },
  };
  const proxy = {
    name: 'istio-proxy',
    image,
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'],
    env: [
      { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
      { name: 'CA_ADDR', value: `${service}.${namespace}.svc:15012` },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'ISTIO_META_WORKLOAD_NAME', value: appName },
      { name: 'ISTIO_META_MESH_ID', value: values.global?.meshID ?? 'cluster.local' },
      { name: 'ISTIO_META_CLUSTER_ID', value: values.global?.multiCluster?.clusterName || 'Kubernetes' },
    ],
    ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 15, failureThreshold: 4 },
    volumeMounts: [
      { name: 'istio-envoy', mountPath: '/etc/istio/proxy' },
      { name: 'istio-data', mountPath: '/var/lib/istio/data' },
    ],
    ...(native ? { restartPolicy: 'Always' } : {}),
  };
  const volumes = [
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
    { name: 'istio-data', emptyDir: {} },
  ];
  const status = {
    initContainers: native ? ['istio-init', 'istio-proxy'] : ['istio-init'],
    containers: native ? null : ['istio-proxy'],
    volumes: volumes.map((v) => v.name),
    imagePullSecrets: null,
    revision,
  };

  const ops = [];
  if (!meta.annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
  if (!meta.labels) ops.push({ op: 'add', path: '/metadata/labels', value: {} });
  const setAnn = (k, v) => ops.push({ op: 'add', path: `/metadata/annotations/${esc(k)}`, value: v });
  const setLabel = (k, v) => ops.push({ op: 'add', path: `/metadata/labels/${esc(k)}`, value: v });
  setAnn('sidecar.istio.io/status', JSON.stringify(status));
  setAnn('istio.io/rev', revision);
  if (firstApp && !annotations['kubectl.kubernetes.io/default-container']) setAnn('kubectl.kubernetes.io/default-container', firstApp);
  setLabel('security.istio.io/tlsMode', 'istio');
  setLabel('service.istio.io/canonical-name', appName);
  setLabel('service.istio.io/canonical-revision', appVersion);
  const inits = native ? [init, proxy] : [init];
  if (!spec.initContainers) ops.push({ op: 'add', path: '/spec/initContainers', value: inits });
  else {
    // istio-init first, the native sidecar right after it, before the app's own init containers.
    inits.forEach((c, i) => ops.push({ op: 'add', path: `/spec/initContainers/${i}`, value: c }));
  }
  if (!native) ops.push({ op: 'add', path: '/spec/containers/-', value: proxy });
  if (!spec.volumes) ops.push({ op: 'add', path: '/spec/volumes', value: volumes });
  else for (const v of volumes) ops.push({ op: 'add', path: '/spec/volumes/-', value: v });

  stats.injected++;
  log(`injected ${req.namespace}/${meta.name ?? meta.generateName ?? '?'} (revision ${revision}, image ${image})`);
  return { ...allowed, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
}

const webhook = https.createServer(
  { cert: readFileSync(args.cert), key: readFileSync(args.key) },
  (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      stats.webhook++;
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      let review;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('bad AdmissionReview');
        return;
      }
      let response;
      try {
        if (path.startsWith('/inject')) {
          response = await inject(review, req.socket.servername);
        } else if (path.startsWith('/validate')) {
          stats.validated++;
          response = { uid: review.request?.uid, allowed: true };
        } else {
          res.writeHead(404).end('not found');
          return;
        }
      } catch (err) {
        log(`webhook ${path} failed: ${err?.stack ?? err}`);
        response = { uid: review.request?.uid, allowed: false, status: { code: 500, message: `fake-istiod: ${err}` } };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: review.apiVersion ?? 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  },
);
await new Promise((r) => webhook.listen(0, '127.0.0.1', r));
const webhookPort = webhook.address().port;

// ----------------------------------------------------------------------------- egress proxy
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', args['node-ip']].filter(Boolean));

async function routeFor(host, port) {
  if (LOCAL_HOSTS.has(host)) return { port, why: 'node' };
  const svcs = await api('GET', '/api/v1/services');
  const svc = (svcs.json?.items ?? []).find((s) => (s.spec?.clusterIPs ?? [s.spec?.clusterIP]).includes(host));
  if (!svc) return { error: `no Service has ClusterIP ${host}` };
  const { name, namespace } = svc.metadata;
  const sp = (svc.spec.ports ?? []).find((p) => p.port === port);
  if (!sp) return { error: `Service ${namespace}/${name} has no port ${port}` };
  if (!ISTIOD_SERVICE.test(name) || !(sp.targetPort === 15017 || sp.targetPort === 'https-webhook' || sp.name === 'https-webhook')) {
    return { error: `nothing serves Service ${namespace}/${name}:${port} on this machine` };
  }
  const slices = await api('GET', `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`);
  const ready = (slices.json?.items ?? []).some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready !== false));
  if (!ready) return { error: `Service ${namespace}/${name} has no ready endpoints` };
  return { port: webhookPort, why: `webhook ${namespace}/${name}` };
}

const handler = (req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
  } else if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
  } else {
    res.writeHead(404).end('not found');
  }
};
async function onConnect(req, client, head) {
  stats.connects++;
  client.on('error', () => {});
  const target = req.url ?? '';
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
  let route;
  try {
    route = m ? await routeFor(m[1], Number(m[2])) : { error: `bad CONNECT target ${target}` };
  } catch (err) {
    route = { error: String(err) };
  }
  if (route.error) {
    stats.refused++;
    log(`refused CONNECT ${target}: ${route.error}`);
    client.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${route.error}\n`);
    return;
  }
  const upstream = net.connect(route.port, '127.0.0.1');
  upstream.on('connect', () => {
    stats.tunnelled++;
    client.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (head?.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (err) => {
    if (!client.writableEnded && upstream.bytesRead === 0 && upstream.connecting !== false) {
      client.end(`HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n${err.message}\n`);
    } else client.destroy();
  });
  client.on('close', () => upstream.destroy());
}
// The apiserver reaches the proxy over a unix socket: kube-apiserver v1.35 panics on an
// HTTPConnect-over-TCP egress without tlsConfig (egressselector.getTLSConfig(nil)).
// The TCP listener serves /healthz and /stats (and CONNECT too, for debugging).
const proxies = [http.createServer(handler), http.createServer(handler)];
for (const p of proxies) p.on('connect', onConnect);
const [listenHost, listenPort] = args.listen.split(':');
await new Promise((r) => proxies[0].listen(Number(listenPort), listenHost, r));
if (args.uds) {
  try {
    unlinkSync(args.uds);
  } catch {}
  await new Promise((r) => proxies[1].listen(args.uds, r));
}
log(`egress proxy on ${args.uds ?? '-'} and ${args.listen}; webhook server on 127.0.0.1:${webhookPort}`);

// ----------------------------------------------------------------------------- caBundle patcher
// istiod patches its CA into the webhook configurations that point at it; so do we.
async function patchCaBundles() {
  for (const kind of ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']) {
    const list = await api('GET', `/apis/admissionregistration.k8s.io/v1/${kind}`);
    for (const cfg of list.json?.items ?? []) {
      const ops = [];
      (cfg.webhooks ?? []).forEach((w, i) => {
        const svc = w.clientConfig?.service;
        if (svc && ISTIOD_SERVICE.test(svc.name) && w.clientConfig.caBundle !== caBundle) {
          ops.push({ op: 'test', path: `/webhooks/${i}/name`, value: w.name });
          ops.push({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle });
        }
      });
      if (ops.length === 0) continue;
      const res = await api('PATCH', `/apis/admissionregistration.k8s.io/v1/${kind}/${cfg.metadata.name}`, ops, 'application/json-patch+json');
      if (res.status === 200) {
        stats.caBundlePatched++;
        log(`patched caBundle of ${kind}/${cfg.metadata.name}`);
      } else log(`patching caBundle of ${kind}/${cfg.metadata.name} failed: ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
}

let stopping = false;
async function patchLoop() {
  while (!stopping) {
    try {
      await patchCaBundles();
    } catch (err) {
      log(`caBundle patcher: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
void patchLoop();

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    stopping = true;
    for (const p of proxies) p.close();
    webhook.close();
    process.exit(0);
  });
}
