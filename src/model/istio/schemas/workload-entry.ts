/** networking.istio.io WorkloadEntry (istio/api networking/v1alpha3/workload_entry.proto). */
import type { IstioKindSchema, JSONSchemaProps } from '../schema-types.js';
import { cel, map, obj, PORT_RULE, str, strMap, uint32, withRules } from './common.js';

/** The WorkloadEntry message; also ServiceEntry endpoints and WorkloadGroup templates. */
export const workloadEntrySpec = (opts: { addressRequired?: boolean } = {}): JSONSchemaProps =>
  obj(
    {
      address: str({
        maxLength: 256,
        'x-kubernetes-validations': [
          cel("!self.startsWith('unix://') || self.substring(7, 8) in ['/', '@']", 'a unix:// address must be an absolute path or an abstract socket (@name)'),
          cel("!self.startsWith('unix://') || !self.endsWith('/')", 'a unix:// address may not be a directory'),
        ],
      }),
      labels: strMap({ maxProperties: 256 }),
      locality: str({ maxLength: 2048 }),
      network: str({ maxLength: 2048 }),
      ports: withRules(
        map(uint32({ 'x-kubernetes-validations': [PORT_RULE()] }), { maxProperties: 128 }),
        cel(
          "self.all(name, name.size() <= 62 && name.matches('^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'))",
          'port names must be DNS labels of at most 62 characters',
        ),
      ),
      serviceAccount: str({ maxLength: 253 }),
      weight: uint32(),
    },
    {
      'x-kubernetes-validations': [
        ...(opts.addressRequired ? [cel('has(self.network) || has(self.address)', 'address is required (unless network is set)')] : []),
        cel("!(has(self.address) && self.address.startsWith('unix://') && has(self.ports))", 'a unix:// address may not have ports'),
      ],
    },
  );

export const workloadEntry: IstioKindSchema = {
  group: 'networking.istio.io',
  kind: 'WorkloadEntry',
  plural: 'workloadentries',
  singular: 'workloadentry',
  shortNames: ['we'],
  categories: ['istio-io', 'networking-istio-io'],
  versions: ['v1', 'v1alpha3', 'v1beta1'],
  storageVersion: 'v1',
  namespaced: true,
  printerColumns: [
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Address', type: 'string', jsonPath: '.spec.address', description: 'Address associated with the network endpoint.' },
  ],
  specRequired: true,
  spec: workloadEntrySpec({ addressRequired: true }),
  deprecated: {},
};
