// The Istio CRDs mesh installs keep every field of the Istio API: each corpus document
// (test/fixtures/istio-corpus, which together use every field the schemas declare) is server-side
// applied to a real API server and read back with its spec unchanged — nothing pruned, nothing
// rejected. A field the schemas forgot would come back missing here.
// Objects go through mesh's own KubeClient (raw JSON): client-node's typed serializer would drop the
// x-kubernetes-* keys of a CRD schema on the way out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refOf, type KubeClient } from '../../src/kube/client.js';
import { createKubeClient } from '../../src/kube/real.js';
import type { KubeObject } from '../../src/model/k8s.js';
import { loadCorpus } from '../unit/model/corpus.js';
import { applyIstioCrds, startControlPlane, type ControlPlane } from './harness/index.js';

const cp: ControlPlane = await startControlPlane();
const fieldManager = 'mesh-e2e-crds';

describe('Istio CRD round-trip', { skip: cp.skip }, () => {
  let ns = '';
  let kube: KubeClient;
  after(() => cp.release());

  before(async () => {
    kube = createKubeClient({ kubeconfig: cp.kubeconfigPath });
    await applyIstioCrds(kube, fieldManager);
    ns = await cp.freshNamespace('crd-roundtrip');
  });

  it('accepts every corpus document and reads its spec back unchanged', async () => {
    const failures: string[] = [];
    const corpus = loadCorpus();
    for (const { file, index, object } of corpus) {
      const where = `${file}#${index} ${object.kind} ${object.metadata.name}`;
      const body: KubeObject = { ...object, metadata: { ...object.metadata, namespace: ns } };
      try {
        await kube.apply(body, { fieldManager, force: true });
        const live = await kube.get(refOf(body));
        try {
          assert.deepStrictEqual(live?.spec, object.spec);
        } catch (err) {
          failures.push(`${where}: spec changed on the way through the API server\n${(err as Error).message}`);
        }
      } catch (err) {
        failures.push(`${where}: rejected: ${(err as Error).message.slice(0, 400)}`);
      }
    }
    assert.ok(corpus.length >= 15);
    assert.deepEqual(failures, []);
  });

  it('prunes a field the schema does not declare (the reason the schemas must be complete)', async () => {
    const body = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'pruned', namespace: ns },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', notAField: 'x' } }] }] },
    };
    // mesh's own writes ask for strict field validation, which refuses the field outright:
    await assert.rejects(kube.create(body), /strict decoding error: unknown field/);
    // a client that does not (kubectl --validate=false) gets it pruned by the schema.
    await cp.kube.custom.createNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: ns, plural: 'virtualservices', body });
    const live = await kube.get(refOf(body));
    assert.deepStrictEqual(live?.spec, { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] });
  });
});
