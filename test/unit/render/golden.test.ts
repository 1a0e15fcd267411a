/**
 * Golden files for every profile and a set of override cases: test/golden/render/<case>.yaml.
 * `UPDATE_GOLDEN=1 npm run test:unit` rewrites them. CRDs appear with their metadata only (their
 * schemas are tested with src/model/istio and would make every golden file half a megabyte).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { RenderInput } from '../../../src/render/index.js';
import { toYaml } from '../../../src/render/index.js';
import { PROFILES, r } from './helpers.js';

const DIR = 'test/golden/render';
const update = process.env['UPDATE_GOLDEN'] === '1';

const OVERLAY = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: custom
spec:
  components:
    pilot:
      k8s:
        replicaCount: 3
        hpaSpec:
          minReplicas: 2
          maxReplicas: 4
        resources:
          requests: { cpu: 250m, memory: 512Mi }
          limits: { cpu: "1", memory: 1Gi }
        env:
          - name: PILOT_TRACE_SAMPLING
            value: "5"
          - name: EXTRA
            value: "yes"
        nodeSelector:
          pool: infra
        tolerations:
          - key: dedicated
            operator: Equal
            value: infra
            effect: NoSchedule
        podAnnotations:
          example.com/team: mesh
        strategy:
          rollingUpdate:
            maxSurge: 1
            maxUnavailable: 0
        overlays:
          - kind: Deployment
            name: istiod
            patches:
              - path: spec.template.spec.containers.[name:discovery].args.[7]
                value: --log_as_json
    ingressGateways:
      - name: istio-ingressgateway
        enabled: true
        k8s:
          service:
            type: NodePort
            ports:
              - name: http2
                port: 80
                targetPort: 8080
                nodePort: 30080
          serviceAnnotations:
            service.beta.kubernetes.io/aws-load-balancer-type: nlb
      - name: internal-gateway
        namespace: gateways
        enabled: true
        label:
          istio: internal
`;

const CASES: Record<string, Omit<RenderInput, 'profiles'>> = {
  ...Object.fromEntries(Object.keys(PROFILES).map((p) => [`profile-${p}`, { profile: p }])),
  'revision-canary': { revision: 'canary', sets: ['components.ingressGateways[0].enabled=false'] },
  'set-hub-tag': { profile: 'minimal', sets: ['hub=example.com/istio', 'tag=1.31.1-custom', 'values.global.logAsJson=true'] },
  'overlay-k8s': { files: [{ name: 'custom.yaml', text: OVERLAY }] },
  'namespace-and-mesh-config': {
    profile: 'minimal',
    sets: [
      'meshConfig.accessLogFile=/dev/stdout',
      'meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY',
      'values.global.istioNamespace=mesh-cp',
      'values.global.network=net1',
    ],
  },
};

function goldenText(input: Omit<RenderInput, 'profiles'>): string {
  const res = r(input);
  const objects = res.objects.map((o) => (o.kind === 'CustomResourceDefinition' ? { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata } : o));
  return toYaml(objects);
}

for (const [name, input] of Object.entries(CASES)) {
  test(`golden: ${name}`, () => {
    const file = `${DIR}/${name}.yaml`;
    const got = goldenText(input);
    if (update || !existsSync(file)) {
      if (!update) assert.fail(`${file} is missing; run UPDATE_GOLDEN=1 npm run test:unit`);
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, got);
      return;
    }
    assert.equal(got, readFileSync(file, 'utf8'), `${file} differs; if the change is intended, run UPDATE_GOLDEN=1 npm run test:unit`);
  });
}

test('rendering is deterministic: byte-identical across runs', () => {
  for (const input of Object.values(CASES)) assert.equal(goldenText(input), goldenText(input));
});
