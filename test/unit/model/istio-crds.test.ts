import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ISTIO_KINDS, istioCrds, istioKind, isIstioGroup } from '../../../src/model/istio/crds.js';
import type { JSONSchemaProps } from '../../../src/model/istio/schema-types.js';
import { checkStructural } from './structural.js';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: JSONSchemaProps };
  subresources?: { status?: object };
  additionalPrinterColumns?: { name: string; jsonPath: string; type: string }[];
}
interface CrdSpec {
  group: string;
  scope: string;
  names: { kind: string; plural: string; singular: string; listKind: string; shortNames?: string[]; categories: string[] };
  versions: CrdVersion[];
}
const specOf = (o: Record<string, unknown>): CrdSpec => o.spec as CrdSpec;

/** The free-form subtrees Istio's API really has; preserve-unknown-fields anywhere else is a bug. */
const FREE_FORM = new Set(['status', 'spec.configPatches[].patch.value', 'spec.pluginConfig', 'spec.wasm.pluginConfig']);

// Facts from the Istio 1.31 base chart (reference/istio.md §4): name, versions (storage first), short names.
const EXPECTED: [string, string, string[], string[]][] = [
  ['authorizationpolicies.security.istio.io', 'v1', ['v1', 'v1beta1'], ['ap']],
  ['destinationrules.networking.istio.io', 'v1', ['v1', 'v1alpha3', 'v1beta1'], ['dr']],
  ['envoyfilters.networking.istio.io', 'v1alpha3', ['v1alpha3'], []],
  ['gateways.networking.istio.io', 'v1', ['v1', 'v1alpha3', 'v1beta1'], ['gw']],
  ['peerauthentications.security.istio.io', 'v1', ['v1', 'v1beta1'], ['pa']],
  ['proxyconfigs.networking.istio.io', 'v1beta1', ['v1beta1'], []],
  ['requestauthentications.security.istio.io', 'v1', ['v1', 'v1beta1'], ['ra']],
  ['serviceentries.networking.istio.io', 'v1', ['v1', 'v1alpha3', 'v1beta1'], ['se']],
  ['sidecars.networking.istio.io', 'v1', ['v1', 'v1alpha3', 'v1beta1'], []],
  ['telemetries.telemetry.istio.io', 'v1alpha1', ['v1', 'v1alpha1'], ['telemetry']],
  ['trafficextensions.extensions.istio.io', 'v1alpha1', ['v1alpha1'], []],
  ['virtualservices.networking.istio.io', 'v1', ['v1', 'v1alpha3', 'v1beta1'], ['vs']],
  ['wasmplugins.extensions.istio.io', 'v1alpha1', ['v1alpha1'], []],
  ['workloadentries.networking.istio.io', 'v1', ['v1', 'v1alpha3', 'v1beta1'], ['we']],
  ['workloadgroups.networking.istio.io', 'v1', ['v1', 'v1alpha3', 'v1beta1'], ['wg']],
];

