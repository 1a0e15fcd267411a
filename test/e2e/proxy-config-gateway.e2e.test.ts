// mesh proxy-config against a gateway: a simulated `router` proxy (scripts/istio/simproxy) with the
// labels of istio-ingressgateway, connected to the REAL istiod, under a Gateway with an HTTP server
// (80) and an HTTPS server (443, SIMPLE TLS from a credentialName Secret) and a VirtualService bound
// to it. mesh reads the gateway's admin API through a real port-forward. The gateway connects to
// istiod's TLS xDS port (15012) as an authenticated proxy of its own service account, which a Role
// allows to read the namespace's Secrets (as the gateway charts do), so istiod serves it the
// credentialName Secret over SDS: `kubernetes://shop-cert`, private key redacted as Envoy's admin does.
//
// RECORD_PROXY_DUMPS=1 also writes what the gateway's admin API served to
// test/fixtures/proxy-config/ingress-1.shop-gw.{config_dump,clusters}.json, the documents of the
// golden and istioctl parity tests (see test/fixtures/proxy-config/README.md).
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ControlPlane, clusterPortForward, repoRoot, runMesh, startControlPlane, waitFor, type RunResult } from './harness/index.js';
import { type RoutedIstiod, type SimProxies, type SimProxySpec, podsWithCa, routeIstiod, startSimProxies } from './harness/simproxy.js';

const cp: ControlPlane = await startControlPlane();
const ok = (r: RunResult): void => assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
const record = process.env['RECORD_PROXY_DUMPS'] === '1';

// A fixed name, so that a recorded dump is the same document whoever records it (the namespace is in
// cluster, route and listener names, and in the certificate's SAN). Only this file uses it.
const NS = 'shop-gw';
const GW = 'ingress-1';
const GW_SA = 'istio-ingressgateway';

