#!/usr/bin/env node
// cluster-egress: the kube-apiserver's `cluster` egress proxy, and the supervisor that runs the REAL
// istiod (pilot-discovery of the Istio 1.31 line, built by scripts/istio/istio.sh) for every
// istiod Deployment in the cluster. No dependencies beyond Node.js.
//
// There is no pod network here: ClusterIPs and pod IPs are just numbers, and kwok only pretends to
// run containers. So:
//   * For every Deployment labelled app=istiod (any namespace, any revision), a pilot-discovery
//     process runs on 127.0.0.1 with the Deployment's own args and environment (fieldRefs resolved
//     as the kubelet would), its own free ports and working directory, and the admin kubeconfig.
//     It reads the mesh config and injector config that were applied (the `istio[-rev]` and
//     `istio-sidecar-injector[-rev]` ConfigMaps), makes its CA, patches the caBundle of its webhook
//     configurations, switches validation to fail-closed, and serves injection, validation, xDS
//     and debug — it is istiod. The process is restarted when the Deployment's pod template
//     changes and stopped when the Deployment goes away.
//   * The apiserver's EgressSelectorConfiguration sends every connection "into the cluster" here
//     as `CONNECT host:port`:
//       - kubelet traffic (logs, exec, port-forward) to the kwok nodes (localhost / the fake node
//         IP) is tunnelled to 127.0.0.1:port;
//       - a connection to the ClusterIP:port of a Service whose selector picks an istiod
//         Deployment's pods goes to that istiod process's port for the Service's targetPort
//         (15017 webhooks, 15012 secure xDS, 15010 xDS, 15014 monitoring, 8080 http debug), but
//         only while the Service has a ready endpoint, as on a real cluster;
//       - anything else is refused at once (503), like an unreachable address.
//
// Usage: node cluster-egress.mjs --kubeconfig=F --listen=127.0.0.1:PORT --uds=SOCKET
//          --pilot-discovery=BIN --workdir=DIR [--node-ip=IP]
// GET /healthz on the TCP listener: ok. GET /istiods: the running istiod processes as JSON.
// GET /stats: counters.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`bad argument ${a}`);
    return [m[1], m[2]];
  }),
);
for (const k of ['kubeconfig', 'listen', 'pilot-discovery', 'workdir']) {
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

function api(method, path) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: server.hostname, port: server.port, method, path, agent, timeout: 15000 }, (res) => {
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
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

const stats = { connects: 0, tunnelled: 0, refused: 0, istiodStarts: 0, istiodExits: 0 };

// ----------------------------------------------------------------------------- free ports
async function freePorts(n) {
  const servers = [];
  const ports = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    servers.push(s);
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    ports.push(s.address().port);
  }
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

// ----------------------------------------------------------------------------- istiod supervisor
/** key `ns/name` -> { ns, name, revision, hash, ports, child, podLabels, logFile, startedAt } */
const istiods = new Map();
const CONTAINER_PORT = { 15017: 'webhook', 15012: 'secureGrpc', 15010: 'grpc', 15014: 'monitoring', 8080: 'http' };

function discoveryContainer(dep) {
  const cs = dep.spec?.template?.spec?.containers ?? [];
  return cs.find((c) => c.name === 'discovery') ?? cs[0];
}

/** The pod's environment as the kubelet would give it to istiod's container. */
function envFor(dep, c, podName) {
  const env = {};
  const tpl = dep.spec?.template ?? {};
  for (const e of c?.env ?? []) {
    if (typeof e.value === 'string') env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) {
      const p = e.valueFrom.fieldRef.fieldPath;
      const v =
        p === 'metadata.namespace'
          ? dep.metadata.namespace
          : p === 'metadata.name'
            ? podName
            : p === 'spec.serviceAccountName'
              ? (tpl.spec?.serviceAccountName ?? 'default')
              : p === 'status.podIP' || p === 'status.hostIP'
                ? '127.0.0.1'
                : p === 'spec.nodeName'
                  ? 'localhost'
                  : undefined;
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.resourceFieldRef) {
      // GOMAXPROCS / GOMEMLIMIT from the container's limits: leave them to the Go runtime here.
    } else if (e.value === undefined && !e.valueFrom) env[e.name] = '';
  }
  return env;
}

function templateHash(dep) {
  const c = discoveryContainer(dep);
  return createHash('sha256')
    .update(JSON.stringify({ args: c?.args ?? [], env: c?.env ?? [], sa: dep.spec?.template?.spec?.serviceAccountName }))
    .digest('hex')
    .slice(0, 12);
}