describe('istioCrds', () => {
  const crds = istioCrds();

  test('returns the 15 CRDs of a base install, ordered by name, with their versions and short names', () => {
    assert.deepEqual(
      crds.map((c) => c.metadata.name),
      EXPECTED.map((e) => e[0]),
    );
    for (const [name, storage, versions, shortNames] of EXPECTED) {
      const crd = crds.find((c) => c.metadata.name === name)!;
      const spec = specOf(crd);
      assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(crd.kind, 'CustomResourceDefinition');
      assert.equal(`${spec.names.plural}.${spec.group}`, name);
      assert.equal(spec.scope, 'Namespaced');
      assert.equal(spec.names.listKind, `${spec.names.kind}List`);
      assert.deepEqual(
        spec.versions.map((v) => v.name),
        versions,
        name,
      );
      assert.deepEqual(
        spec.versions.filter((v) => v.storage).map((v) => v.name),
        [storage],
        `${name} has exactly one storage version`,
      );
      assert.ok(spec.versions.every((v) => v.served));
      assert.ok(
        spec.versions.every((v) => v.subresources?.status !== undefined),
        `${name} has the status subresource`,
      );
      assert.deepEqual(spec.names.shortNames ?? [], shortNames, name);
      assert.ok(spec.names.categories.includes('istio-io'));
      assert.ok(spec.names.categories.includes(`${spec.group.split('.')[0]}-istio-io`));
    }
  });

  test('every version schema is structural, with free-form fields only where the API is free-form', () => {
    for (const crd of crds) {
      for (const v of specOf(crd).versions) {
        const problems = checkStructural(v.schema.openAPIV3Schema, (p) => FREE_FORM.has(p));
        assert.deepEqual(problems, [], `${crd.metadata.name} ${v.name}`);
      }
    }
  });

  test('the structural checker catches the mistakes it exists for', () => {
    const bad: JSONSchemaProps = {
      type: 'object',
      properties: {
        untyped: {},
        both: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
        empty: { type: 'object' },
        list: { type: 'array' },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        junctor: {
          type: 'object',
          properties: { a: { type: 'string' } },
          oneOf: [{ required: ['b'] }, { type: 'string' }],
        },
      },
      required: ['missing'],
    };
    const found = checkStructural(bad, () => false).map((p) => `${p.path}: ${p.problem}`);
    assert.deepEqual(found.sort(), [
      '<root>: required field missing is not declared',
      'both: both properties and additionalProperties',
      'empty: object without properties, additionalProperties or preserve-unknown-fields',
      'junctor: oneOf may not set type',
      'junctor: oneOf requires undeclared field b',
      'list: array without items',
      'open: x-kubernetes-preserve-unknown-fields outside an allowed free-form node',
      'untyped: missing type',
    ]);
  });

  test('all versions of a kind share one schema, and status is kept open', () => {
    for (const crd of crds) {
      const versions = specOf(crd).versions;
      const first = JSON.stringify(versions[0]!.schema);
      for (const v of versions) assert.equal(JSON.stringify(v.schema), first);
      const status = versions[0]!.schema.openAPIV3Schema.properties!.status!;
      assert.equal(status['x-kubernetes-preserve-unknown-fields'], true);
    }
  });

  test('is deterministic and returns fresh objects', () => {
    const a = istioCrds();
    (specOf(a[0]!).versions[0]!.schema.openAPIV3Schema.properties as Record<string, unknown>).spec = 'mutated';
    const b = istioCrds();
    assert.equal(JSON.stringify(b), JSON.stringify(crds));
  });

  test('printer columns follow Istio', () => {
    const cols = (name: string) =>
      (specOf(crds.find((c) => c.metadata.name === name)!).versions[0]!.additionalPrinterColumns ?? []).map((c) => `${c.name}=${c.jsonPath}`);
    assert.deepEqual(cols('virtualservices.networking.istio.io'), ['Gateways=.spec.gateways', 'Hosts=.spec.hosts', 'Age=.metadata.creationTimestamp']);
    assert.deepEqual(cols('destinationrules.networking.istio.io'), ['Host=.spec.host', 'Age=.metadata.creationTimestamp']);
    assert.deepEqual(cols('peerauthentications.security.istio.io'), ['Mode=.spec.mtls.mode', 'Age=.metadata.creationTimestamp']);
    assert.deepEqual(cols('gateways.networking.istio.io'), []);
  });
});

describe('istio kind lookup', () => {
  test('finds served versions only', () => {
    assert.equal(istioKind('networking.istio.io/v1', 'VirtualService')?.plural, 'virtualservices');
    assert.equal(istioKind('networking.istio.io/v1alpha3', 'VirtualService')?.storageVersion, 'v1');
    assert.equal(istioKind('networking.istio.io/v1beta2', 'VirtualService'), undefined);
    assert.equal(istioKind('networking.istio.io/v1', 'EnvoyFilter'), undefined);
    assert.equal(istioKind('telemetry.istio.io/v1', 'Telemetry')?.shortNames[0], 'telemetry');
    assert.equal(istioKind('apps/v1', 'Deployment'), undefined);
    assert.equal(ISTIO_KINDS.length, 15);
    assert.ok(isIstioGroup('security.istio.io/v1'));
    assert.ok(!isIstioGroup('v1'));
  });
});