describe('mesh proxy-config with a simulated gateway on the real istiod', { skip: cp.skip, concurrency: 1 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  let sim: SimProxies;
  let keyPem = '';
  let certPem = '';
  let istiod: RoutedIstiod;
  let dir = '';
  const mesh = (args: string[]): Promise<RunResult> => runMesh(cp, args);
  const c = cp.kube;
  const custom = (plural: string, body: Record<string, unknown>): Promise<unknown> =>
    c.custom.createNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: NS, plural, body });

  before(async () => {
    // A namespace left by an interrupted run goes first.
    await c.core.deleteNamespace({ name: NS }).catch(() => undefined);
    await waitFor(
      `namespace ${NS} gone`,
      async () => {
        try {
          await c.core.readNamespace({ name: NS });
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    await c.core.createNamespace({ body: { metadata: { name: NS, labels: { 'mesh.test/e2e': 'true' } } } });
    cleanups.push(async () => void (await c.core.deleteNamespace({ name: NS })));
    await waitFor(`ServiceAccount ${NS}/default`, async () => (await c.core.readNamespacedServiceAccount({ name: 'default', namespace: NS })).metadata);

    ok(await runMesh(cp, ['install', '--profile', 'minimal', '-y', '--readiness-timeout', '3m'], { timeoutMs: 240_000 }));
    const routed = await routeIstiod(cp, 'istio-system', ['istiod']);
    cleanups.push(routed.remove);
    istiod = routed.istiods[0]!;

    // A throwaway self-signed certificate for the HTTPS server, made here; its key lives only in the
    // temporary directory and the Secret. istiod sends it to the gateway over SDS, and simproxy
    // redacts the key as it arrives, so no dump holds it (checked below).
    dir = mkdtempSync(join(tmpdir(), 'pc-gw-e2e-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const subject = ['-subj', '/CN=shop.example.com', '-addext', 'subjectAltName=DNS:shop.example.com'];
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'tls.key')];
    execFileSync('openssl', ['req', '-x509', '-days', '1', ...subject, ...key, '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
    keyPem = readFileSync(join(dir, 'tls.key'), 'utf8');
    certPem = readFileSync(join(dir, 'tls.crt'), 'utf8');
    await c.core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: { name: 'shop-cert' },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': readFileSync(join(dir, 'tls.crt')).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
      },
    });

    // The gateway's own service account, allowed to read the namespace's Secrets: istiod serves a
    // credentialName Secret only to a proxy whose verified identity is of the Secret's namespace and
    // may list Secrets there (a SubjectAccessReview), as the gateway charts' `-sds` Role grants.
    await c.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: GW_SA } } });
    await c.objects.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: `${GW_SA}-sds`, namespace: NS },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
    } as KubernetesObject);
    await c.objects.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${GW_SA}-sds`, namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${GW_SA}-sds` },
      subjects: [{ kind: 'ServiceAccount', name: GW_SA, namespace: NS }],
    } as KubernetesObject);
    await c.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: GW, labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
        spec: {
          serviceAccountName: GW_SA,
          containers: [{ name: 'istio-proxy', image: 'registry.istio.io/release/proxyv2:1.31.1', args: ['proxy', 'router'] }],
        },
      },
    });
    await c.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'web-1', labels: { app: 'web', version: 'v1' } },
        spec: { containers: [{ name: 'app', image: 'registry.local/app:1.0' }] },
      },
    });
    // The gateway's Service maps 80 and 443 to the unprivileged ports the proxy listens on, as the
    // istio-ingressgateway Service does; istiod binds the Gateway's servers to those target ports.
    await c.core.createNamespacedService({
      namespace: NS,
      body: {
        metadata: { name: 'istio-ingressgateway' },
        spec: {
          selector: { istio: 'ingressgateway' },
          ports: [
            { name: 'http2', port: 80, targetPort: 8080 },
            { name: 'https', port: 443, targetPort: 8443 },
          ],
        },
      },
    });
    await c.core.createNamespacedService({
      namespace: NS,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    });
    await custom('gateways', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'shop' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] },
          { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } },
        ],
      },
    });
    await custom('virtualservices', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'shop' },
      spec: {
        hosts: ['shop.example.com'],
        gateways: ['shop'],
        http: [
          { match: [{ uri: { prefix: '/api' } }], rewrite: { uri: '/' }, route: [{ destination: { host: 'web', port: { number: 80 } } }] },
          { route: [{ destination: { host: 'web', port: { number: 80 } } }] },
        ],
      },
    });

    const { pods, ca } = await podsWithCa(cp, NS, 2, istiod, dir, GW_SA);
    sim = await startSimProxies([gatewayProxy(pods.get(GW)!, GW_SA, ca, istiod.secureGrpc)]);
    cleanups.push(() => sim.close());
    await sim.waitSynced();
    cleanups.push(
      await clusterPortForward(cp, { namespaces: [NS], podNames: [GW], ports: [15000], target: { address: '127.0.0.1', port: sim.admin[`${GW}.${NS}`]! } }),
    );
  });

  after(async () => {
    for (const f of cleanups.reverse()) await f().catch(() => undefined);
    await runMesh(cp, ['uninstall', '--purge', '-y'], { timeoutMs: 240_000 }).catch(() => undefined);
    await cp.release();
  });

  it('listener and route: the Gateway servers on the target ports, the VirtualService on both', async () => {
    const https = `https.443.https.shop.${NS}`;
    const rt = await waitFor('both servers routed', async () => {
      const x = await mesh(['pc', 'route', `${GW}.${NS}`]);
      return x.code === 0 && x.stdout.includes('http.8080') && x.stdout.includes(https) && x.stdout.includes('/api*') ? x : undefined;
    });
    assert.match(rt.stdout, new RegExp(`^http\\.8080\\s+shop\\.example\\.com:80\\s+shop\\.example\\.com\\s+/api\\*\\s+shop\\.${NS}$`, 'm'));
    assert.match(rt.stdout, new RegExp(`^${https.replace(/\./g, '\\.')}\\s+shop\\.example\\.com:443\\s+shop\\.example\\.com\\s+/\\*\\s+shop\\.${NS}$`, 'm'));
    const l = await mesh(['pc', 'listener', `${GW}.${NS}`]);
    ok(l);
    assert.match(l.stdout, /^0\.0\.0\.0\s+8080\s+ALL\s+Route: http\.8080$/m);
    assert.match(l.stdout, new RegExp(`^0\\.0\\.0\\.0\\s+8443\\s+SNI: shop\\.example\\.com\\s+Route: ${https.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('cluster and endpoint: the outbound cluster of web with its pod', async () => {
    const cl = await mesh(['pc', 'cluster', `${GW}.${NS}`, '--fqdn', `web.${NS}.svc.cluster.local`]);
    ok(cl);
    assert.match(cl.stdout, new RegExp(`^web\\.${NS}\\.svc\\.cluster\\.local\\s+80\\s+-\\s+outbound\\s+EDS\\s*$`, 'm'));
    const webIp = (await c.core.readNamespacedPod({ name: 'web-1', namespace: NS })).status?.podIP;
    const ep = await waitFor('the endpoint of web', async () => {
      const x = await mesh(['pc', 'endpoint', `${GW}.${NS}`, '--cluster', `outbound|80||web.${NS}.svc.cluster.local`, '-o', 'json']);
      return x.code === 0 && x.stdout.includes(`${webIp}:8080`) ? x : undefined;
    });
    assert.deepEqual(
      (JSON.parse(ep.stdout) as { endpoint: string; status: string }[]).map((e) => `${e.endpoint} ${e.status}`),
      [`${webIp}:8080 HEALTHY`],
    );
    const boot = await mesh(['pc', 'bootstrap', `${GW}.${NS}`]);
    ok(boot);
    assert.match((JSON.parse(boot.stdout) as { bootstrap: { node: { id: string } } }).bootstrap.node.id, new RegExp(`^router~[^~]+~${GW}\\.${NS}~`));
  });

  it('secret: the workload certificate, the credentialName Secret over SDS, and no key material anywhere', async () => {
    const shop = 'kubernetes://shop-cert';
    // istiod sends the Secret once the gateway has asked for it (after its listeners arrived).
    const r = await waitFor(`${shop} in the secrets`, async () => {
      const x = await mesh(['pc', 'secret', `${GW}.${NS}`, '-o', 'json']);
      return x.code === 0 && x.stdout.includes(shop) ? x : undefined;
    });
    const rows = JSON.parse(r.stdout) as { name: string; type: string; valid: boolean; serial: string }[];
    // The test's self-signed server certificate is a CA: istioctl's TYPE is the certificate's.
    assert.deepEqual(
      rows.map((s) => [s.name, s.type, s.valid]),
      [
        ['default', 'Cert Chain', true],
        ['ROOTCA', 'CA', true],
        [shop, 'CA', true],
      ],
    );
    // The certificate the test made, as istiod read it from the Secret.
    assert.equal(rows[2]!.serial, serialOf(certPem));
    const port = sim.admin[`${GW}.${NS}`]!;
    const dump = await (await fetch(`http://127.0.0.1:${port}/config_dump`)).text();
    assertNoKey(dump, keyPem);
    // Two private keys, both redacted: the workload certificate's and the Secret's.
    assert.equal([...dump.matchAll(/"private_key"/g)].length, 2);
    if (record) {
      const clusters = await (await fetch(`http://127.0.0.1:${port}/clusters?format=json`)).text();
      assertNoKey(clusters, keyPem);
      const fix = join(repoRoot, 'test', 'fixtures', 'proxy-config');
      // protojson varies its spacing from build to build: written as JSON.stringify lays it out.
      const pretty = (json: string): string => `${JSON.stringify(JSON.parse(json), null, 2)}\n`;
      writeFileSync(join(fix, `${GW}.${NS}.config_dump.json`), pretty(dump));
      writeFileSync(join(fix, `${GW}.${NS}.clusters.json`), pretty(clusters));
    }
  });

  // After the recording (the tests run in order): a second gateway pod would be an endpoint of the
  // gateway's Service in the recorded clusters.
  it('secret: a second gateway whose service account may not read Secrets is refused the credentialName Secret by istiod', async () => {
    const sa = 'no-secrets';
    const pod = 'ingress-2';
    await c.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: sa } } });
    await c.core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: pod, labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
        spec: { serviceAccountName: sa, containers: [{ name: 'istio-proxy', image: 'registry.istio.io/release/proxyv2:1.31.1', args: ['proxy', 'router'] }] },
      },
    });
    const { pods, ca } = await podsWithCa(cp, NS, 3, istiod, dir, sa);
    const sim2 = await startSimProxies([gatewayProxy(pods.get(pod)!, sa, ca, istiod.secureGrpc)]);
    try {
      await sim2.waitSynced();
      // istiod answers a refused secret with nothing (no response, no error to the proxy); what it
      // decided is in its log: the SubjectAccessReview for `list secrets` in the namespace said no.
      const refusal = await waitFor(
        `istiod refusing shop-cert to ${pod}.${NS}`,
        () =>
          readFileSync(istiod.istiod.logFile, 'utf8')
            .split('\n')
            .find((l) => l.includes(`proxy ${pod}.${NS}`) && l.includes('unauthorized certificates')),
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      assert.match(refusal, /shop-cert/);
      assert.match(refusal, new RegExp(`${sa}/${NS} is not authorized to read secrets`));
      const dump = (await (await fetch(`http://127.0.0.1:${sim2.admin[`${pod}.${NS}`]!}/config_dump`)).json()) as {
        configs: { '@type': string; dynamic_active_secrets?: { name: string }[] }[];
      };
      const secrets = dump.configs.find((x) => x['@type'].endsWith('.SecretsConfigDump'))?.dynamic_active_secrets ?? [];
      // Its listeners name the Secret as the first gateway's do, but it holds only the agent's two.
      assert.ok(JSON.stringify(dump).includes('"kubernetes://shop-cert"'), 'a listener names kubernetes://shop-cert');
      assert.deepEqual(
        secrets.map((x) => x.name),
        ['default', 'ROOTCA'],
      );
    } finally {
      await sim2.close();
    }
  });
});

