import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { kindRank } from '../../../src/render/index.js';
import { container, dig, find, names, r } from './helpers.js';

test('default profile: base, istiod and the ingress gateway with Istio 1.31 names, images, ports and labels', () => {
  const res = r();
  assert.equal(res.profile, 'default');
  assert.equal(res.namespace, 'istio-system');
  assert.deepEqual(
    res.components.map((c) => c.component),
    ['Base', 'Pilot', 'IngressGateways'],
  );
  assert.equal(names(res, 'CustomResourceDefinition').length, 15);
  assert.deepEqual(names(res, 'ServiceAccount'), ['istio-reader-service-account', 'istiod', 'istio-ingressgateway-service-account']);
  assert.deepEqual(names(res, 'ClusterRole'), [
    'istio-reader-clusterrole-istio-system',
    'istiod-clusterrole-istio-system',
    'istiod-gateway-controller-istio-system',
  ]);
  assert.deepEqual(names(res, 'ConfigMap'), ['istio', 'istio-sidecar-injector', 'values']);
  assert.deepEqual(names(res, 'HorizontalPodAutoscaler'), ['istiod', 'istio-ingressgateway']);
  assert.deepEqual(names(res, 'PodDisruptionBudget'), []); // min replicas 1: no PDB
  assert.deepEqual(names(res, 'MutatingWebhookConfiguration'), ['istio-sidecar-injector']);
  assert.deepEqual(names(res, 'ValidatingWebhookConfiguration'), ['istio-validator-istio-system']);

  const istiod = find(res, 'Deployment', 'istiod');
  const discovery = container(istiod, 'discovery');
  assert.equal(discovery.image, 'registry.istio.io/release/pilot:1.31.1');
  assert.deepEqual(
    discovery.ports?.map((p) => [p.containerPort, p.name]),
    [
      [8080, 'http-debug'],
      [15010, 'grpc-xds'],
      [15012, 'tls-xds'],
      [15017, 'https-webhooks'],
      [15014, 'http-monitoring'],
    ],
  );
  assert.deepEqual(discovery.resources, { requests: { cpu: '500m', memory: '2048Mi' } });
  assert.deepEqual(dig(discovery, 'readinessProbe', 'httpGet'), { path: '/ready', port: 8080 });
  assert.deepEqual(istiod.metadata.labels, {
    app: 'istiod',
    istio: 'pilot',
    'istio.io/rev': 'default',
    'operator.istio.io/component': 'Pilot',
    'operator.istio.io/managed': 'Reconcile',
    'operator.istio.io/version': '1.31.1',
    'install.operator.istio.io/owning-resource': 'unknown',
    'app.kubernetes.io/part-of': 'istio',
  });
  const podLabels = dig(istiod, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
  assert.equal(podLabels['sidecar.istio.io/inject'], 'false');
  assert.equal(podLabels['istio.io/dataplane-mode'], 'none');

  const svc = find(res, 'Service', 'istiod');
  assert.deepEqual(
    (dig(svc, 'spec', 'ports') as { name: string; port: number; targetPort?: number }[]).map((p) => [p.name, p.port, p.targetPort]),
    [
      ['grpc-xds', 15010, undefined],
      ['https-dns', 15012, undefined],
      ['https-webhook', 443, 15017],
      ['http-monitoring', 15014, undefined],
    ],
  );
  const hpa = find(res, 'HorizontalPodAutoscaler', 'istiod');
  assert.equal(dig(hpa, 'spec', 'minReplicas'), 1);
  assert.equal(dig(hpa, 'spec', 'maxReplicas'), 5);
  assert.equal(dig(hpa, 'spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'), 80);

  const gw = find(res, 'Deployment', 'istio-ingressgateway');
  const proxy = container(gw, 'istio-proxy');
  assert.equal(proxy.image, 'registry.istio.io/release/proxyv2:1.31.1');
  assert.deepEqual(proxy.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } });
  assert.deepEqual(
    proxy.ports?.map((p) => p.containerPort),
    [15021, 8080, 8443, 15090],
  );
  assert.equal(gw.metadata.labels?.['operator.istio.io/component'], 'IngressGateways');
  const gsvc = find(res, 'Service', 'istio-ingressgateway');
  assert.equal(dig(gsvc, 'spec', 'type'), 'LoadBalancer');
  assert.deepEqual(
    (dig(gsvc, 'spec', 'ports') as { name: string; port: number; targetPort: number }[]).map((p) => `${p.name} ${p.port}->${p.targetPort}`),
    ['status-port 15021->15021', 'http2 80->8080', 'https 443->8443'],
  );
  assert.deepEqual(dig(gsvc, 'spec', 'selector'), { app: 'istio-ingressgateway', istio: 'ingressgateway' });
});

