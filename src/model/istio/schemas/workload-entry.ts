/** networking.istio.io WorkloadEntry (istio/api networking/v1alpha3/workload_entry.proto). */
import type { IstioKindSchema, JSONSchemaProps } from '../schema-types.js';
import { map, obj, str, strMap, uint32 } from './common.js';

/** The WorkloadEntry message; also ServiceEntry endpoints and WorkloadGroup templates. */
export const workloadEntrySpec = (): JSONSchemaProps =>
  obj({
    address: str({ maxLength: 256 }),
    labels: strMap({ maxProperties: 256 }),
    locality: str({ maxLength: 2048 }),
    network: str({ maxLength: 2048 }),
    ports: map(uint32(), { maxProperties: 128 }),
    serviceAccount: str({ maxLength: 253 }),
    weight: uint32(),
  });

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
  spec: workloadEntrySpec(),
  deprecated: {},
};
