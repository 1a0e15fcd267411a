// Every built-in profile (and a revisioned, customised render) is accepted by a real API server:
// each rendered object goes through a server-side apply dry run with strict field validation, so a
// misspelt or misplaced field in a rendered object fails here instead of being dropped silently.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { parseAllDocuments } from 'yaml';
import { credentials } from '../../src/kube/real/config.js';
import { runMesh, startControlPlane, type ControlPlane } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
// Where each rendered kind lives in the API (group/version, plural, namespaced).
const RESOURCES: Record<string, [string, string, boolean]> = {
  CustomResourceDefinition: ['apis/apiextensions.k8s.io/v1', 'customresourcedefinitions', false],
  ServiceAccount: ['api/v1', 'serviceaccounts', true],
  ConfigMap: ['api/v1', 'configmaps', true],
  Service: ['api/v1', 'services', true],
  ResourceQuota: ['api/v1', 'resourcequotas', true],
  ClusterRole: ['apis/rbac.authorization.k8s.io/v1', 'clusterroles', false],
  ClusterRoleBinding: ['apis/rbac.authorization.k8s.io/v1', 'clusterrolebindings', false],
  Role: ['apis/rbac.authorization.k8s.io/v1', 'roles', true],
  RoleBinding: ['apis/rbac.authorization.k8s.io/v1', 'rolebindings', true],
  Deployment: ['apis/apps/v1', 'deployments', true],
  DaemonSet: ['apis/apps/v1', 'daemonsets', true],
  HorizontalPodAutoscaler: ['apis/autoscaling/v2', 'horizontalpodautoscalers', true],
  PodDisruptionBudget: ['apis/policy/v1', 'poddisruptionbudgets', true],
  MutatingWebhookConfiguration: ['apis/admissionregistration.k8s.io/v1', 'mutatingwebhookconfigurations', false],
  ValidatingWebhookConfiguration: ['apis/admissionregistration.k8s.io/v1', 'validatingwebhookconfigurations', false],
  ValidatingAdmissionPolicy: ['apis/admissionregistration.k8s.io/v1', 'validatingadmissionpolicies', false],
  ValidatingAdmissionPolicyBinding: ['apis/admissionregistration.k8s.io/v1', 'validatingadmissionpolicybindings', false],
};

// Kinds of third-party CRDs that this API server does not have, so it cannot check them: the
// openshift profiles render Multus's NetworkAttachmentDefinition (as istioctl does). Only their
// group/version is checked here.
const EXTERNAL: Record<string, string> = { NetworkAttachmentDefinition: 'k8s.cni.cncf.io/v1' };

const PROFILES = ['default', 'demo', 'minimal', 'remote', 'preview', 'stable', 'ambient', 'openshift', 'openshift-ambient'];

describe('rendered manifests against a real API server', { skip: cp.skip, concurrency: 1 }, () => {
  let ns = '';
  before(async () => {
    ns = await cp.freshNamespace('render-e2e');
  });
  after(() => cp.release());

  let agent: Agent | undefined;
  after(() => agent?.close());
  /** Server-side apply dry run with strict field validation; returns an error line or undefined. */
  const dryRunApply = async (o: { kind: string; metadata: { name: string; namespace?: string } }): Promise<string | undefined> => {
    const server = cp.kube.kc.getCurrentCluster()?.server ?? '';
    const res = RESOURCES[o.kind];
    if (res === undefined) return `${o.kind} ${o.metadata.name}: kind not known to this test`;
    const [prefix, plural, namespaced] = res;
    const path = `${prefix}/${namespaced ? `namespaces/${o.metadata.namespace ?? ''}/` : ''}${plural}/${o.metadata.name}`;
    const url = `${server}/${path}?dryRun=All&fieldManager=mesh-render-e2e&fieldValidation=Strict&force=true`;
    const { headers, tls } = await credentials(cp.kube.kc);
    agent ??= new Agent({ connect: { ...tls, rejectUnauthorized: true } });
    const r = await request(url, {
      dispatcher: agent,
      method: 'PATCH',
      headers: { ...headers, 'Content-Type': 'application/apply-patch+yaml' },
      body: JSON.stringify(o),
    });
    const text = await r.body.text();
    return r.statusCode >= 300 ? `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: HTTP ${r.statusCode} ${text.slice(0, 500)}` : undefined;
  };

  const check = async (args: string[]): Promise<number> => {
    const r = await runMesh(cp, ['manifest', 'generate', '--set', `namespace=${ns}`, ...args], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    assert.ok(objects.length > 0);
    const failures: string[] = [];
    for (const o of objects) {
      if (o.kind === 'Namespace') continue;
      const external = EXTERNAL[o.kind];
      if (external !== undefined) {
        if ((o as { apiVersion?: string }).apiVersion !== external) failures.push(`${o.kind} ${o.metadata.name}: apiVersion is not ${external}`);
        continue;
      }
      const err = await dryRunApply(o);
      if (err !== undefined) failures.push(err);
    }
    assert.deepEqual(failures, []);
    return objects.length;
  };

  it('the check itself rejects a misspelt field (so the tests below can fail)', async () => {
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: ns }, dataa: { a: 'b' } };
    assert.match((await dryRunApply(bad)) ?? 'accepted', /HTTP [45]\d\d .*dataa: field not declared in schema/);
  });

  for (const profile of PROFILES) {
    it(`profile ${profile}: every object passes a strict server-side dry run`, async () => {
      assert.ok((await check(['--profile', profile])) > 10);
    });
  }

  it('a revisioned render with k8s settings, overlays and a custom gateway passes too', async () => {
    await check([
      '-r',
      'canary',
      '--set',
      'components.pilot.k8s.hpaSpec.minReplicas=2',
      '--set',
      'components.pilot.k8s.resources.requests.cpu=250m',
      '--set',
      'components.pilot.k8s.env[0].name=FOO',
      '--set',
      'components.pilot.k8s.env[0].value=bar',
      '--set',
      'components.pilot.k8s.tolerations[0].key=dedicated',
      '--set',
      'components.pilot.k8s.tolerations[0].operator=Exists',
      '--set',
      `components.ingressGateways[1].name=internal-gw`,
      '--set',
      'components.ingressGateways[1].enabled=true',
      '--set',
      'components.ingressGateways[0].k8s.service.type=NodePort',
      '--set',
      'values.gateways.istio-ingressgateway.autoscaleEnabled=false',
      '--set',
      'components.ingressGateways[0].k8s.replicaCount=2',
      '--set',
      'values.global.proxy.resources.limits.cpu=1',
    ]);
  });
});