test('every object carries its component label; output is ordered CRDs … webhooks', () => {
  const res = r({ profile: 'demo' });
  for (const o of res.objects) if (o.kind !== 'Namespace') assert.ok(o.metadata.labels?.['operator.istio.io/component'], `${o.kind}/${o.metadata.name}`);
  const ranks = res.objects.map((o) => kindRank(o.kind));
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => a - b),
  );
  assert.equal(res.objects[0]?.kind, 'CustomResourceDefinition');
  assert.equal(res.objects.at(-1)?.kind, 'ValidatingWebhookConfiguration');
  const kinds = res.objects.map((o) => o.kind);
  assert.ok(kinds.indexOf('Namespace') < kinds.indexOf('ServiceAccount'));
  assert.ok(kinds.lastIndexOf('ConfigMap') < kinds.indexOf('Deployment'));
  assert.ok(kinds.lastIndexOf('Deployment') < kinds.indexOf('Service'));
});

test('the mesh and injector ConfigMaps carry the mesh config, the templates and the values', () => {
  const res = r({ profile: 'demo' });
  const mesh = parse(dig(find(res, 'ConfigMap', 'istio'), 'data', 'mesh') as string) as Record<string, unknown>;
  assert.equal(mesh['accessLogFile'], '/dev/stdout');
  assert.equal(dig(mesh, 'defaultConfig', 'discoveryAddress'), 'istiod.istio-system.svc:15012');
  assert.deepEqual(
    (mesh['extensionProviders'] as { name: string }[]).map((p) => p.name),
    ['otel', 'skywalking', 'otel-tracing', 'jaeger'],
  );
  const inj = find(res, 'ConfigMap', 'istio-sidecar-injector');
  const config = parse(dig(inj, 'data', 'config') as string) as Record<string, unknown>;
  assert.deepEqual(Object.keys(config['templates'] as object).sort(), [
    'agentgateway',
    'agentgateway-waypoint',
    'gateway',
    'grpc-agent',
    'grpc-simple',
    'kube-gateway',
    'sidecar',
    'waypoint',
  ]);
  assert.deepEqual(config['defaultTemplates'], ['sidecar']);
  const values = JSON.parse(dig(inj, 'data', 'values') as string) as Record<string, unknown>;
  // As Istio's chart: the image name, with hub and tag beside it (istiod composes the reference).
  assert.equal(dig(values, 'global', 'proxy', 'image'), 'proxyv2');
  assert.deepEqual([dig(values, 'global', 'hub'), dig(values, 'global', 'tag')], ['registry.istio.io/release', '1.31.1']);
  assert.deepEqual(dig(values, 'global', 'proxy', 'resources', 'requests'), { cpu: '10m', memory: '40Mi' });
});