async function startIstiod(dep) {
  const ns = dep.metadata.namespace;
  const name = dep.metadata.name;
  const key = `${ns}/${name}`;
  const revision = dep.metadata.labels?.['istio.io/rev'] || dep.spec?.template?.metadata?.labels?.['istio.io/rev'] || 'default';
  const c = discoveryContainer(dep);
  const [http_, grpc, secureGrpc, monitoring, webhook] = await freePorts(5);
  const ports = { http: http_, grpc, secureGrpc, monitoring, webhook };
  const podName = `${name}-local`;
  const dir = join(args.workdir, `${ns}.${name}`);
  mkdirSync(dir, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    ...envFor(dep, c, podName),
    POD_NAME: podName,
    POD_NAMESPACE: ns,
    REVISION: revision,
  };
  // The container's args, then the addresses this machine has (cobra: the last value wins).
  const containerArgs = (c?.args ?? ['discovery']).filter((a) => a !== '');
  const argv = [
    ...containerArgs,
    `--kubeconfig=${args.kubeconfig}`,
    `--httpAddr=127.0.0.1:${ports.http}`,
    `--grpcAddr=127.0.0.1:${ports.grpc}`,
    `--secureGRPCAddr=127.0.0.1:${ports.secureGrpc}`,
    `--monitoringAddr=127.0.0.1:${ports.monitoring}`,
    `--httpsAddr=127.0.0.1:${ports.webhook}`,
  ];
  const logFile = join(args.workdir, `${ns}.${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(args['pilot-discovery'], argv, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  stats.istiodStarts++;
  const entry = {
    ns,
    name,
    revision,
    hash: templateHash(dep),
    ports,
    child,
    logFile,
    podLabels: dep.spec?.template?.metadata?.labels ?? {},
    startedAt: new Date().toISOString(),
    exited: null,
  };
  child.on('exit', (code, signal) => {
    stats.istiodExits++;
    entry.exited = signal ?? code;
    log(`istiod ${key} (pid ${child.pid}) exited: ${signal ?? code}`);
  });
  istiods.set(key, entry);
  log(`started istiod ${key} revision ${revision} pid ${child.pid} ports ${JSON.stringify(ports)} (log ${logFile})`);
}

function stopIstiod(key) {
  const e = istiods.get(key);
  if (!e) return;
  istiods.delete(key);
  if (e.exited === null) {
    e.child.kill('SIGTERM');
    setTimeout(() => {
      if (e.exited === null) e.child.kill('SIGKILL');
    }, 15000).unref();
  }
  log(`stopping istiod ${key}`);
}

let reconciling = false;
async function reconcile() {
  if (reconciling) return;
  reconciling = true;
  try {
    const res = await api('GET', `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent('app=istiod')}`);
    if (res.status !== 200) return;
    const seen = new Set();
    for (const dep of res.json?.items ?? []) {
      if (dep.metadata.deletionTimestamp) continue;
      const key = `${dep.metadata.namespace}/${dep.metadata.name}`;
      seen.add(key);
      const cur = istiods.get(key);
      if (cur && cur.hash === templateHash(dep) && cur.exited === null) continue;
      if (cur) stopIstiod(key);
      await startIstiod(dep);
    }
    for (const key of [...istiods.keys()]) if (!seen.has(key)) stopIstiod(key);
  } catch (err) {
    log(`reconcile: ${err}`);
  } finally {
    reconciling = false;
  }
}

let stopping = false;
async function reconcileLoop() {
  while (!stopping) {
    await reconcile();
    await new Promise((r) => setTimeout(r, 300));
  }
}

// ----------------------------------------------------------------------------- egress proxy
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', args['node-ip']].filter(Boolean));

const selects = (selector, labels) => Object.entries(selector ?? {}).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

async function routeFor(host, port) {
  if (LOCAL_HOSTS.has(host)) return { port, why: 'node' };
  const svcs = await api('GET', '/api/v1/services');
  const svc = (svcs.json?.items ?? []).find((s) => (s.spec?.clusterIPs ?? [s.spec?.clusterIP]).includes(host));
  if (!svc) return { error: `no Service has ClusterIP ${host}` };
  const { name, namespace } = svc.metadata;
  const sp = (svc.spec.ports ?? []).find((p) => p.port === port);
  if (!sp) return { error: `Service ${namespace}/${name} has no port ${port}` };
  const istiod = [...istiods.values()].find((e) => e.ns === namespace && e.exited === null && selects(svc.spec.selector, e.podLabels));
  const target = typeof sp.targetPort === 'number' ? sp.targetPort : sp.targetPort === 'https-webhook' ? 15017 : sp.port;
  const role = CONTAINER_PORT[target];
  if (!istiod || !role) return { error: `nothing serves Service ${namespace}/${name}:${port} on this machine` };
  const slices = await api(
    'GET',
    `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`,
  );
  const ready = (slices.json?.items ?? []).some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready !== false));
  if (!ready) return { error: `Service ${namespace}/${name} has no ready endpoints` };
  return { port: istiod.ports[role], why: `${role} of istiod ${istiod.ns}/${istiod.name}` };
}

const handler = (req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
  } else if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
  } else if (req.url === '/istiods') {
    const list = [...istiods.values()].map(({ child, ...e }) => ({ ...e, pid: child.pid }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
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
// The TCP listener serves /healthz, /stats and /istiods (and CONNECT too, for debugging).
const proxies = [http.createServer(handler), http.createServer(handler)];
for (const p of proxies) p.on('connect', onConnect);
const [listenHost, listenPort] = args.listen.split(':');
await new Promise((r) => proxies[0].listen(Number(listenPort), listenHost, r));
if (args.uds) {
  try {
    unlinkSync(args.uds);
  } catch {
    // no socket left from an earlier run: nothing to remove
  }
  await new Promise((r) => proxies[1].listen(args.uds, r));
}
mkdirSync(args.workdir, { recursive: true });
log(`egress proxy on ${args.uds ?? '-'} and ${args.listen}; istiod supervisor with ${args['pilot-discovery']}`);
void reconcileLoop();

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    stopping = true;
    for (const key of [...istiods.keys()]) stopIstiod(key);
    for (const p of proxies) p.close();
    // Give the istiods a moment to exit; control-plane.sh kills the process group afterwards.
    setTimeout(() => process.exit(0), 1500).unref();
  });
}