/** A certificate's serial number as mesh prints it (lower-case hex, at least 32 digits). */
/** A gateway's simulated proxy for one of the test's pods: on istiod's TLS xDS port (`xds`) as `serviceAccount`, with an admin API. */
function gatewayProxy(pod: V1Pod, serviceAccount: string, ca: SimProxySpec['ca'], xds: string): SimProxySpec {
  return {
    pod: pod.metadata!.name!,
    namespace: NS,
    type: 'router',
    ip: pod.status!.podIP!,
    labels: pod.metadata!.labels!,
    serviceAccount,
    xds,
    xdsTls: true,
    admin: true,
    ...(ca !== undefined ? { ca } : {}),
  };
}

function serialOf(pem: string): string {
  return new X509Certificate(pem).serialNumber.toLowerCase().replace(/^0+/, '').padStart(32, '0');
}

/** No PEM private key, the gateway's TLS key (as PEM or base64) or an unredacted private_key field. */
function assertNoKey(doc: string, keyPem: string): void {
  assert.doesNotMatch(doc, /PRIVATE KEY/);
  const body = keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  assert.ok(body.length > 40 && !doc.includes(body.slice(0, 40)), 'the TLS key is not in the dump');
  assert.ok(!doc.includes(Buffer.from(keyPem).toString('base64').slice(0, 40)), 'the TLS key (base64) is not in the dump');
  const keys = [...doc.matchAll(/"private_key":\s*\{\s*"inline_bytes":\s*"([^"]*)"/g)].map((m) => m[1]);
  assert.ok(
    keys.every((k) => k === Buffer.from('[redacted]').toString('base64')),
    `every private_key is redacted: ${keys.join(', ')}`,
  );
}