test('the injector webhook has its four webhooks and the validator points at istiod /validate', () => {
  const res = r();
  const mwc = find(res, 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
  const hooks = mwc['webhooks'] as { name: string; failurePolicy: string; clientConfig: { service: { name: string; path: string } } }[];
  assert.deepEqual(
    hooks.map((h) => h.name),
    [
      'rev.namespace.sidecar-injector.istio.io',
      'rev.object.sidecar-injector.istio.io',
      'namespace.sidecar-injector.istio.io',
      'object.sidecar-injector.istio.io',
    ],
  );
  for (const h of hooks) {
    assert.equal(h.failurePolicy, 'Fail');
    assert.deepEqual([h.clientConfig.service.name, h.clientConfig.service.path], ['istiod', '/inject']);
  }
  const vwc = find(res, 'ValidatingWebhookConfiguration', 'istio-validator-istio-system');
  assert.equal(dig(vwc, 'webhooks', 0, 'name'), 'rev.validation.istio.io');
  assert.equal(dig(vwc, 'webhooks', 0, 'failurePolicy'), 'Ignore');
  assert.equal(dig(vwc, 'webhooks', 0, 'clientConfig', 'service', 'path'), '/validate');
});

test('demo: egress gateway, extra ingress ports, small requests, no autoscaling', () => {
  const res = r({ profile: 'demo' });
  assert.deepEqual(
    res.components.map((c) => c.component),
    ['Base', 'Pilot', 'IngressGateways', 'EgressGateways'],
  );
  assert.deepEqual(names(res, 'HorizontalPodAutoscaler'), []);
  assert.equal(dig(find(res, 'Deployment', 'istiod'), 'spec', 'replicas'), 1);
  const ports = (dig(find(res, 'Service', 'istio-ingressgateway'), 'spec', 'ports') as { port: number }[]).map((p) => p.port);
  assert.deepEqual(ports, [15021, 80, 443, 31400, 15443]);
  assert.equal(dig(find(res, 'Service', 'istio-egressgateway'), 'spec', 'type'), 'ClusterIP');
  assert.deepEqual(container(find(res, 'Deployment', 'istiod'), 'discovery').resources, { requests: { cpu: '10m', memory: '100Mi' } });
});

test('a revisioned install uses revisioned names so two control planes live side by side', () => {
  const res = r({ revision: 'canary' });
  for (const [kind, name] of [
    ['Deployment', 'istiod-canary'],
    ['Service', 'istiod-canary'],
    ['ServiceAccount', 'istiod-canary'],
    ['ConfigMap', 'istio-canary'],
    ['ConfigMap', 'istio-sidecar-injector-canary'],
    ['MutatingWebhookConfiguration', 'istio-sidecar-injector-canary'],
    ['ValidatingWebhookConfiguration', 'istio-validator-canary-istio-system'],
    ['ClusterRole', 'istiod-clusterrole-canary-istio-system'],
  ] as const) {
    const o = find(res, kind, name);
    assert.equal(o.metadata.labels?.['istio.io/rev'], 'canary', `${kind}/${name}`);
  }
  const mwc = find(res, 'MutatingWebhookConfiguration', 'istio-sidecar-injector-canary');
  assert.deepEqual(
    (mwc['webhooks'] as { name: string }[]).map((w) => w.name),
    ['rev.namespace.sidecar-injector.istio.io', 'rev.object.sidecar-injector.istio.io'],
  );
  const env = container(find(res, 'Deployment', 'istio-ingressgateway'), 'istio-proxy').env ?? [];
  assert.equal(env.find((e) => e.name === 'CA_ADDR')?.value, 'istiod-canary.istio-system.svc:15012');
  // No name collides with the default revision's control plane.
  const def = new Set(
    r()
      .objects.filter((o) => o.metadata.labels?.['operator.istio.io/component'] === 'Pilot')
      .map((o) => `${o.kind}/${o.metadata.name}`),
  );
  for (const o of res.objects.filter(
    (x) =>
      x.metadata.labels?.['operator.istio.io/component'] === 'Pilot' &&
      !x.kind.startsWith('ClusterRole') &&
      x.metadata.name !== 'istio-reader-clusterrole-canary-istio-system',
  )) {
    assert.equal(def.has(`${o.kind}/${o.metadata.name}`), false, `${o.kind}/${o.metadata.name} collides`);
  }
});

test('components.*.k8s settings are applied to the component objects', () => {
  const res = r({
    sets: [
      'components.pilot.k8s.resources.requests.cpu=1',
      'components.pilot.k8s.hpaSpec.minReplicas=2',
      'components.pilot.k8s.env[0].name=FOO',
      'components.pilot.k8s.env[0].value=bar',
      'components.pilot.k8s.nodeSelector.pool=infra',
      'components.pilot.k8s.tolerations[0].key=dedicated',
      'components.pilot.k8s.tolerations[0].operator=Exists',
      'components.pilot.k8s.serviceAnnotations.a=b',
      'components.pilot.k8s.securityContext.fsGroup=1337',
      'components.pilot.k8s.strategy.rollingUpdate.maxUnavailable=0',
      'components.ingressGateways[0].k8s.service.type=NodePort',
      'components.ingressGateways[0].k8s.podAnnotations.x=y',
      'components.ingressGateways[0].k8s.imagePullPolicy=Always',
    ],
  });
  const istiod = find(res, 'Deployment', 'istiod');
  const c = container(istiod, 'discovery');
  assert.deepEqual(c.resources, { requests: { cpu: 1, memory: '2048Mi' } }); // merged into the chart's, as istioctl does
  assert.equal(c.env?.find((e) => e.name === 'FOO')?.value, 'bar');
  assert.deepEqual(dig(istiod, 'spec', 'template', 'spec', 'nodeSelector'), { pool: 'infra' });
  assert.deepEqual(dig(istiod, 'spec', 'template', 'spec', 'tolerations'), [{ key: 'dedicated', operator: 'Exists' }]);
  assert.equal(dig(istiod, 'spec', 'template', 'spec', 'securityContext', 'fsGroup'), 1337);
  assert.equal(dig(istiod, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable'), 0);
  assert.equal(dig(find(res, 'HorizontalPodAutoscaler', 'istiod'), 'spec', 'minReplicas'), 2);
  assert.deepEqual(names(res, 'PodDisruptionBudget'), ['istiod']); // min 2 → a PDB
  assert.equal(find(res, 'Service', 'istiod').metadata.annotations?.['a'], 'b');
  assert.equal(dig(find(res, 'Service', 'istio-ingressgateway'), 'spec', 'type'), 'NodePort');
  const gw = find(res, 'Deployment', 'istio-ingressgateway');
  assert.equal((dig(gw, 'spec', 'template', 'metadata', 'annotations') as Record<string, string>)['x'], 'y');
  assert.equal(dig(container(gw, 'istio-proxy'), 'imagePullPolicy'), 'Always');
});

test('ambient: CNI in ambient mode and ztunnel DaemonSets, no ingress, distroless images', () => {
  const res = r({ profile: 'ambient' });
  assert.deepEqual(
    res.components.map((c) => c.component),
    ['Base', 'Pilot', 'Cni', 'Ztunnel'],
  );
  const cni = find(res, 'DaemonSet', 'istio-cni-node');
  assert.equal(container(cni, 'install-cni').image, 'registry.istio.io/release/install-cni:1.31.1-distroless');
  assert.equal(dig(find(res, 'ConfigMap', 'istio-cni-config'), 'data', 'AMBIENT_ENABLED'), 'true');
  const zt = find(res, 'DaemonSet', 'ztunnel');
  assert.equal(container(zt, 'istio-proxy').image, 'registry.istio.io/release/ztunnel:1.31.1-distroless');
  assert.equal(zt.metadata.labels?.['operator.istio.io/component'], 'Ztunnel');
  const env = container(find(res, 'Deployment', 'istiod'), 'discovery').env ?? [];
  assert.equal(env.find((e) => e.name === 'PILOT_ENABLE_AMBIENT')?.value, 'true');
  assert.equal(container(find(res, 'Deployment', 'istiod'), 'discovery').image, 'registry.istio.io/release/pilot:1.31.1-distroless');
});

test('remote: no istiod Deployment or mesh ConfigMap, only the injector side', () => {
  const res = r({ profile: 'remote', sets: ['values.istiodRemote.injectionURL=https://istiod.example.com:15017/inject'] });
  assert.deepEqual(names(res, 'Deployment'), []);
  assert.deepEqual(names(res, 'ConfigMap'), ['values']);
  const mwc = find(res, 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
  assert.equal(dig(mwc, 'webhooks', 0, 'clientConfig', 'url'), 'https://istiod.example.com:15017/inject');
});

test('stable adds the ValidatingAdmissionPolicy; empty renders nothing; openshift puts CNI in kube-system', () => {
  assert.deepEqual(names(r({ profile: 'stable' }), 'ValidatingAdmissionPolicy'), ['stable-channel-policy-istio-system.istio.io']);
  assert.deepEqual(r({ profile: 'empty' }).objects, []);
  const os = r({ profile: 'openshift' });
  assert.equal(find(os, 'DaemonSet', 'istio-cni-node').metadata.namespace, 'kube-system');
  assert.deepEqual(
    os.namespaces.map((n) => n.metadata.name),
    ['istio-system'],
  );
});

test('base.enableIstioConfigCRDs=false skips the CRDs; warnings for replicaCount with autoscaling', () => {
  assert.deepEqual(names(r({ sets: ['values.base.enableIstioConfigCRDs=false'] }), 'CustomResourceDefinition'), []);
  const res = r({ sets: ['components.pilot.k8s.replicaCount=3'] });
  assert.match(res.warnings.join('\n'), /components\.pilot\.k8s\.replicaCount is set while autoscaling is enabled/);
});

test('more k8s settings: overlays (set and delete), volumes, probes, PDB, priority class, gateway ports', () => {
  const file = {
    name: 'k8s.yaml',
    text: `spec:
  components:
    pilot:
      k8s:
        hpaSpec: { minReplicas: 3, maxReplicas: 6 }
        podDisruptionBudget: { maxUnavailable: 1 }
        priorityClassName: system-cluster-critical
        readinessProbe: { httpGet: { path: /ready, port: 8080 }, periodSeconds: 10 }
        volumes: [{ name: extra, emptyDir: {} }, { name: cacerts, secret: { secretName: my-cacerts } }]
        volumeMounts: [{ name: extra, mountPath: /extra }]
        overlays:
          - kind: Deployment
            name: istiod
            patches:
              - path: spec.template.spec.containers.[name:discovery].securityContext.readOnlyRootFilesystem
                value: false
              - path: spec.template.metadata.annotations.prometheus\\.io/scrape
          - apiVersion: v1
            kind: Service
            name: istiod
            patches:
              - path: spec.ports.[name:http-monitoring]
    ingressGateways:
      - name: istio-ingressgateway
        k8s:
          service:
            ports:
              - { name: https, port: 443, targetPort: 8443 }
              - { name: tcp, port: 9000, targetPort: 9000, protocol: TCP }
`,
  };
  const res = r({ files: [file] });
  const istiod = find(res, 'Deployment', 'istiod');
  const spec = dig(istiod, 'spec', 'template', 'spec') as Record<string, unknown>;
  assert.equal(spec['priorityClassName'], 'system-cluster-critical');
  const vols = spec['volumes'] as { name: string; secret?: { secretName: string } }[];
  assert.equal(vols.find((v) => v.name === 'cacerts')?.secret?.secretName, 'my-cacerts'); // replaced by name
  assert.ok(vols.some((v) => v.name === 'extra'));
  const c = container(istiod, 'discovery') as unknown as Record<string, unknown>;
  assert.equal(dig(c, 'readinessProbe', 'periodSeconds'), 10);
  assert.ok((c['volumeMounts'] as { mountPath: string }[]).some((m) => m.mountPath === '/extra'));
  assert.equal(dig(c, 'securityContext', 'readOnlyRootFilesystem'), false);
  assert.equal((dig(istiod, 'spec', 'template', 'metadata', 'annotations') as Record<string, string>)['prometheus.io/scrape'], undefined);
  assert.deepEqual(
    (dig(find(res, 'Service', 'istiod'), 'spec', 'ports') as { name: string }[]).map((p) => p.name),
    ['grpc-xds', 'https-dns', 'https-webhook'],
  );
  assert.deepEqual(dig(find(res, 'PodDisruptionBudget', 'istiod'), 'spec'), {
    selector: { matchLabels: { app: 'istiod', istio: 'pilot' } },
    maxUnavailable: 1,
  });
  const gw = find(res, 'Deployment', 'istio-ingressgateway');
  assert.deepEqual(
    container(gw, 'istio-proxy').ports?.map((p) => p.containerPort),
    [8443, 9000, 15090],
  );
  assert.deepEqual(
    (dig(find(res, 'Service', 'istio-ingressgateway'), 'spec', 'ports') as { port: number }[]).map((p) => p.port),
    [443, 9000],
  );
});

test('a control plane outside istio-system names its webhooks and addresses after its namespace', () => {
  const res = r({ sets: ['namespace=mesh-cp'] });
  assert.equal(res.namespace, 'mesh-cp');
  find(res, 'MutatingWebhookConfiguration', 'istio-sidecar-injector-mesh-cp');
  find(res, 'ValidatingWebhookConfiguration', 'istio-validator-mesh-cp');
  find(res, 'ClusterRole', 'istiod-clusterrole-mesh-cp');
  assert.equal(find(res, 'Deployment', 'istiod').metadata.namespace, 'mesh-cp');
  const mesh = parse(dig(find(res, 'ConfigMap', 'istio'), 'data', 'mesh') as string) as Record<string, unknown>;
  assert.equal(dig(mesh, 'defaultConfig', 'discoveryAddress'), 'istiod.mesh-cp.svc:15012');
  assert.equal(mesh['rootNamespace'], 'mesh-cp');
  assert.deepEqual(
    res.namespaces.map((n) => n.metadata.name),
    ['mesh-cp'],
  );
});

test('installPackagePath is accepted but ignored, with a warning', () => {
  assert.match(r({ sets: ['installPackagePath=/charts'] }).warnings.join('\n'), /installPackagePath is ignored/);
});

test('component enablement per profile matches Istio 1.31', async () => {
  const { enabledComponents } = await import('../../../src/render/index.js');
  const want: Record<string, string> = {
    default: 'Base,Pilot,IngressGateways',
    demo: 'Base,Pilot,IngressGateways,EgressGateways',
    minimal: 'Base,Pilot',
    empty: '',
    remote: 'Base,Pilot',
    preview: 'Base,Pilot,IngressGateways',
    stable: 'Base,Pilot,IngressGateways',
    ambient: 'Base,Pilot,Cni,Ztunnel',
    openshift: 'Base,Pilot,IngressGateways,Cni',
    'openshift-ambient': 'Base,Pilot,Cni,Ztunnel',
  };
  for (const [profile, components] of Object.entries(want)) {
    const res = r({ profile });
    assert.equal(enabledComponents(res.iop).join(','), components, profile);
    assert.equal(res.components.map((c) => c.component).join(','), components, profile);
  }
});
